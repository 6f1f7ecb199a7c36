package io.deepnets.predict;

import io.deepnets.BadInputException;
import io.deepnets.config.TensorShape;
import io.deepnets.data.ImageDecoder;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Turns an image file into what a model takes: grey or RGB, the model's size with the aspect ratio kept
 * (padded, never stretched), pixels in [0, 1], channels-first. For grey (MNIST-style) models the image is
 * inverted when its background is light (ink on paper; MNIST is white on black), and the ink is placed as
 * MNIST was made: its bounding box scaled into a 20x20 box, centred by its centre of mass in 28x28.
 */
public final class ImagePreprocessor {
    /** Whether to invert grey images: always, never, or when the border is lighter than mid-grey. */
    public enum Invert {
        YES, NO, AUTO;

        /** {@code yes}, {@code no} or {@code auto}, as typed after {@code --invert}. */
        public static Invert parse(String text) {
            return switch (text == null ? "" : text.trim().toLowerCase(java.util.Locale.ROOT)) {
                case "yes" -> YES;
                case "no" -> NO;
                case "auto" -> AUTO;
                default -> throw new BadInputException("--invert: expected yes, no or auto, got '" + text + "'");
            };
        }
    }

    private ImagePreprocessor() {
    }

    /** The network's input and the image as the network sees it (for --show-input). */
    public record Prepared(float[] pixels, BufferedImage seen, boolean inverted) {
    }

    /** The most pixels an image may have (e.g. 8000 x 5000): decoding is refused above it, before any allocation. */
    public static final long MAX_PIXELS = 40_000_000L;

    /**
     * Decodes {@code file} with Java's ImageIO. The size in its header is checked first, so a file that claims
     * 100,000 x 100,000 pixels is refused instead of filling the heap; a damaged file is one line naming it.
     */
    public static BufferedImage read(Path file) {
        if (!Files.exists(file)) {
            throw new BadInputException(file + ": no such file");
        }
        if (!Files.isRegularFile(file)) {
            throw new BadInputException(file + ": not a regular file; expected an image (PNG, JPG, BMP, GIF)");
        }
        try {
            return ImageDecoder.read(file, MAX_PIXELS);
        } catch (ImageDecoder.BadImageException e) {
            throw explained(file.toString(), e);
        }
    }

    /** As {@link #read(Path)} for an image already in memory (an upload), called {@code name} in messages. */
    public static BufferedImage read(byte[] bytes, String name) {
        try {
            return ImageDecoder.read(bytes, MAX_PIXELS);
        } catch (ImageDecoder.BadImageException e) {
            throw explained(name, e);
        }
    }

    private static BadInputException explained(String name, ImageDecoder.BadImageException e) {
        return new BadInputException(name + ": " + switch (e.problem()) {
            case EMPTY_FILE, NOT_AN_IMAGE -> "not an image this program can read (PNG, JPG, BMP, GIF)";
            case TOO_LARGE -> e.width() + "x" + e.height() + " pixels is too large (at most "
                    + String.format(java.util.Locale.ROOT, "%,d", MAX_PIXELS) + " pixels); scale the image down";
            case NO_PIXELS -> "the image is empty";
            case UNDECODABLE -> "unreadable image (truncated, corrupt, or a kind ImageIO cannot decode)";
        });
    }

    public static Prepared prepare(BufferedImage img, TensorShape shape, Invert invert) {
        if (shape.channels() == 1) {
            return grey(img, shape, invert);
        }
        if (shape.channels() == 3) {
            return rgb(img, shape);
        }
        throw new BadInputException("the model takes images of " + shape.channels() + " channels; only grey (1) and RGB (3) are supported");
    }

