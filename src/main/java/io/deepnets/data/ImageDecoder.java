package io.deepnets.data;

import io.deepnets.config.DataConfig;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Decodes one photo with Java's own ImageIO (PNG, JPEG, BMP, GIF; no OpenCV natives) and makes it the network's
 * input: {@code channels x height x width} floats in [0, 1], channels first. What Keras's
 * {@code image_dataset_from_directory} does, stated: alpha is dropped (not composited), grey from RGB is ITU-R 601
 * luma ({@code 0.2989 R + 0.5870 G + 0.1140 B}, TensorFlow's {@code rgb_to_grayscale}), resizing is bilinear with
 * half-pixel centres and no antialiasing ({@code tf.image.resize(method='bilinear')}), and the aspect ratio is
 * handled by {@link DataConfig.ImageFolder#resize()}.
 */
public final class ImageDecoder {
    /** The most pixels one source photo may have (a 100-megapixel photo decodes to 400 MB of ints). */
    public static final long MAX_SOURCE_PIXELS = 100_000_000L;

    private final int height;
    private final int width;
    private final int channels;
    private final String resize;

    public ImageDecoder(DataConfig.ImageFolder folder) {
        this(folder.height(), folder.width(), folder.channels(), folder.resize());
    }

    public ImageDecoder(int height, int width, int channels, String resize) {
        this.height = height;
        this.width = width;
        this.channels = channels;
        this.resize = resize;
    }

    /** Floats per decoded image. */
    public int featureSize() {
        return height * width * channels;
    }

    /** Decodes {@code file} into {@code out[offset ..]}; a file that is not a readable image throws with the reason. */
    public void decode(Path file, float[] out, int offset) throws BadImageException {
        BufferedImage img = read(file);
        int sw = img.getWidth();
        int sh = img.getHeight();
        float[] src = planes(img);
        resizeInto(src, sh, sw, out, offset);
    }

    /** Makes an already decoded image the network's input, as {@link #decode(Path, float[], int)} does for a file. */
    public float[] prepare(BufferedImage img) {
        float[] out = new float[featureSize()];
        resizeInto(planes(img), img.getHeight(), img.getWidth(), out, 0);
        return out;
    }

    /** What is wrong with a file that is not a usable image; each caller words it its own way. */
    public enum Problem {
        /** A file of 0 bytes. */
        EMPTY_FILE,
        /** No ImageIO reader recognises the file. */
        NOT_AN_IMAGE,
        /** Its header claims more pixels than the caller accepts (nothing decoded). */
        TOO_LARGE,
        /** It decodes to nothing. */
        NO_PIXELS,
        /** It cannot be read or decoded (truncated, corrupt, a colour model ImageIO's readers do not convert). */
        UNDECODABLE
    }

    /** The unreadable-file reason, one line; {@link #width()} and {@link #height()} are the header's for TOO_LARGE. */
    public static final class BadImageException extends Exception {
        private final Problem problem;
        private final int width;
        private final int height;

        BadImageException(Problem problem, String message) {
            this(problem, message, 0, 0);
        }

        BadImageException(Problem problem, String message, int width, int height) {
            super(message);
            this.problem = problem;
            this.width = width;
            this.height = height;
        }

        public Problem problem() {
            return problem;
        }

        public int width() {
            return width;
        }

        public int height() {
            return height;
        }
    }

    static BufferedImage read(Path file) throws BadImageException {
        return read(file, MAX_SOURCE_PIXELS);
    }

    /**
     * Decodes {@code file} with ImageIO, its header's size checked against {@code maxPixels} before any pixel is
     * decoded, so that a file claiming 100,000 x 100,000 pixels is refused instead of filling the heap.
     */
    public static BufferedImage read(Path file, long maxPixels) throws BadImageException {
        try {
            if (Files.size(file) == 0) {
                throw new BadImageException(Problem.EMPTY_FILE, "the file is empty");
            }
        } catch (IOException e) {
            throw new BadImageException(Problem.UNDECODABLE, "cannot read (" + io.deepnets.FailureText.describe(e) + ")");
        }
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, maxPixels);
        } catch (IOException e) {
            throw new BadImageException(Problem.UNDECODABLE, "cannot read (" + io.deepnets.FailureText.describe(e) + ")");
        }
    }

    /** As {@link #read(Path, long)} for an image already in memory (an upload). */
    public static BufferedImage read(byte[] bytes, long maxPixels) throws BadImageException {
        if (bytes.length == 0) {
            throw new BadImageException(Problem.EMPTY_FILE, "the file is empty");
        }
        return read(new java.io.ByteArrayInputStream(bytes), maxPixels);
    }

    private static BufferedImage read(InputStream in, long maxPixels) throws BadImageException {
        try (ImageInputStream iis = ImageIO.createImageInputStream(in)) {
            var readers = iis == null ? java.util.Collections.<ImageReader>emptyIterator() : ImageIO.getImageReaders(iis);
            if (!readers.hasNext()) {
                throw new BadImageException(Problem.NOT_AN_IMAGE, "not an image Java can read (expected PNG, JPEG, BMP or GIF)");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(iis, true, true);
                int w = reader.getWidth(0);
                int h = reader.getHeight(0);
                if ((long) w * h > maxPixels) {
                    throw new BadImageException(Problem.TOO_LARGE, w + "x" + h + " pixels, more than the " + maxPixels / 1_000_000
                            + " megapixels accepted", w, h);
                }
                BufferedImage img = reader.read(0);
                if (img == null || img.getWidth() < 1 || img.getHeight() < 1) {
                    throw new BadImageException(Problem.NO_PIXELS, "the image has no pixels");
                }
                return img;
            } finally {
                reader.dispose();
            }
        } catch (BadImageException e) {
            throw e;
        } catch (javax.imageio.IIOException e) {
            // ImageIO's own words: truncated data, "Unsupported Image Type" for a colour model its reader cannot convert, ...
            throw new BadImageException(Problem.UNDECODABLE, "cannot decode (" + io.deepnets.FailureText.describe(e) + ")");
        } catch (IOException e) {
            throw new BadImageException(Problem.UNDECODABLE, "cannot read (" + io.deepnets.FailureText.describe(e) + ")");
        } catch (RuntimeException e) {
            // A reader that fails inside (an index out of bounds on a corrupt GIF or BMP) says nothing a user can act on.
            throw new BadImageException(Problem.UNDECODABLE, "cannot decode (corrupt image data)");
        }
    }

    /** Channels-first floats in [0, 1] at {@code offset} as a picture: grey for one channel, RGB from three planes. */
    public static BufferedImage picture(float[] pixels, int offset, io.deepnets.config.TensorShape shape) {
        int h = shape.height();
        int w = shape.width();
        int n = h * w;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int r = toByte(pixels[offset + y * w + x]);
                int g = shape.channels() >= 3 ? toByte(pixels[offset + n + y * w + x]) : r;
                int b = shape.channels() >= 3 ? toByte(pixels[offset + 2 * n + y * w + x]) : r;
                img.setRGB(x, y, (r << 16) | (g << 8) | b);
            }
        }
        return img;
    }

    private static int toByte(float v) {
        return Math.max(0, Math.min(255, Math.round(v * 255f)));
    }

    /**
     * The source image as {@code channels} planes of floats in [0, 1]. Grey images are read from their raster (Java's
     * grey colour space is linear, so {@code getRGB} would apply a gamma curve to them); everything else through
     * {@code getRGB}, which converts palettes and colour models to 8-bit sRGB and leaves alpha aside.
     */
    private float[] planes(BufferedImage img) {
        int w = img.getWidth();
        int h = img.getHeight();
        int n = w * h;
        float[] out = new float[n * channels];
        Raster raster = img.getRaster();
        boolean grey = raster.getNumBands() <= 2 && !(img.getColorModel() instanceof IndexColorModel);
        if (grey) {
            int bits = img.getColorModel().getComponentSize(0);
            float max = (float) ((1L << bits) - 1);
            int[] row = new int[w];
            for (int y = 0; y < h; y++) {
                raster.getSamples(0, y, w, 1, 0, row);
                for (int x = 0; x < w; x++) {
                    float v = row[x] / max;
                    for (int c = 0; c < channels; c++) {
                        out[c * n + y * w + x] = v;
                    }
                }
            }
            return out;
        }
        int[] rgb = new int[w];
        for (int y = 0; y < h; y++) {
            img.getRGB(0, y, w, 1, rgb, 0, w);
            for (int x = 0; x < w; x++) {
                int p = rgb[x];
                float r = ((p >> 16) & 0xFF) / 255f;
                float g = ((p >> 8) & 0xFF) / 255f;
                float b = (p & 0xFF) / 255f;
                if (channels == 3) {
                    out[y * w + x] = r;
                    out[n + y * w + x] = g;
                    out[2 * n + y * w + x] = b;
                } else {
                    out[y * w + x] = 0.2989f * r + 0.5870f * g + 0.1140f * b;
                }
            }
        }
        return out;
    }

    /** Resizes the planes of an {@code sh x sw} image into the target size by the configured method. */
    void resizeInto(float[] src, int sh, int sw, float[] out, int offset) {
        // The source window (crop) and the target window (pad) in their own pixel units.
        double cropY = 0;
        double cropX = 0;
        double cropH = sh;
        double cropW = sw;
        int padTop = 0;
        int padLeft = 0;
        int innerH = height;
        int innerW = width;
        double target = (double) width / height;
        double source = (double) sw / sh;
        if ("crop".equals(resize)) {
            if (source > target) {
                cropW = sh * target;
                cropX = (sw - cropW) / 2;
            } else {
                cropH = sw / target;
                cropY = (sh - cropH) / 2;
            }
        } else if ("pad".equals(resize)) {
            if (source > target) {
                innerH = Math.max(1, (int) Math.round(width / source));
                padTop = (height - innerH) / 2;
            } else {
                innerW = Math.max(1, (int) Math.round(height * source));
                padLeft = (width - innerW) / 2;
            }
        }
        int n = height * width;
        int sn = sh * sw;
        for (int c = 0; c < channels; c++) {
            int plane = offset + c * n;
            java.util.Arrays.fill(out, plane, plane + n, 0f);
            for (int y = 0; y < innerH; y++) {
                double sy = cropY + (y + 0.5) * cropH / innerH - 0.5;
                int y0 = (int) Math.floor(sy);
                double fy = sy - y0;
                int ya = clamp(y0, sh);
                int yb = clamp(y0 + 1, sh);
                for (int x = 0; x < innerW; x++) {
                    double sx = cropX + (x + 0.5) * cropW / innerW - 0.5;
                    int x0 = (int) Math.floor(sx);
                    double fx = sx - x0;
                    int xa = clamp(x0, sw);
                    int xb = clamp(x0 + 1, sw);
                    int base = c * sn;
                    double top = src[base + ya * sw + xa] * (1 - fx) + src[base + ya * sw + xb] * fx;
                    double bottom = src[base + yb * sw + xa] * (1 - fx) + src[base + yb * sw + xb] * fx;
                    out[plane + (y + padTop) * width + x + padLeft] = (float) (top * (1 - fy) + bottom * fy);
                }
            }
        }
    }

    private static int clamp(int v, int size) {
        return v < 0 ? 0 : v >= size ? size - 1 : v;
    }
}
