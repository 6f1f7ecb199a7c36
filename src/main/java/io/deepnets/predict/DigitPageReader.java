package io.deepnets.predict;

import boofcv.alg.filter.binary.BinaryImageOps;
import boofcv.alg.filter.binary.GThresholdImageOps;
import boofcv.alg.filter.binary.ThresholdImageOps;
import boofcv.struct.ConnectRule;
import boofcv.struct.image.GrayS32;
import boofcv.struct.image.GrayU8;
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
import org.nd4j.linalg.factory.Nd4j;

/**
 * Reads a photo or scan of several handwritten digits on light paper, the way the course's project does it, with
 * BoofCV's binary image operations:
 * <ol>
 * <li>grey (ITU-R 601 luma), then one global threshold by Otsu's method, ink = darker than the threshold;</li>
 * <li>a morphological closing (dilate, then erode, 8-connected, one pixel) joins hairline breaks in strokes;</li>
 * <li>connected components (8-connected contours, BoofCV's linear-time labelling) give one box each; components
 *     with fewer pixels than {@value #SPECK_FRACTION} of the median component, or under {@value #MIN_SPECK} pixels,
 *     are specks and dropped; boxes that overlap horizontally by half of the narrower one and lie within half a digit
 *     height of each other are parts of one broken digit and merged;</li>
 * <li>lines: boxes sorted by their vertical centre, a box joining the current line while its centre lies within
 *     the line's vertical extent; each line read left to right;</li>
 * <li>each digit cut out as MNIST was made (its own pixels only, ink white on black, scaled into 20x20 and centred by
 *     mass in 28x28: {@link ImagePreprocessor}), and classified by the model in one batch.</li>
 * </ol>
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

    /** A page's digits in reading order, line by line. */
    public record Page(List<List<Digit>> lines) {
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
        GrayU8 grey = new GrayU8(w, h);
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            img.getRGB(0, y, w, 1, row, 0, w);
            for (int x = 0; x < w; x++) {
                int p = row[x];
                grey.data[grey.startIndex + y * grey.stride + x] = (byte) Math.round(0.299 * ((p >> 16) & 0xFF) + 0.587 * ((p >> 8) & 0xFF)
                        + 0.114 * (p & 0xFF));
            }
        }
        double threshold = GThresholdImageOps.computeOtsu(grey, 0, 255);
        GrayU8 binary = ThresholdImageOps.threshold(grey, null, (int) threshold, true);
        GrayU8 closed = BinaryImageOps.erode8(BinaryImageOps.dilate8(binary, 1, null), 1, null);
        GrayS32 labels = new GrayS32(w, h);
        int n = BinaryImageOps.contour(closed, ConnectRule.EIGHT, labels).size();
        List<Box> boxes = boxes(labels, n);
        double paper = 0;
        double ink = 0;
        long paperN = 0;
        long inkN = 0;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int v = grey.get(x, y);
                if (v > threshold) {
                    paper += v;
                    paperN++;
                } else {
                    ink += v;
                    inkN++;
                }
            }
        }
        if (boxes.isEmpty() || inkN == 0 || paperN == 0) {
            throw new BadInputException("no digits found (the page has no dark marks on a light background)");
        }
        boxes = merged(withoutSpecks(boxes));
        List<List<Box>> lines = lines(boxes);
        double paperLevel = paper / paperN;
        double inkLevel = ink / inkN;
        List<Box> order = lines.stream().flatMap(List::stream).toList();
        TensorShape shape = model.inputShape();
        float[] batch = new float[order.size() * shape.height() * shape.width()];
        for (int i = 0; i < order.size(); i++) {
            BufferedImage digit = cutOut(grey, labels, order.get(i), paperLevel, inkLevel);
            float[] pixels = ImagePreprocessor.prepare(digit, shape, ImagePreprocessor.Invert.NO).pixels();
            System.arraycopy(pixels, 0, batch, i * pixels.length, pixels.length);
        }
        int size = shape.height() * shape.width();
        float[] probs = model.network().output(Nd4j.create(batch, new long[] {order.size(), size}, 'c'), false).dup('c').data().asFloat();
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
        return new Page(out);
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
        for (int y = 0; y < labels.height; y++) {
            for (int x = 0; x < labels.width; x++) {
                int l = labels.get(x, y);
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

    private static List<Box> withoutSpecks(List<Box> boxes) {
        int[] sizes = boxes.stream().mapToInt(Box::pixels).sorted().toArray();
        int median = sizes[sizes.length / 2];
        return boxes.stream().filter(b -> b.pixels() >= Math.max(MIN_SPECK, SPECK_FRACTION * median)).toList();
    }

    /** Parts of one broken digit: boxes overlapping horizontally by half the narrower one and close vertically. */
    private static List<Box> merged(List<Box> boxes) {
        if (boxes.isEmpty()) {
            return boxes;
        }
        double medianHeight = boxes.stream().mapToInt(Box::height).sorted().toArray()[boxes.size() / 2];
        List<Box> work = new ArrayList<>(boxes);
        boolean changed = true;
        while (changed) {
            changed = false;
            outer:
            for (int a = 0; a < work.size(); a++) {
                for (int b = a + 1; b < work.size(); b++) {
                    Box p = work.get(a);
                    Box q = work.get(b);
                    int overlapX = Math.min(p.x1(), q.x1()) - Math.max(p.x0(), q.x0()) + 1;
                    int gapY = Math.max(p.y0(), q.y0()) - Math.min(p.y1(), q.y1()) - 1;
                    if (overlapX >= 0.5 * Math.min(p.width(), q.width()) && gapY <= 0.5 * medianHeight
                            && Math.max(p.y1(), q.y1()) - Math.min(p.y0(), q.y0()) + 1 <= 1.6 * medianHeight) {
                        work.set(a, p.merge(q));
                        work.remove(b);
                        changed = true;
                        break outer;
                    }
                }
            }
        }
        return work;
    }

    private static List<List<Box>> lines(List<Box> boxes) {
        List<Box> byY = new ArrayList<>(boxes);
        byY.sort(Comparator.comparingDouble(Box::centreY));
        List<List<Box>> lines = new ArrayList<>();
        List<Box> current = new ArrayList<>();
        int top = 0;
        int bottom = -1;
        for (Box b : byY) {
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
        for (List<Box> line : lines) {
            line.sort(Comparator.comparingInt(Box::x0));
        }
        return lines;
    }

    /** The digit's own pixels as white ink on black, scaled from the paper and ink levels (antialiasing kept). */
    private static BufferedImage cutOut(GrayU8 grey, GrayS32 labels, Box b, double paper, double ink) {
        int pad = 2;
        int x0 = Math.max(0, b.x0() - pad);
        int y0 = Math.max(0, b.y0() - pad);
        int x1 = Math.min(grey.width - 1, b.x1() + pad);
        int y1 = Math.min(grey.height - 1, b.y1() + pad);
        BufferedImage out = new BufferedImage(x1 - x0 + 1, y1 - y0 + 1, BufferedImage.TYPE_INT_RGB);
        double range = Math.max(1, paper - ink);
        for (int y = y0; y <= y1; y++) {
            for (int x = x0; x <= x1; x++) {
                if (!near(labels, b, x, y)) {
                    continue;
                }
                double v = Math.max(0, Math.min(1, (paper - grey.get(x, y)) / range));
                int g = (int) Math.round(v * 255);
                out.setRGB(x - x0, y - y0, (g << 16) | (g << 8) | g);
            }
        }
        return out;
    }

    /** Whether (x, y) belongs to the box's components or touches one (the antialiased edge of a stroke). */
    private static boolean near(GrayS32 labels, Box b, int x, int y) {
        for (int dy = -1; dy <= 1; dy++) {
            for (int dx = -1; dx <= 1; dx++) {
                int xx = x + dx;
                int yy = y + dy;
                if (xx >= 0 && yy >= 0 && xx < labels.width && yy < labels.height && b.labels().contains(labels.get(xx, yy))) {
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
