package io.deepnets.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deepnets.config.DataConfig;
import io.deepnets.config.TensorShape;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ImageAugmenterTest {
    private static final int H = 8;
    private static final int W = 8;
    private static final int C = 2;
    private static final int SIZE = H * W * C;

    private static ImageSet copies(float[] image, int n) {
        float[] f = new float[n * SIZE];
        for (int i = 0; i < n; i++) {
            System.arraycopy(image, 0, f, i * SIZE, SIZE);
        }
        return new ImageSet(f, new int[n], n, SIZE);
    }

    private static float[] randomImage() {
        Random r = new Random(5);
        float[] image = new float[SIZE];
        for (int i = 0; i < SIZE; i++) {
            image[i] = r.nextFloat();
        }
        return image;
    }

    /** Whether augmented image {@code i} is the original moved by (dr, dc) whole pixels, edges repeated. */
    private static boolean movedBy(float[] image, float[] out, int i, int dr, int dc) {
        return movedBy(image, out, i, dr, dc, "nearest", 0f);
    }

    @Test
    void kerasIntegerShiftsMoveImagesByWholePixelsWithoutBlending() {
        float[] image = randomImage();
        int n = 1000;
        ImageSet batch = copies(image, n);
        DataConfig.Augmentation aug = new DataConfig.Augmentation(false, new DataConfig.Shift(5, true), new DataConfig.Shift(5, true), 0, 0);
        new ImageAugmenter(aug, TensorShape.of(H, W, C), 3).apply(batch, 0, 0);
        int[] rows = new int[9];
        int[] cols = new int[9];
        for (int i = 0; i < n; i++) {
            int found = 0;
            for (int dr = -4; dr <= 4; dr++) {
                for (int dc = -4; dc <= 4; dc++) {
                    if (movedBy(image, batch.features(), i, dr, dc)) {
                        rows[dr + 4]++;
                        cols[dc + 4]++;
                        found++;
                    }
                }
            }
            assertEquals(1, found, "image " + i + " is the original moved by one whole-pixel shift of at most 4");
        }
        // Keras: choice(5) * choice([-1, 1]) gives 0 with probability 2/10 and each of +-1..+-4 with 1/10.
        for (int k = 0; k < 9; k++) {
            double expected = k == 4 ? 0.2 * n : 0.1 * n;
            assertTrue(Math.abs(rows[k] - expected) < 5 * Math.sqrt(expected), "rows moved by " + (k - 4) + ": " + rows[k]);
            assertTrue(Math.abs(cols[k] - expected) < 5 * Math.sqrt(expected), "columns moved by " + (k - 4) + ": " + cols[k]);
        }
    }

    /** The pixel index {@code v} reads under Keras's fill mode, written from Keras's pictures of the modes; -1: cval. */
    private static int source(int v, int size, String mode) {
        if (v >= 0 && v < size) {
            return v;
        }
        return switch (mode) {
            case "constant" -> -1;
            case "reflect" -> v < 0 ? -v - 1 : 2 * size - 1 - v;   // "dcba|abcd|dcba" for shifts up to the size
            case "wrap" -> v < 0 ? v + size : v - size;            // "abcd|abcd|abcd"
            default -> v < 0 ? 0 : size - 1;
        };
    }

    /** Whether augmented image {@code i} is the original moved by (dr, dc) whole pixels, outside points as {@code mode} fills them. */
    private static boolean movedBy(float[] image, float[] out, int i, int dr, int dc, String mode, float cval) {
        for (int ch = 0; ch < C; ch++) {
            for (int r = 0; r < H; r++) {
                for (int c = 0; c < W; c++) {
                    int sr = source(r + dr, H, mode);
                    int sc = source(c + dc, W, mode);
                    float expected = sr < 0 || sc < 0 ? cval : image[ch * H * W + sr * W + sc];
                    if (out[i * SIZE + ch * H * W + r * W + c] != expected) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    @Test
    void fillModesFillThePointsOutsideTheImageAsKerasDoes() {
        float[] image = randomImage();
        int n = 300;
        // Up to 3 pixels either way: on these 8-pixel images a wrapped shift of 4 is also one of -4.
        DataConfig.Shift three = new DataConfig.Shift(4, true);
        for (String mode : List.of("constant", "reflect", "wrap", "nearest")) {
            float cval = mode.equals("constant") ? 0.25f : 0f;
            ImageSet batch = copies(image, n);
            DataConfig.Augmentation aug = new DataConfig.Augmentation(false, three, three, 0, 0, 0, 0.0, mode, cval);
            new ImageAugmenter(aug, TensorShape.of(H, W, C), 3).apply(batch, 0, 0);
            int moved = 0;
            for (int i = 0; i < n; i++) {
                int found = 0;
                for (int dr = -3; dr <= 3; dr++) {
                    for (int dc = -3; dc <= 3; dc++) {
                        if (movedBy(image, batch.features(), i, dr, dc, mode, cval)) {
                            found++;
                            moved += dr != 0 || dc != 0 ? 1 : 0;
                        }
                    }
                }
                assertEquals(1, found, mode + ": image " + i + " is the original moved by one whole-pixel shift, its edges filled as " + mode);
            }
            assertTrue(moved > n / 2, mode + ": most images moved: " + moved);
        }
    }

    @Test
    void aConstantFillGivesCvalWholeToPointsBeyondTheEdgeAndBlendsOnlyInside() {
        float[] image = randomImage();
        ImageSet batch = copies(image, 50);
        // Fractional shifts of up to 1 pixel: a point beyond the edge takes cval whole, inside ones blend pixels only.
        DataConfig.Augmentation aug = new DataConfig.Augmentation(false, DataConfig.Shift.of("w", 1.0), DataConfig.Shift.NONE, 0, 0, 0, 0.0,
                "constant", 0.5);
        new ImageAugmenter(aug, TensorShape.of(H, W, C), 3).apply(batch, 0, 0);
        int filled = 0;
        for (float v : batch.features()) {
            filled += v == 0.5f ? 1 : 0;
        }
        // Each image shifted by d in (-1, 1) columns has one column of points beyond an edge (none only for d = 0).
        assertEquals(50 * H * C, filled, "one edge column per image and channel takes cval 0.5");
    }

    @Test
    void fractionalShiftsBlendNeighbouringPixels() {
        float[] image = randomImage();
        Set<Float> originals = new HashSet<>();
        for (float v : image) {
            originals.add(v);
        }
        ImageSet batch = copies(image, 20);
        DataConfig.Augmentation aug = new DataConfig.Augmentation(false, 0.125, 0.125, 0, 0);
        new ImageAugmenter(aug, TensorShape.of(H, W, C), 3).apply(batch, 0, 0);
        int blended = 0;
        for (float v : batch.features()) {
            blended += originals.contains(v) ? 0 : 1;
        }
        assertTrue(blended > batch.features().length / 2, "bilinear sampling at fractional points blends pixels: " + blended);
    }

    @Test
    void aZeroIntegerRangeLeavesImagesAlone() {
        float[] image = randomImage();
        ImageSet batch = copies(image, 5);
        DataConfig.Augmentation aug = new DataConfig.Augmentation(false, new DataConfig.Shift(1, true), DataConfig.Shift.NONE, 0, 0);
        new ImageAugmenter(aug, TensorShape.of(H, W, C), 3).apply(batch, 1, 2);
        for (int i = 0; i < 5; i++) {
            assertTrue(movedBy(image, batch.features(), i, 0, 0), "Keras's width_shift_range=1 draws choice(1) = 0 pixels");
        }
    }

    @Test
    void cutoutZeroesTheClippedSquareAroundAUniformCentreInEveryChannelAfterTheFlip() {
        float[] image = randomImage();
        int n = 2000;
        int length = 4;
        ImageSet batch = copies(image, n);
        int flips = 0;
        DataConfig.Augmentation flipAndCutout = new DataConfig.Augmentation(true, DataConfig.Shift.NONE, DataConfig.Shift.NONE, 0, 0, length);
        new ImageAugmenter(flipAndCutout, TensorShape.of(H, W, C), 3).apply(batch, 1, 2);
        Set<Integer> centres = new HashSet<>();
        for (int i = 0; i < n; i++) {
            // The hole: the zeroed pixels of channel 0 (the random pixels are never exactly 0).
            int r0 = H;
            int r1 = -1;
            int c0 = W;
            int c1 = -1;
            for (int r = 0; r < H; r++) {
                for (int c = 0; c < W; c++) {
                    if (batch.features()[i * SIZE + r * W + c] == 0f) {
                        r0 = Math.min(r0, r);
                        r1 = Math.max(r1, r);
                        c0 = Math.min(c0, c);
                        c1 = Math.max(c1, c);
                    }
                }
            }
            assertTrue(r1 >= 0, "every image has a hole (a centre on the image leaves at least one pixel of a 4-pixel square)");
            // Its centre: rows clip(y - 2, 0, 8) .. clip(y + 2, 0, 8), so y = r0 + 2 unless clipped at the top.
            int y = r0 > 0 ? r0 + length / 2 : r1 + 1 - length / 2;
            int x = c0 > 0 ? c0 + length / 2 : c1 + 1 - length / 2;
            assertTrue(y >= 0 && y < H && x >= 0 && x < W, "the centre lies on the image");
            assertEquals(Math.max(0, y - 2), r0);
            assertEquals(Math.min(H, y + 2) - 1, r1);
            assertEquals(Math.max(0, x - 2), c0);
            assertEquals(Math.min(W, x + 2) - 1, c1);
            centres.add(y * W + x);
            boolean same = true;
            boolean mirror = true;
            for (int ch = 0; ch < C; ch++) {
                for (int r = 0; r < H; r++) {
                    for (int c = 0; c < W; c++) {
                        float got = batch.features()[i * SIZE + ch * H * W + r * W + c];
                        if (r >= r0 && r <= r1 && c >= c0 && c <= c1) {
                            assertEquals(0f, got, "the hole is in every channel");
                        } else {
                            same &= got == image[ch * H * W + r * W + c];
                            mirror &= got == image[ch * H * W + r * W + W - 1 - c];
                        }
                    }
                }
            }
            assertTrue(same || mirror, "outside the hole the image, flipped or not");
            flips += mirror ? 1 : 0;
        }
        assertEquals(H * W, centres.size(), "every pixel is drawn as a centre");
        assertTrue(flips > n / 3 && flips < 2 * n / 3, "about half flipped: " + flips);
    }

    @Test
    void cutoutFillsTheSameSquaresWithTheGivenPixelValue() {
        float[] image = randomImage();
        int n = 200;
        ImageSet black = copies(image, n);
        ImageSet grey = copies(image, n);
        DataConfig.Shift none = DataConfig.Shift.NONE;
        new ImageAugmenter(new DataConfig.Augmentation(true, none, none, 0, 0, 4), TensorShape.of(H, W, C), 3).apply(black, 1, 2);
        new ImageAugmenter(new DataConfig.Augmentation(true, none, none, 0, 0, 4, 0.47), TensorShape.of(H, W, C), 3).apply(grey, 1, 2);
        int holes = 0;
        for (int j = 0; j < n * SIZE; j++) {
            float b = black.features()[j];
            float g = grey.features()[j];
            if (b == 0f) {
                assertEquals(0.47f, g, "a hole pixel takes the fill");
                holes++;
            } else {
                assertEquals(b, g, "the fill changes no draw: the same flips and squares, the rest of the image alone");
            }
        }
        assertTrue(holes >= n * C, "every image has a hole in each channel: " + holes);
    }
}
