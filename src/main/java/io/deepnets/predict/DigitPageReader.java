package io.deepnets.predict;

import boofcv.struct.image.GrayS32;
import io.deepnets.BadInputException;
import io.deepnets.config.TensorShape;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Reads a photo or scan of handwritten digits on paper: a phone photo with uneven light, pencil or ballpoint, ruled
 * paper, a page held a little askew.
 * <ol>
 * <li>the ink, found by {@link PageInk}: darkness against the paper's own local brightness (so light gradients,
 *     vignettes and shadows never become ink), a hysteresis threshold with a contrast floor, the page's skew, and
 *     ruled and margin lines removed without the strokes that touch them;</li>
 * <li>connected components (8-connected, BoofCV's linear-time labelling) give one box each; pieces of one broken
 *     digit (boxes overlapping horizontally by half of the narrower one, close vertically) are merged; specks (under
 *     {@value #MIN_SPECK} pixels or a small fraction of the typical digit) and marks far smaller or larger than the
 *     typical digit are dropped;</li>
 * <li>lines in the page's own tilted frame: boxes sorted by their centre across the skew, a box joining the current
 *     line while its centre lies within the line's extent; each line read left to right along the skew, lines top
 *     to bottom;</li>
 * <li>each digit cut out as MNIST was made (its own pixels only, its darkness scaled to its own stroke level, ink
 *     white on black, scaled into 20x20 and centred by mass in 28x28: {@link ImagePreprocessor}), and classified by
 *     the model in one batch.</li>
 * </ol>
 * Two digits whose strokes touch are one component and read as one (wrong) digit.
 */
public final class DigitPageReader {
    /** The largest page accepted, in pixels (e.g. 8000 x 5000); larger photos are refused before decoding. */
    public static final long MAX_PAGE_PIXELS = ImagePreprocessor.MAX_PIXELS;
    static final double SPECK_FRACTION = 0.15;
    static final int MIN_SPECK = 12;

    private final TrainedModel model;

    public DigitPageReader(TrainedModel model) {
        if (model.inputShape().channels() != 1) {
            throw new BadInputException("--digits reads handwritten digits for a grey (MNIST-style) model; " + model.name() + " takes "
                    + model.inputShape().channels() + "-channel images");
        }
        this.model = model;
    }

    /** One digit found: its box on the page {@code [x, y, w, h]}, the label and its probability. */
    public record Digit(int x, int y, int width, int height, String label, double probability) {
    }

    /**
     * A page's digits in reading order, line by line; {@code ink} is what was taken for ink (null for pages made by
     * hand), {@code skewDegrees} the page's tilt.
     */
    public record Page(List<List<Digit>> lines, PageInk ink, double skewDegrees) {
        public Page(List<List<Digit>> lines) {
            this(lines, null, 0);
        }

        public int count() {
            return lines.stream().mapToInt(List::size).sum();
        }

        /** Each line's labels joined, e.g. {@code ["0123", "98765"]}. */
        public List<String> text() {
            return lines.stream().map(l -> String.join("", l.stream().map(Digit::label).toList())).toList();
        }
    }

    /** A component's box and pixel count. */
    record Box(int x0, int y0, int x1, int y1, int pixels, List<Integer> labels) {
        int width() {
            return x1 - x0 + 1;
        }

        int height() {
            return y1 - y0 + 1;
        }

        double centreY() {
            return (y0 + y1) / 2.0;
        }

        Box merge(Box o) {
            List<Integer> all = new ArrayList<>(labels);
            all.addAll(o.labels);
            return new Box(Math.min(x0, o.x0), Math.min(y0, o.y0), Math.max(x1, o.x1), Math.max(y1, o.y1), pixels + o.pixels, all);
        }
    }

    /** Finds, orders and classifies the digits of {@code img}; throws a one-line BadInputException for a page without any. */
    public Page read(BufferedImage img) {
        int w = img.getWidth();
        int h = img.getHeight();
        if ((long) w * h > MAX_PAGE_PIXELS) {
            throw new BadInputException(w + "x" + h + " pixels is too large (at most " + String.format(java.util.Locale.ROOT, "%,d", MAX_PAGE_PIXELS)
                    + " pixels)");
        }
        PageInk ink = PageInk.of(img);
        GrayS32 labels = ink.labels;
        int n = ink.components;
        List<Box> boxes = digitsOnly(merged(withoutSpecks(boxes(labels, n))));
        if (boxes.isEmpty()) {
            throw new BadInputException("no digits found (no marks darker than the paper around them" + (ink.rules + ink.margins > 0
                    ? " other than " + ink.rules + " ruled and " + ink.margins + " margin line(s)" : "") + ")");
        }
        List<List<Box>> lines = lines(boxes, ink.skew, w, h);
        List<Box> order = lines.stream().flatMap(List::stream).toList();
        TensorShape shape = model.inputShape();
        float[] batch = new float[order.size() * shape.height() * shape.width()];
        for (int i = 0; i < order.size(); i++) {
            BufferedImage digit = cutOut(ink, labels, order.get(i));
            float[] pixels = ImagePreprocessor.prepare(digit, shape, ImagePreprocessor.Invert.NO).pixels();
            System.arraycopy(pixels, 0, batch, i * pixels.length, pixels.length);
        }
        int size = shape.height() * shape.width();
        float[] probs = model.probabilities(batch, order.size());
        int classes = model.classNames().size();
        List<List<Digit>> out = new ArrayList<>();
        int i = 0;
        for (List<Box> line : lines) {
            List<Digit> digits = new ArrayList<>();
            for (Box b : line) {
                int best = 0;
                for (int c = 1; c < classes; c++) {
                    if (probs[i * classes + c] > probs[i * classes + best]) {
                        best = c;
                    }
                }
                digits.add(new Digit(b.x0(), b.y0(), b.width(), b.height(), model.classNames().get(best), probs[i * classes + best]));
                i++;
            }
            out.add(digits);
        }
        return new Page(out, ink, Math.toDegrees(ink.skew));
    }

    private static List<Box> boxes(GrayS32 labels, int n) {
        int[] x0 = new int[n + 1];
        int[] y0 = new int[n + 1];
        int[] x1 = new int[n + 1];
        int[] y1 = new int[n + 1];
        int[] count = new int[n + 1];
        java.util.Arrays.fill(x0, Integer.MAX_VALUE);
        java.util.Arrays.fill(y0, Integer.MAX_VALUE);
        java.util.Arrays.fill(x1, -1);
        java.util.Arrays.fill(y1, -1);
        int w = labels.width;
        for (int y = 0; y < labels.height; y++) {
            for (int x = 0; x < w; x++) {
                int l = labels.data[y * w + x];
                if (l > 0 && l <= n) {
                    x0[l] = Math.min(x0[l], x);
                    y0[l] = Math.min(y0[l], y);
                    x1[l] = Math.max(x1[l], x);
                    y1[l] = Math.max(y1[l], y);
                    count[l]++;
                }
            }
        }
        List<Box> out = new ArrayList<>();
        for (int l = 1; l <= n; l++) {
            if (count[l] > 0) {
                out.add(new Box(x0[l], y0[l], x1[l], y1[l], count[l], List.of(l)));
            }
        }
        return out;
    }

    /** Specks: components under {@value #MIN_SPECK} pixels or under 3 pixels tall and wide, before any merging. */
    private static List<Box> withoutSpecks(List<Box> boxes) {
        return boxes.stream().filter(b -> b.pixels() >= MIN_SPECK && Math.max(b.width(), b.height()) >= 4).toList();
    }

    /**
     * The digits among the marks: the typical digit is the median height of the marks at least half as tall as the
     * tallest quarter; marks under {@value #SPECK_FRACTION} of its pixels or under 0.4 of its height are specks,
     * dots and dashes; marks over 3 times its height, or over 6 times it wide, are not digits (a coffee ring, a
     * smudge, a scribble).
     */
    private static List<Box> digitsOnly(List<Box> boxes) {
        if (boxes.isEmpty()) {
            return boxes;
        }
        int[] heights = boxes.stream().mapToInt(Box::height).sorted().toArray();
        int tall = heights[(int) (0.75 * (heights.length - 1))];
        List<Box> typical = boxes.stream().filter(b -> b.height() >= 0.5 * tall).toList();
        double median = typical.stream().mapToInt(Box::height).sorted().toArray()[typical.size() / 2];
        double medianPixels = typical.stream().mapToInt(Box::pixels).sorted().toArray()[typical.size() / 2];
        return boxes.stream().filter(b -> b.height() >= 0.4 * median && b.pixels() >= SPECK_FRACTION * medianPixels && b.height() <= 3 * median
                && b.width() <= 6 * median).toList();
    }

    /** Parts of one broken digit: boxes overlapping horizontally by half the narrower one and close vertically. */
    private static List<Box> merged(List<Box> boxes) {
        if (boxes.isEmpty()) {
            return boxes;
        }
        double medianHeight = boxes.stream().mapToInt(Box::height).sorted().toArray()[boxes.size() / 2];
        List<Box> work = new ArrayList<>(boxes);
        work.sort(Comparator.comparingInt(Box::x0));
        boolean changed = true;
        while (changed) {
            changed = false;
            outer:
            for (int a = 0; a < work.size(); a++) {
                Box p = work.get(a);
                for (int b = a + 1; b < work.size(); b++) {
                    Box q = work.get(b);
                    if (q.x0() > p.x1()) {
                        break;
                    }
                    int overlapX = Math.min(p.x1(), q.x1()) - Math.max(p.x0(), q.x0()) + 1;
                    int gapY = Math.max(p.y0(), q.y0()) - Math.min(p.y1(), q.y1()) - 1;
                    if (overlapX >= 0.5 * Math.min(p.width(), q.width()) && gapY <= 0.5 * medianHeight
                            && Math.max(p.y1(), q.y1()) - Math.min(p.y0(), q.y0()) + 1 <= 1.6 * medianHeight) {
                        work.set(a, p.merge(q));
                        work.remove(b);
                        work.sort(Comparator.comparingInt(Box::x0));
                        changed = true;
                        break outer;
                    }
                }
            }
        }
        return work;
    }

    /** A box's extent in the page's tilted frame (rotated back by the skew about the page's centre). */
    private record Tilted(Box box, double x0, double y0, double x1, double y1) {
        double centreY() {
            return (y0 + y1) / 2;
        }

        double centreX() {
            return (x0 + x1) / 2;
        }
    }

    private static Tilted tilted(Box b, double skew, int w, int h) {
        double cos = Math.cos(skew);
        double sin = Math.sin(skew);
        double minX = Double.MAX_VALUE;
        double minY = Double.MAX_VALUE;
        double maxX = -Double.MAX_VALUE;
        double maxY = -Double.MAX_VALUE;
        for (int[] c : new int[][] {{b.x0(), b.y0()}, {b.x1(), b.y0()}, {b.x0(), b.y1()}, {b.x1(), b.y1()}}) {
            double dx = c[0] - w / 2.0;
            double dy = c[1] - h / 2.0;
            double rx = dx * cos + dy * sin;
            double ry = -dx * sin + dy * cos;
            minX = Math.min(minX, rx);
            maxX = Math.max(maxX, rx);
            minY = Math.min(minY, ry);
            maxY = Math.max(maxY, ry);
        }
        // The corners of an upright box overstate a tilted digit's extent; shrink back by the tilt's share.
        double shrinkY = Math.abs(sin) * b.width() / 2;
        double shrinkX = Math.abs(sin) * b.height() / 2;
        return new Tilted(b, minX + shrinkX, minY + shrinkY, maxX - shrinkX, maxY - shrinkY);
    }

    private static List<List<Box>> lines(List<Box> boxes, double skew, int w, int h) {
        List<Tilted> byY = new ArrayList<>(boxes.stream().map(b -> tilted(b, skew, w, h)).toList());
        byY.sort(Comparator.comparingDouble(Tilted::centreY));
        List<List<Tilted>> lines = new ArrayList<>();
        List<Tilted> current = new ArrayList<>();
        double top = 0;
        double bottom = -1;
        for (Tilted b : byY) {
            if (!current.isEmpty() && (b.centreY() < top || b.centreY() > bottom)) {
                lines.add(current);
                current = new ArrayList<>();
            }
            if (current.isEmpty()) {
                top = b.y0();
                bottom = b.y1();
            } else {
                top = Math.min(top, b.y0());
                bottom = Math.max(bottom, b.y1());
            }
            current.add(b);
        }
        lines.add(current);
        List<List<Box>> out = new ArrayList<>();
        for (List<Tilted> line : lines) {
            line.sort(Comparator.comparingDouble(Tilted::centreX));
            out.add(new ArrayList<>(line.stream().map(Tilted::box).toList()));
        }
        return out;
    }

    /** The digit's own pixels as white ink on black, its darkness scaled to its own strokes (pencil as bright as ink). */
    private static BufferedImage cutOut(PageInk ink, GrayS32 labels, Box b) {
        int pad = 2;
        int x0 = Math.max(0, b.x0() - pad);
        int y0 = Math.max(0, b.y0() - pad);
        int x1 = Math.min(ink.width - 1, b.x1() + pad);
        int y1 = Math.min(ink.height - 1, b.y1() + pad);
        java.util.Set<Integer> own = new java.util.HashSet<>(b.labels());
        float[] values = new float[b.pixels()];
        int n = 0;
        for (int y = b.y0(); y <= b.y1(); y++) {
            for (int x = b.x0(); x <= b.x1(); x++) {
                if (own.contains(labels.data[y * ink.width + x]) && n < values.length) {
                    values[n++] = ink.darkness[y * ink.width + x];
                }
            }
        }
        java.util.Arrays.sort(values, 0, n);
        double stroke = Math.max(PageInk.FLOOR_HIGH, n == 0 ? ink.inkLevel : values[Math.min(n - 1, (int) (0.9 * n))]);
        BufferedImage out = new BufferedImage(x1 - x0 + 1, y1 - y0 + 1, BufferedImage.TYPE_INT_RGB);
        for (int y = y0; y <= y1; y++) {
            for (int x = x0; x <= x1; x++) {
                if (!near(labels, own, x, y)) {
                    continue;
                }
                double v = Math.max(0, Math.min(1, ink.darkness[y * ink.width + x] / stroke));
                int g = (int) Math.round(v * 255);
                out.setRGB(x - x0, y - y0, (g << 16) | (g << 8) | g);
            }
        }
        return out;
    }

    /** Whether (x, y) belongs to the box's components or touches one (the antialiased edge of a stroke). */
    private static boolean near(GrayS32 labels, java.util.Set<Integer> own, int x, int y) {
        for (int dy = -1; dy <= 1; dy++) {
            for (int dx = -1; dx <= 1; dx++) {
                int xx = x + dx;
                int yy = y + dy;
                if (xx >= 0 && yy >= 0 && xx < labels.width && yy < labels.height && own.contains(labels.data[yy * labels.width + xx])) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The page with each digit's box, its reading-order number and its label drawn on it. */
    public static BufferedImage annotate(BufferedImage img, Page page) {
        BufferedImage out = new BufferedImage(img.getWidth(), img.getHeight(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.drawImage(img, 0, 0, null);
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        int n = 0;
        for (List<Digit> line : page.lines()) {
            for (Digit d : line) {
                n++;
                int size = Math.max(10, d.height() / 3);
                g.setStroke(new BasicStroke(Math.max(1, d.height() / 30f)));
                g.setColor(d.probability() >= 0.9 ? new Color(0, 150, 0) : new Color(220, 120, 0));
                g.drawRect(d.x(), d.y(), d.width(), d.height());
                g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, size));
                g.drawString(d.label(), d.x(), Math.max(size, d.y() - 2));
                g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, Math.max(8, size * 2 / 3)));
                g.setColor(Color.BLUE);
                g.drawString("#" + n, d.x(), d.y() + d.height() + Math.max(8, size * 2 / 3));
            }
        }
        g.dispose();
        return out;
    }
}