    private static Prepared grey(BufferedImage img, TensorShape shape, Invert invert) {
        int w = img.getWidth();
        int h = img.getHeight();
        float[] lum = new float[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int argb = img.getRGB(x, y);
                float a = ((argb >>> 24) & 0xFF) / 255f;
                float r = (argb >> 16) & 0xFF;
                float g = (argb >> 8) & 0xFF;
                float b = argb & 0xFF;
                float v = (0.299f * r + 0.587f * g + 0.114f * b) / 255f;
                lum[y * w + x] = img.getColorModel().hasAlpha() ? v * a + (1 - a) : v;  // transparent = paper
            }
        }
        boolean flip = switch (invert) {
            case YES -> true;
            case NO -> false;
            case AUTO -> borderMean(lum, w, h) > 0.5f;
        };
        if (flip) {
            for (int i = 0; i < lum.length; i++) {
                lum[i] = 1f - lum[i];
            }
        }
        // Ink bounding box (pixels clearly above the background).
        float max = 0;
        for (float v : lum) {
            max = Math.max(max, v);
        }
        float threshold = Math.max(0.1f, 0.25f * max);
        int x0 = w, y0 = h, x1 = -1, y1 = -1;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if (lum[y * w + x] > threshold) {
                    x0 = Math.min(x0, x);
                    y0 = Math.min(y0, y);
                    x1 = Math.max(x1, x);
                    y1 = Math.max(y1, y);
                }
            }
        }
        int th = shape.height();
        int tw = shape.width();
        BufferedImage seen = new BufferedImage(tw, th, BufferedImage.TYPE_BYTE_GRAY);
        if (x1 < 0) {
            return new Prepared(new float[th * tw], seen, flip);
        }
        BufferedImage ink = new BufferedImage(x1 - x0 + 1, y1 - y0 + 1, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = y0; y <= y1; y++) {
            for (int x = x0; x <= x1; x++) {
                int v = Math.round(Math.max(0, Math.min(1, lum[y * w + x])) * 255);
                ink.getRaster().setSample(x - x0, y - y0, 0, v);
            }
        }
        // MNIST: the digit fitted into 20x20 of 28x28 (scaled by the same box ratio for other sizes).
        int boxH = Math.max(1, Math.round(th * 20f / 28f));
        int boxW = Math.max(1, Math.round(tw * 20f / 28f));
        double scale = Math.min((double) boxW / ink.getWidth(), (double) boxH / ink.getHeight());
        int sw = Math.max(1, (int) Math.round(ink.getWidth() * scale));
        int sh = Math.max(1, (int) Math.round(ink.getHeight() * scale));
        BufferedImage scaled = resize(ink, sw, sh, BufferedImage.TYPE_BYTE_GRAY);
        double mx = 0, my = 0, mass = 0;
        for (int y = 0; y < sh; y++) {
            for (int x = 0; x < sw; x++) {
                double v = scaled.getRaster().getSample(x, y, 0);
                mx += v * x;
                my += v * y;
                mass += v;
            }
        }
        int ox = (int) Math.round(tw / 2.0 - (mass > 0 ? mx / mass : sw / 2.0));
        int oy = (int) Math.round(th / 2.0 - (mass > 0 ? my / mass : sh / 2.0));
        ox = Math.max(0, Math.min(tw - sw, ox));
        oy = Math.max(0, Math.min(th - sh, oy));
        Graphics2D g = seen.createGraphics();
        g.setColor(Color.BLACK);
        g.fillRect(0, 0, tw, th);
        g.drawImage(scaled, ox, oy, null);
        g.dispose();
        float[] pixels = new float[th * tw];
        for (int y = 0; y < th; y++) {
            for (int x = 0; x < tw; x++) {
                pixels[y * tw + x] = seen.getRaster().getSample(x, y, 0) / 255f;
            }
        }
        return new Prepared(pixels, seen, flip);
    }

    private static Prepared rgb(BufferedImage img, TensorShape shape) {
        int th = shape.height();
        int tw = shape.width();
        double scale = Math.min((double) tw / img.getWidth(), (double) th / img.getHeight());
        int sw = Math.max(1, (int) Math.round(img.getWidth() * scale));
        int sh = Math.max(1, (int) Math.round(img.getHeight() * scale));
        BufferedImage scaled = resize(img, sw, sh, BufferedImage.TYPE_INT_RGB);
        BufferedImage seen = new BufferedImage(tw, th, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = seen.createGraphics();
        g.setColor(new Color(meanBorder(scaled)));
        g.fillRect(0, 0, tw, th);
        g.drawImage(scaled, (tw - sw) / 2, (th - sh) / 2, null);
        g.dispose();
        float[] pixels = new float[3 * th * tw];
        for (int y = 0; y < th; y++) {
            for (int x = 0; x < tw; x++) {
                int rgb = seen.getRGB(x, y);
                pixels[y * tw + x] = ((rgb >> 16) & 0xFF) / 255f;
                pixels[th * tw + y * tw + x] = ((rgb >> 8) & 0xFF) / 255f;
                pixels[2 * th * tw + y * tw + x] = (rgb & 0xFF) / 255f;
            }
        }
        return new Prepared(pixels, seen, false);
    }

    /** High-quality downscaling: halve repeatedly with bilinear filtering, then one last bilinear step. */
    static BufferedImage resize(BufferedImage src, int w, int h, int type) {
        BufferedImage current = src;
        int cw = src.getWidth();
        int ch = src.getHeight();
        do {
            cw = Math.max(w, cw / 2 >= w ? cw / 2 : w);
            ch = Math.max(h, ch / 2 >= h ? ch / 2 : h);
            BufferedImage next = new BufferedImage(cw, ch, type);
            Graphics2D g = next.createGraphics();
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
            g.drawImage(current, 0, 0, cw, ch, null);
            g.dispose();
            current = next;
        } while (cw != w || ch != h);
        return current;
    }

    private static float borderMean(float[] lum, int w, int h) {
        double sum = 0;
        int n = 0;
        for (int x = 0; x < w; x++) {
            sum += lum[x] + lum[(h - 1) * w + x];
            n += 2;
        }
        for (int y = 0; y < h; y++) {
            sum += lum[y * w] + lum[y * w + w - 1];
            n += 2;
        }
        return (float) (sum / n);
    }

    private static int meanBorder(BufferedImage img) {
        long r = 0, g = 0, b = 0, n = 0;
        for (int x = 0; x < img.getWidth(); x++) {
            for (int y : new int[] {0, img.getHeight() - 1}) {
                int rgb = img.getRGB(x, y);
                r += (rgb >> 16) & 0xFF;
                g += (rgb >> 8) & 0xFF;
                b += rgb & 0xFF;
                n++;
            }
        }
        return (int) (r / n) << 16 | (int) (g / n) << 8 | (int) (b / n);
    }
}
