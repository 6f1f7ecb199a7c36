package io.deepnets.report;

import io.deepnets.runs.AtomicFiles;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * An annotated heatmap as seaborn draws one for a grid search: one cell per pair of axis values, coloured with
 * the perceptual viridis map over the values shown, the value written in every cell, the axis values as labels
 * ({@code 1e-05} ... {@code 1e+01}). A diverged cell is hatched grey and says so; a point not run is blank.
 */
public final class Heatmap {
    /** Viridis at 0, 0.1, ..., 1 (matplotlib's table), interpolated linearly between. */
    private static final int[] VIRIDIS = {0x440154, 0x482475, 0x414487, 0x355f8d, 0x2a788e, 0x21918c, 0x22a884, 0x44bf70, 0x7ad151,
            0xbddf26, 0xfde725};

    private Heatmap() {
    }

    /** A cell's content: a value, a divergence, or nothing (not run). */
    public record Cell(Double value, boolean diverged) {
        public static final Cell EMPTY = new Cell(null, false);
    }

    /**
     * Draws {@code cells[row][column]}; rows are labelled by {@code rowLabels} (top to bottom), columns by
     * {@code columnLabels} (left to right).
     */
    public static void write(Path file, String title, String rowAxis, List<String> rowLabels, String columnAxis, List<String> columnLabels,
            Cell[][] cells) throws IOException {
        int rows = rowLabels.size();
        int cols = columnLabels.size();
        int cell = Math.max(44, Math.min(96, 760 / Math.max(rows, cols)));
        int left = 150;
        int top = 70;
        int bar = 90;
        int width = left + cols * cell + bar + 40;
        int height = top + rows * cell + 110;
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = Figures.graphics(img);
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (Cell[] row : cells) {
            for (Cell c : row) {
                if (c.value() != null) {
                    lo = Math.min(lo, c.value());
                    hi = Math.max(hi, c.value());
                }
            }
        }
        if (lo > hi) {
            lo = 0;
            hi = 1;
        }
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
        Figures.centered(g, title, width / 2, 32);
        Font cellFont = new Font(Font.SANS_SERIF, Font.PLAIN, Math.max(11, cell / 4));
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                int x = left + c * cell;
                int y = top + r * cell;
                Cell v = cells[r][c];
                g.setFont(cellFont);
                if (v.diverged()) {
                    g.setColor(new Color(200, 200, 200));
                    g.fillRect(x, y, cell, cell);
                    g.setColor(new Color(120, 120, 120));
                    g.setStroke(new BasicStroke(1f));
                    for (int k = -cell; k < cell; k += 8) {
                        g.drawLine(x + Math.max(0, k), y + Math.max(0, -k), x + Math.min(cell, cell + k), y + Math.min(cell, cell - k));
                    }
                    g.setColor(Color.BLACK);
                    Font small = cellFont;
                    while (small.getSize() > 8 && g.getFontMetrics(small).stringWidth("diverged") > cell - 6) {
                        small = small.deriveFont((float) small.getSize() - 1);
                    }
                    g.setFont(small);
                    Figures.centered(g, "diverged", x + cell / 2, y + cell / 2 + 5);
                } else if (v.value() == null) {
                    g.setColor(Color.WHITE);
                    g.fillRect(x, y, cell, cell);
                    g.setColor(Color.GRAY);
                    Figures.centered(g, "-", x + cell / 2, y + cell / 2 + 5);
                } else {
                    double t = hi > lo ? (v.value() - lo) / (hi - lo) : 0.5;
                    Color fill = viridis(t);
                    g.setColor(fill);
                    g.fillRect(x, y, cell, cell);
                    g.setColor(luminance(fill) > 0.5 ? Color.BLACK : Color.WHITE);
                    Figures.centered(g, String.format(Locale.ROOT, "%.2f", v.value()), x + cell / 2, y + cell / 2 + 5);
                }
                g.setColor(Color.WHITE);
                g.setStroke(new BasicStroke(1f));
                g.drawRect(x, y, cell, cell);
            }
        }
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        for (int r = 0; r < rows; r++) {
            String label = rowLabels.get(r);
            g.drawString(label, left - 10 - g.getFontMetrics().stringWidth(label), top + r * cell + cell / 2 + 5);
        }
        for (int c = 0; c < cols; c++) {
            Figures.centered(g, columnLabels.get(c), left + c * cell + cell / 2, top + rows * cell + 22);
        }
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        Figures.centered(g, columnAxis, left + cols * cell / 2, top + rows * cell + 55);
        Graphics2D rotated = (Graphics2D) g.create();
        rotated.rotate(-Math.PI / 2);
        Figures.centered(rotated, rowAxis, -(top + rows * cell / 2), 30);
        rotated.dispose();
        int bx = left + cols * cell + 30;
        for (int k = 0; k < rows * cell; k++) {
            g.setColor(viridis(1.0 - k / (double) (rows * cell)));
            g.drawLine(bx, top + k, bx + 20, top + k);
        }
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        g.drawString(String.format(Locale.ROOT, "%.2f", hi), bx + 25, top + 10);
        g.drawString(String.format(Locale.ROOT, "%.2f", lo), bx + 25, top + rows * cell);
        g.dispose();
        AtomicFiles.write(file, out -> javax.imageio.ImageIO.write(img, "png", out));
    }

    /** Viridis at {@code t} in [0, 1]. */
    static Color viridis(double t) {
        double x = Math.max(0, Math.min(1, t)) * (VIRIDIS.length - 1);
        int i = Math.min(VIRIDIS.length - 2, (int) x);
        double f = x - i;
        int a = VIRIDIS[i];
        int b = VIRIDIS[i + 1];
        return new Color(mix(a >> 16, b >> 16, f), mix((a >> 8) & 0xFF, (b >> 8) & 0xFF, f), mix(a & 0xFF, b & 0xFF, f));
    }

    private static int mix(int a, int b, double f) {
        return (int) Math.round((a & 0xFF) + ((b & 0xFF) - (a & 0xFF)) * f);
    }

    private static double luminance(Color c) {
        return (0.299 * c.getRed() + 0.587 * c.getGreen() + 0.114 * c.getBlue()) / 255;
    }
}
