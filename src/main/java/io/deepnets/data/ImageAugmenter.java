package io.deepnets.data;

import io.deepnets.config.DataConfig;
import io.deepnets.config.TensorShape;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Keras's {@code ImageDataGenerator} random transform on training batches, in Java on the float arrays: per image a
 * rotation in [-rotation, rotation] degrees, a vertical and a horizontal shift as {@link DataConfig.Shift} draws them
 * (uniform in [-shift, shift) x size for a fraction, whole pixels for Keras's integer form), zooms {@code zx, zy} drawn independently from [1 - zoom, 1 + zoom], one
 * affine map about the image centre (rotation, then shift, then zoom, as Keras composes them), sampled bilinearly
 * (scipy's {@code order=1}) with points outside the image filled as {@code fill_mode} says (the nearest edge pixel,
 * {@code cval}, the image reflected about its edge or repeated; {@link DataConfig.Augmentation}), then a
 * horizontal flip with probability 1/2. A transform of whole-pixel shifts (and flips) alone samples every point at a
 * pixel, so it moves pixels without blending them. Last, with {@code cutout} L, DeVries and Taylor's cutout as their
 * reference code draws it: a centre (y, x) uniform over the pixels, rows {@code clip(y - L/2, 0, h)} to
 * {@code clip(y + L/2, 0, h)} (end excluded, L/2 rounded down) and the same for columns set to the fill (0 unless
 * {@code cutout_fill} says otherwise) in every channel.
 *
 * <p>The draws come from a generator seeded by (seed, epoch, step): the same seed gives the same augmented batches,
 * and a resumed run continues with the batches the uninterrupted one would have seen. Only the trainer calls it, on
 * copies of training batches; validation and test images are never touched.
 */
public final class ImageAugmenter {
    private final DataConfig.Augmentation settings;
    private final int height;
    private final int width;
    private final int channels;
    private final long seed;
    /** The index of {@code settings.fillMode()} in {@link DataConfig.Augmentation#FILL_MODES}, for the pixel loop. */
    private final int fillMode;
    private final float cval;

    public ImageAugmenter(DataConfig.Augmentation settings, TensorShape shape, long seed) {
        if (!shape.isImage()) {
            throw new IllegalArgumentException("augmentation needs images, got " + shape);
        }
        this.settings = settings;
        this.height = shape.height();
        this.width = shape.width();
        this.channels = shape.channels();
        this.seed = seed;
        this.fillMode = FILL_MODES.indexOf(settings.fillMode());
        this.cval = (float) settings.cval();
    }

    /** Transforms every image of {@code batch} in place; the draws depend only on (seed, epoch, step). */
    public void apply(ImageSet batch, int epoch, int step) {
        SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + epoch * 1_000_003L + step);
        float[] f = batch.features();
        float[] scratch = new float[batch.featureSize()];
        for (int i = 0; i < batch.count(); i++) {
            transform(f, i * batch.featureSize(), scratch, random);
        }
    }

    private static double uniform(SplittableRandom r, double range) {
        return range > 0 ? r.nextDouble(-range, range) : 0.0;
    }

    /** One shift in pixels, drawn as Keras draws it: whole pixels for an integer range, else uniform (a fraction of {@code size} below 1). */
    private static double shift(SplittableRandom r, DataConfig.Shift shift, int size) {
        if (shift.wholePixels()) {
            if (shift.range() == 0) {
                return 0.0;
            }
            int pixels = r.nextInt((int) shift.range());
            return r.nextBoolean() ? pixels : -pixels;
        }
        double d = uniform(r, shift.range());
        return shift.range() < 1 ? d * size : d;
    }

    /** One image: draws its transform in a fixed order (so a setting of zero does not shift the others' draws) and applies it. */
    void transform(float[] f, int offset, float[] scratch, SplittableRandom random) {
        double theta = Math.toRadians(uniform(random, settings.rotation()));
        double tx = shift(random, settings.heightShift(), height);
        double ty = shift(random, settings.widthShift(), width);
        double zx = settings.zoom() > 0 ? random.nextDouble(1 - settings.zoom(), 1 + settings.zoom()) : 1;
        double zy = settings.zoom() > 0 ? random.nextDouble(1 - settings.zoom(), 1 + settings.zoom()) : 1;
        boolean flip = settings.horizontalFlip() && random.nextDouble() < 0.5;
        boolean affine = theta != 0 || tx != 0 || ty != 0 || zx != 1 || zy != 1;
        if (affine) {
            // Input coordinate of output pixel (r, c): centre + R * (shift + Z * ((r, c) - centre)), Keras's
            // rotation @ shift @ zoom acting on (row, col).
            double cos = Math.cos(theta);
            double sin = Math.sin(theta);
            double m00 = cos * zx;
            double m01 = -sin * zy;
            double m10 = sin * zx;
            double m11 = cos * zy;
            double sr = cos * tx - sin * ty;
            double sc = sin * tx + cos * ty;
            double cr = height / 2.0 - 0.5;
            double cc = width / 2.0 - 0.5;
            int n = height * width;
            System.arraycopy(f, offset, scratch, 0, channels * n);
            for (int r = 0; r < height; r++) {
                for (int c = 0; c < width; c++) {
                    double dr = r - cr;
                    double dc = c - cc;
                    double ir = cr + m00 * dr + m01 * dc + sr;
                    double ic = cc + m10 * dr + m11 * dc + sc;
                    if (fillMode == CONSTANT && (ir < 0 || ir > height - 1 || ic < 0 || ic > width - 1)) {
                        // scipy's mode='constant': no interpolation beyond the edges, the point takes cval whole.
                        for (int ch = 0; ch < channels; ch++) {
                            f[offset + ch * n + r * width + c] = cval;
                        }
                        continue;
                    }
                    int r0 = (int) Math.floor(ir);
                    int c0 = (int) Math.floor(ic);
                    double fr = ir - r0;
                    double fc = ic - c0;
                    int ra = inside(r0, height, fillMode);
                    int rb = inside(r0 + 1, height, fillMode);
                    int ca = inside(c0, width, fillMode);
                    int cb = inside(c0 + 1, width, fillMode);
                    for (int ch = 0; ch < channels; ch++) {
                        int p = ch * n;
                        double top = scratch[p + ra * width + ca] * (1 - fc) + scratch[p + ra * width + cb] * fc;
                        double bottom = scratch[p + rb * width + ca] * (1 - fc) + scratch[p + rb * width + cb] * fc;
                        f[offset + p + r * width + c] = (float) (top * (1 - fr) + bottom * fr);
                    }
                }
            }
        }
        if (flip) {
            MirrorImage.mirror(f, offset, channels, height, width);
        }
        if (settings.cutout() > 0) {
            // Drawn after the others, so that a file without cutout draws (and trains) exactly as before.
            int y = random.nextInt(height);
            int x = random.nextInt(width);
            int half = settings.cutout() / 2;
            int r0 = Math.max(0, y - half);
            int r1 = Math.min(height, y + half);
            int c0 = Math.max(0, x - half);
            int c1 = Math.min(width, x + half);
            float fill = (float) settings.cutoutFill();
            for (int ch = 0; ch < channels; ch++) {
                for (int r = r0; r < r1; r++) {
                    int row = offset + ch * height * width + r * width;
                    Arrays.fill(f, row + c0, row + c1, fill);
                }
            }
        }
    }

    private static final List<String> FILL_MODES = DataConfig.Augmentation.FILL_MODES;
    private static final int CONSTANT = FILL_MODES.indexOf("constant");
    private static final int REFLECT = FILL_MODES.indexOf("reflect");
    private static final int WRAP = FILL_MODES.indexOf("wrap");

    /**
     * The pixel that index {@code v} (possibly outside [0, size)) reads: reflected about the edge (scipy's
     * {@code reflect}, "dcba|abcd|dcba"), repeated ({@code wrap}), else the nearest edge pixel. A constant fill reaches
     * here only for a point inside [0, size - 1], whose neighbour past the last pixel carries weight 0: the edge is
     * read for it.
     */
    private static int inside(int v, int size, int mode) {
        if (v >= 0 && v < size) {
            return v;
        }
        if (mode == REFLECT) {
            int m = Math.floorMod(v, 2 * size);
            return m < size ? m : 2 * size - 1 - m;
        }
        if (mode == WRAP) {
            return Math.floorMod(v, size);
        }
        return v < 0 ? 0 : size - 1;
    }
}
