package io.deepnets.explain;

import java.awt.image.BufferedImage;

/**
 * Explanation maps as pictures: a map in [0, 1] coloured with a heat scale (black-red-yellow-white, as matplotlib's
 * "hot"), alone or blended over the image the network saw.
 */
public final class Overlays {
    private Overlays() {
    }

    /** The map alone, {@code width x height}, coloured. */
    public static BufferedImage heat(float[] map, int height, int width) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                img.setRGB(x, y, hot(map[y * width + x]));
            }
        }
        return img;
    }

    /** The image with the map over it: each pixel {@code 0.4 * image + 0.6 * hot(m)} (the image stays visible under the heat, white ink included). */
    public static BufferedImage over(BufferedImage seen, float[] map) {
        int w = seen.getWidth();
        int h = seen.getHeight();
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                float m = Math.max(0, Math.min(1, map[y * w + x]));
                int base = seen.getRGB(x, y);
                int heat = hot(m);
                double a = 0.6;
                int r = (int) Math.round((1 - a) * ((base >> 16) & 255) + a * ((heat >> 16) & 255));
                int g = (int) Math.round((1 - a) * ((base >> 8) & 255) + a * ((heat >> 8) & 255));
                int b = (int) Math.round((1 - a) * (base & 255) + a * (heat & 255));
                img.setRGB(x, y, (r << 16) | (g << 8) | b);
            }
        }
        return img;
    }

    /** {@code img} enlarged by the whole factor that brings its longer side nearest {@code side} pixels from below (at least 1). */
    public static BufferedImage enlargedTo(BufferedImage img, int side) {
        return enlarge(img, Math.max(1, side / Math.max(img.getWidth(), img.getHeight())));
    }

    /** Scales {@code img} by a whole factor with nearest-neighbour sampling (pixels stay visible as squares). */
    public static BufferedImage enlarge(BufferedImage img, int factor) {
        BufferedImage out = new BufferedImage(img.getWidth() * factor, img.getHeight() * factor, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < out.getHeight(); y++) {
            for (int x = 0; x < out.getWidth(); x++) {
                out.setRGB(x, y, img.getRGB(x / factor, y / factor));
            }
        }
        return out;
    }

    /** matplotlib's "hot" colour map at {@code v} in [0, 1]. */
    static int hot(float v) {
        double t = Math.max(0, Math.min(1, v));
        int r = (int) Math.round(255 * Math.min(1, t / 0.365));
        int g = (int) Math.round(255 * Math.max(0, Math.min(1, (t - 0.365) / 0.381)));
        int b = (int) Math.round(255 * Math.max(0, Math.min(1, (t - 0.746) / 0.254)));
        return (r << 16) | (g << 8) | b;
    }
}
