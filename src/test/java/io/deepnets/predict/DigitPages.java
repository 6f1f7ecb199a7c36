package io.deepnets.predict;

import io.deepnets.data.ImageSet;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Photographs of handwritten pages, made from real MNIST test digits with a fixed seed: rows of different lengths,
 * black ink on light paper whose brightness drifts across the page, digits of varying size (scaled 1.4-2.8x) and
 * gaps, a slight vertical jitter, a 3x3 blur and Gaussian noise. Each page knows its digits' labels in reading order
 * and their ink boxes.
 */
public final class DigitPages {
    private DigitPages() {
    }

    /** One digit as placed: its MNIST label and the box of its ink on the page. */
    public record Placed(int label, int x, int y, int width, int height) {
    }

    /** A generated page and what is on it, line by line. */
    public record Page(BufferedImage image, List<List<Placed>> lines) {
        public int count() {
            return lines.stream().mapToInt(List::size).sum();
        }
    }

    /**
     * A page with {@code rows[i]} digits on line i, drawn from {@code digits} (MNIST test images, 28x28 white on black)
     * starting at {@code first}.
     */
    public static Page page(ImageSet digits, int first, int[] rows, long seed) {
        Random r = new Random(seed);
        int maxRow = 0;
        for (int n : rows) {
            maxRow = Math.max(maxRow, n);
        }
        int width = 80 + maxRow * 95;
        int height = 60 + rows.length * 110;
        float[] ink = new float[width * height];
        List<List<Placed>> lines = new ArrayList<>();
        int next = first;
        int baseline = 40;
        for (int n : rows) {
            List<Placed> line = new ArrayList<>();
            int x = 30 + r.nextInt(20);
            for (int i = 0; i < n; i++) {
                int index = next++ % digits.count();
                double scale = 1.4 + r.nextDouble() * 1.4;
                int side = (int) Math.round(28 * scale);
                int y = baseline + r.nextInt(11) - 5 + (int) ((2.8 - scale) * 14);
                float[] pixels = digits.row(index);
                int bx0 = Integer.MAX_VALUE;
                int by0 = Integer.MAX_VALUE;
                int bx1 = -1;
                int by1 = -1;
                for (int py = 0; py < side; py++) {
                    for (int px = 0; px < side; px++) {
                        double sx = (px + 0.5) / scale - 0.5;
                        double sy = (py + 0.5) / scale - 0.5;
                        float v = bilinear(pixels, sx, sy);
                        int gx = x + px;
                        int gy = y + py;
                        if (v > 0 && gx < width && gy < height) {
                            ink[gy * width + gx] = Math.max(ink[gy * width + gx], v);
                            if (v > 0.35f) {
                                bx0 = Math.min(bx0, gx);
                                by0 = Math.min(by0, gy);
                                bx1 = Math.max(bx1, gx);
                                by1 = Math.max(by1, gy);
                            }
                        }
                    }
                }
                line.add(new Placed(digits.labels()[index], bx0, by0, bx1 - bx0 + 1, by1 - by0 + 1));
                x = bx1 + 12 + r.nextInt(30);
            }
            lines.add(line);
            baseline += 110;
        }
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        float[] grey = new float[width * height];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                double paper = 200 + 35.0 * x / width + 10.0 * y / height;       // light, uneven
                double inkLevel = 35;
                grey[y * width + x] = (float) (paper - (paper - inkLevel) * ink[y * width + x]);
            }
        }
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                double sum = 0;
                int count = 0;
                for (int dy = -1; dy <= 1; dy++) {
                    for (int dx = -1; dx <= 1; dx++) {
                        int xx = x + dx;
                        int yy = y + dy;
                        if (xx >= 0 && yy >= 0 && xx < width && yy < height) {
                            sum += grey[yy * width + xx];
                            count++;
                        }
                    }
                }
                int v = (int) Math.round(Math.max(0, Math.min(255, sum / count + r.nextGaussian() * 5)));
                img.setRGB(x, y, (v << 16) | (v << 8) | v);
            }
        }
        return new Page(img, lines);
    }

    private static float bilinear(float[] p, double x, double y) {
        int x0 = (int) Math.floor(x);
        int y0 = (int) Math.floor(y);
        double fx = x - x0;
        double fy = y - y0;
        return (float) ((1 - fy) * ((1 - fx) * at(p, x0, y0) + fx * at(p, x0 + 1, y0)) + fy * ((1 - fx) * at(p, x0, y0 + 1) + fx * at(p, x0 + 1, y0 + 1)));
    }

    private static float at(float[] p, int x, int y) {
        return x < 0 || y < 0 || x >= 28 || y >= 28 ? 0f : p[y * 28 + x];
    }

    /** How a reading of a page compares with what is on it. */
    public record Score(int present, int found, int correct, int linesRight) {
        public Score plus(Score o) {
            return new Score(present + o.present, found + o.found, correct + o.correct, linesRight + o.linesRight);
        }
    }

    /**
     * A digit counts as found when exactly one detected box has its centre inside the digit's ink box (a digit split in
     * two, or two merged into one box, is not found); found digits count as correct when the label matches.
     */
    public static Score score(Page truth, DigitPageReader.Page read) {
        List<DigitPageReader.Digit> all = read.lines().stream().flatMap(List::stream).toList();
        int found = 0;
        int correct = 0;
        for (List<Placed> line : truth.lines()) {
            for (Placed p : line) {
                List<DigitPageReader.Digit> inside = all.stream().filter(d -> {
                    double cx = d.x() + d.width() / 2.0;
                    double cy = d.y() + d.height() / 2.0;
                    return cx >= p.x() && cx < p.x() + p.width() && cy >= p.y() && cy < p.y() + p.height();
                }).toList();
                boolean covers = inside.size() == 1 && all.stream().filter(d -> p.x() + p.width() / 2.0 >= d.x() && p.x() + p.width() / 2.0 < d.x() + d.width()
                        && p.y() + p.height() / 2.0 >= d.y() && p.y() + p.height() / 2.0 < d.y() + d.height()).count() == 1;
                if (covers) {
                    found++;
                    if (inside.get(0).label().equals(String.valueOf(p.label()))) {
                        correct++;
                    }
                }
            }
        }
        int linesRight = 0;
        for (int i = 0; i < Math.min(truth.lines().size(), read.lines().size()); i++) {
            StringBuilder sb = new StringBuilder();
            truth.lines().get(i).forEach(p -> sb.append(p.label()));
            if (sb.toString().equals(read.text().get(i))) {
                linesRight++;
            }
        }
        return new Score(truth.count(), found, correct, linesRight);
    }
}
