package io.deepnets.report;

import io.deepnets.config.TensorShape;
import io.deepnets.data.ImageDecoder;
import io.deepnets.data.ImageSet;
import io.deepnets.runs.AtomicFiles;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/** Figures drawn directly with Java2D: the confusion-matrix heatmap and image galleries. */
public final class Figures {
    private Figures() {
    }

    /** A labelled tile of an image gallery. */
    public record Tile(int index, String caption) {
    }

    /**
     * The confusion matrix as a heatmap: colour is the fraction of the true class's samples (row-normalised),
     * the cell text is the count, class names on both axes.
     */
    public static void confusion(Path file, String title, List<String> names, long[][] counts) throws IOException {
        int k = names.size();
        int cell = k <= 10 ? 62 : Math.max(24, 620 / k);
        BufferedImage probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D pg = probe.createGraphics();
        pg.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 15));
        int labelWidth = 0;
        for (String n : names) {
            labelWidth = Math.max(labelWidth, pg.getFontMetrics().stringWidth(n));
        }
        pg.dispose();
        int left = labelWidth + 70;
        int top = 70;
        int bottom = labelWidth + 60;
        int width = left + k * cell + 40;
        int height = top + k * cell + bottom;
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = graphics(img);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 19));
        centered(g, title, width / 2, 32);
        for (int t = 0; t < k; t++) {
            long rowSum = 0;
            for (long c : counts[t]) {
                rowSum += c;
            }
            for (int p = 0; p < k; p++) {
                double frac = rowSum == 0 ? 0 : (double) counts[t][p] / rowSum;
                g.setColor(blues(frac));
                int x = left + p * cell;
                int y = top + t * cell;
                g.fillRect(x, y, cell, cell);
                g.setColor(new Color(200, 200, 200));
                g.drawRect(x, y, cell, cell);
                g.setColor(frac > 0.5 ? Color.WHITE : Color.BLACK);
                g.setFont(new Font(Font.SANS_SERIF, counts[t][p] > 0 && t == p ? Font.BOLD : Font.PLAIN, cell >= 50 ? 15 : 11));
                centered(g, String.valueOf(counts[t][p]), x + cell / 2, y + cell / 2 + 5);
            }
        }
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 15));
        FontMetrics fm = g.getFontMetrics();
        for (int i = 0; i < k; i++) {
            String n = names.get(i);
            g.drawString(n, left - 8 - fm.stringWidth(n), top + i * cell + cell / 2 + 5);
            AffineTransform saved = g.getTransform();
            g.translate(left + i * cell + cell / 2 + 5, top + k * cell + 8);
            g.rotate(Math.PI / 2);
            g.drawString(n, 0, 0);
            g.setTransform(saved);
        }
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        centered(g, "predicted class", left + k * cell / 2, height - 16);
        AffineTransform saved = g.getTransform();
        g.translate(22, top + k * cell / 2);
        g.rotate(-Math.PI / 2);
        centered(g, "true class", 0, 0);
        g.setTransform(saved);
        g.dispose();
        writePng(file, img);
    }

    /** White (0) to dark blue (1). */
    static Color blues(double v) {
        v = Math.max(0, Math.min(1, v));
        int r = (int) Math.round(247 - v * (247 - 8));
        int gr = (int) Math.round(251 - v * (251 - 48));
        int b = (int) Math.round(255 - v * (255 - 107));
        return new Color(r, gr, b);
    }

    /**
     * A grid of images from {@code set}, each scaled up and captioned. {@code columns} tiles per row.
     */
    public static void gallery(Path file, String title, ImageSet set, TensorShape shape, List<Tile> tiles, int columns) throws IOException {
        int scale = Math.max(2, 96 / Math.max(shape.height(), shape.width()));
        int tw = shape.width() * scale;
        int th = shape.height() * scale;
        int cellW = Math.max(tw, 170) + 12;
        int cellH = th + 52;
        int rows = Math.max(1, (tiles.size() + columns - 1) / columns);
        int width = columns * cellW + 20;
        int height = 60 + rows * cellH + 10;
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = graphics(img);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 19));
        centered(g, title, width / 2, 34);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        for (int i = 0; i < tiles.size(); i++) {
            int x = 10 + (i % columns) * cellW + (cellW - tw) / 2;
            int y = 55 + (i / columns) * cellH;
            BufferedImage sample = toImage(set, tiles.get(i).index(), shape);
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
            g.drawImage(sample, x, y, tw, th, null);
            g.setColor(new Color(180, 180, 180));
            g.drawRect(x - 1, y - 1, tw + 1, th + 1);
            g.setColor(Color.BLACK);
            String[] lines = tiles.get(i).caption().split("\n");
            for (int l = 0; l < lines.length; l++) {
                centered(g, lines[l], 10 + (i % columns) * cellW + cellW / 2, y + th + 17 + 15 * l);
            }
        }
        g.dispose();
        writePng(file, img);
    }

    /** One sample as an image: grey for one channel, RGB from the channels-first planes for three. */
    public static BufferedImage toImage(ImageSet set, int index, TensorShape shape) {
        return set.isStreamed() ? ImageDecoder.picture(set.row(index), 0, shape) : ImageDecoder.picture(set.features(), index * set.featureSize(), shape);
    }

    static Graphics2D graphics(BufferedImage img) {
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        return g;
    }

    static void centered(Graphics2D g, String text, int cx, int baseline) {
        g.drawString(text, cx - g.getFontMetrics().stringWidth(text) / 2, baseline);
    }

    static String percent(double p) {
        return String.format(Locale.ROOT, "%.0f%%", p * 100);
    }

    public static void writePng(Path file, BufferedImage img) throws IOException {
        AtomicFiles.write(file, out -> {
            if (!ImageIO.write(img, "png", out)) {
                throw new IOException("no PNG writer available");
            }
        });
    }
}
