package io.deepnets.predict;

import boofcv.alg.filter.binary.BinaryImageOps;
import boofcv.alg.filter.blur.GBlurImageOps;
import boofcv.struct.ConnectRule;
import boofcv.struct.image.GrayF32;
import boofcv.struct.image.GrayS32;
import boofcv.struct.image.GrayU8;
import java.awt.image.BufferedImage;
import java.util.Arrays;

/**
 * What is ink on a photographed page, found the way the light falls rather than by one global threshold:
 * <ol>
 * <li>grey (ITU-R 601 luma), smoothed by a small Gaussian (BoofCV) so sensor noise and JPEG blocks do not speckle;</li>
 * <li>the paper's own brightness everywhere (the background): the 90th percentile of each {@value #BLOCK}-pixel
 *     block, then a closing over 5x5 blocks (wider than any pen stroke, so strokes are filled with the paper around
 *     them, while ramps of light keep their slope), smoothed and interpolated back to every pixel; gradients,
 *     vignettes and soft shadows are in it;</li>
 * <li>darkness = 1 - grey / background: 0 on paper whatever its light, ~0.8 for black ink, ~0.3-0.5 for pencil;</li>
 * <li>hysteresis with a contrast floor: a pixel is ink when its darkness exceeds a low threshold and its connected
 *     component reaches a high one; both follow the page's ink level (a high percentile of the darkness of the marks)
 *     but never drop below the paper's own noise (its median darkness plus 12 and 6 robust standard deviations,
 *     from the median absolute deviation) nor below {@value #FLOOR_HIGH} and {@value #FLOOR_LOW}, so paper grain,
 *     mottling and JPEG noise never become ink while faint pencil (darkness 0.1-0.2 in a grey document-mode photo)
 *     still does;</li>
 * <li>the skew: the angle (within +-{@value #MAX_SKEW_DEGREES} degrees) whose projection profile of the ink is the
 *     sharpest (the classic document-skew estimate); ruled lines and lines of writing both sharpen it;</li>
 * <li>ruled lines and margin lines: rows (columns) of that tilted frame whose ink spans a large part of the page are
 *     lines of the paper; their pixels are removed where the ink there is no thicker than the line, so a stroke that
 *     crosses or touches a rule keeps its pixels. Long thin components left over are dropped.</li>
 * </ol>
 */
public final class PageInk {
    static final int BLOCK = 8;
    /** The contrast floors: no mark fainter than these is ink, however quiet the paper. */
    static final double FLOOR_HIGH = 0.06;
    static final double FLOOR_LOW = 0.03;
    static final double MAX_SKEW_DEGREES = 6;
    /** A tilted row (column) holding ink over this fraction of the page's width (height) is a ruled (margin) line. */
    static final double RULE_SPAN = 0.3;
    /** ... and over at least this many pixels, ... */
    static final int MIN_RULE_PIXELS = 200;
    /** ... in a band of rows (columns) no thicker than this. */
    static final int MAX_RULE_THICKNESS = 6;

    /** Page width and height. */
    final int width;
    final int height;
    /** Darkness in [0, 1] per pixel, row by row. */
    final float[] darkness;
    /** The ink after ruled and margin lines were removed (1 = ink). */
    final GrayU8 ink;
    /** The page's skew, radians (positive: lines descend to the right). */
    final double skew;
    /** The darkness of the page's ink strokes (a high percentile of the marks). */
    final double inkLevel;
    /** Ruled and margin lines found and removed. */
    final int rules;
    final int margins;
    /** The ink's 8-connected components, numbered 1..{@link #components} (0: paper); numbers of dropped pieces unused. */
    final GrayS32 labels;
    final int components;

    private PageInk(int width, int height, float[] darkness, GrayU8 ink, Labelled labelled, double skew, double inkLevel, int rules, int margins) {
        this.width = width;
        this.height = height;
        this.darkness = darkness;
        this.ink = ink;
        this.labels = labelled.labels();
        this.components = labelled.count();
        this.skew = skew;
        this.inkLevel = inkLevel;
        this.rules = rules;
        this.margins = margins;
    }

    /** The ink of {@code img}; {@code inkLevel} 0 and an empty mask when the page holds no marks darker than the floor. */
    public static PageInk of(BufferedImage img) {
        int w = img.getWidth();
        int h = img.getHeight();
        GrayF32 grey = new GrayF32(w, h);
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            img.getRGB(0, y, w, 1, row, 0, w);
            for (int x = 0; x < w; x++) {
                int p = row[x];
                grey.data[y * w + x] = (float) (0.299 * ((p >> 16) & 0xFF) + 0.587 * ((p >> 8) & 0xFF) + 0.114 * (p & 0xFF));
            }
        }
        GrayF32 smooth = GBlurImageOps.gaussian(grey, null, 0.8, -1, null);
        float[] background = background(smooth.data, w, h);
        float[] dark = new float[w * h];
        for (int i = 0; i < dark.length; i++) {
            float b = Math.max(1f, background[i]);
            dark[i] = Math.max(0f, Math.min(1f, 1f - smooth.data[i] / b));
        }
        double[] noise = paperNoise(dark);
        double floorHigh = Math.max(FLOOR_HIGH, noise[0] + 12 * noise[1]);
        double floorLow = Math.max(FLOOR_LOW, noise[0] + 6 * noise[1]);
        double level = inkLevel(dark, floorHigh);
        GrayU8 mask = new GrayU8(w, h);
        if (level == 0) {
            return new PageInk(w, h, dark, mask, new Labelled(new GrayS32(w, h), 0), 0, 0, 0, 0);
        }
        double high = Math.max(floorHigh, 0.4 * level);
        double low = Math.max(floorLow, 0.3 * level);
        GrayU8 weak = new GrayU8(w, h);
        for (int i = 0; i < dark.length; i++) {
            weak.data[i] = (byte) (dark[i] > low ? 1 : 0);
        }
        hysteresis(weak, dark, high, mask);
        double skew = skew(mask);
        // Lines of the paper are found among all the faint marks, where a rule shows over the page's width, and
        // removed there, before the strong marks pick their faint neighbours: a rule touching a digit then stays out.
        int rules = removeLines(weak, skew, true);
        int margins = removeLines(weak, skew, false);
        hysteresis(weak, dark, high, mask);
        Labelled labelled = dropLongThin(mask);
        return new PageInk(w, h, dark, mask, labelled, skew, level, rules, margins);
    }

    /** The paper's brightness at every pixel (see the class comment). */
    static float[] background(float[] grey, int w, int h) {
        int bw = (w + BLOCK - 1) / BLOCK;
        int bh = (h + BLOCK - 1) / BLOCK;
        float[] blocks = new float[bw * bh];
        float[] values = new float[BLOCK * BLOCK];
        for (int by = 0; by < bh; by++) {
            for (int bx = 0; bx < bw; bx++) {
                int n = 0;
                for (int y = by * BLOCK; y < Math.min(h, by * BLOCK + BLOCK); y++) {
                    for (int x = bx * BLOCK; x < Math.min(w, bx * BLOCK + BLOCK); x++) {
                        values[n++] = grey[y * w + x];
                    }
                }
                Arrays.sort(values, 0, n);
                blocks[by * bw + bx] = values[Math.min(n - 1, (int) (0.9 * n))];
            }
        }
        // A closing (the brightest of the 5x5 blocks around, then the darkest of those): ink narrower than the window
        // is filled in with the paper around it, while a ramp of light (a gradient, a shadow's edge) stays as it is.
        float[] closed = extreme(extreme(blocks, bw, bh, true), bw, bh, false);
        float[] smoothBlocks = boxSmooth(closed, bw, bh);
        float[] out = new float[w * h];
        for (int y = 0; y < h; y++) {
            double fy = Math.max(0, Math.min(bh - 1, (y + 0.5) / BLOCK - 0.5));
            int y0 = (int) fy;
            int y1 = Math.min(bh - 1, y0 + 1);
            double ty = fy - y0;
            for (int x = 0; x < w; x++) {
                double fx = Math.max(0, Math.min(bw - 1, (x + 0.5) / BLOCK - 0.5));
                int x0 = (int) fx;
                int x1 = Math.min(bw - 1, x0 + 1);
                double tx = fx - x0;
                out[y * w + x] = (float) ((1 - ty) * ((1 - tx) * smoothBlocks[y0 * bw + x0] + tx * smoothBlocks[y0 * bw + x1])
                        + ty * ((1 - tx) * smoothBlocks[y1 * bw + x0] + tx * smoothBlocks[y1 * bw + x1]));
            }
        }
        return out;
    }

    /** The largest ({@code max}) or smallest value of the 5x5 neighbourhood of each block. */
    private static float[] extreme(float[] v, int w, int h, boolean max) {
        float[] out = new float[v.length];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                float m = max ? -Float.MAX_VALUE : Float.MAX_VALUE;
                for (int dy = -2; dy <= 2; dy++) {
                    for (int dx = -2; dx <= 2; dx++) {
                        int yy = y + dy;
                        int xx = x + dx;
                        if (yy >= 0 && xx >= 0 && yy < h && xx < w) {
                            m = max ? Math.max(m, v[yy * w + xx]) : Math.min(m, v[yy * w + xx]);
                        }
                    }
                }
                out[y * w + x] = m;
            }
        }
        return out;
    }

    private static float[] boxSmooth(float[] v, int w, int h) {
        float[] out = new float[v.length];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                float s = 0;
                int n = 0;
                for (int dy = -1; dy <= 1; dy++) {
                    for (int dx = -1; dx <= 1; dx++) {
                        int yy = y + dy;
                        int xx = x + dx;
                        if (yy >= 0 && xx >= 0 && yy < h && xx < w) {
                            s += v[yy * w + xx];
                            n++;
                        }
                    }
                }
                out[y * w + x] = s / n;
            }
        }
        return out;
    }

    /**
     * The paper's darkness: its median and a robust standard deviation (1.4826 times the median absolute deviation),
     * from a histogram in steps of 0.001; the paper is most of any page, so the ink barely moves either.
     */
    static double[] paperNoise(float[] dark) {
        int[] histogram = new int[1001];
        for (float d : dark) {
            histogram[Math.round(d * 1000)]++;
        }
        double median = percentile(histogram, dark.length, 0.5);
        int[] deviations = new int[1001];
        for (int i = 0; i <= 1000; i++) {
            deviations[(int) Math.min(1000, Math.round(Math.abs(i - median * 1000)))] += histogram[i];
        }
        return new double[] {median, 1.4826 * percentile(deviations, dark.length, 0.5)};
    }

    private static double percentile(int[] histogram, int count, double q) {
        long seen = 0;
        for (int i = 0; i < histogram.length; i++) {
            seen += histogram[i];
            if (seen > q * count) {
                return i / 1000.0;
            }
        }
        return 1;
    }

    /**
     * The darkness of the page's strokes: the 90th percentile of the pixels darker than {@code floor}, or 0 when
     * fewer than a speck's worth of pixels are (a blank page).
     */
    static double inkLevel(float[] dark, double floor) {
        int[] histogram = new int[1001];
        int marks = 0;
        for (float d : dark) {
            if (d > floor) {
                histogram[Math.round(d * 1000)]++;
                marks++;
            }
        }
        if (marks < 20) {
            return 0;
        }
        int target = (int) (0.9 * marks);
        int seen = 0;
        for (int i = 0; i <= 1000; i++) {
            seen += histogram[i];
            if (seen > target) {
                return i / 1000.0;
            }
        }
        return 1;
    }

    /** The pixels of {@code weak} whose 8-connected component has a pixel darker than {@code high}. */
    private static void hysteresis(GrayU8 weak, float[] dark, double high, GrayU8 out) {
        int w = weak.width;
        int h = weak.height;
        GrayS32 labels = new GrayS32(w, h);
        int n = BinaryImageOps.contour(weak, ConnectRule.EIGHT, labels).size();
        boolean[] strong = new boolean[n + 1];
        for (int i = 0; i < dark.length; i++) {
            if (dark[i] > high) {
                strong[labels.data[i]] = true;
            }
        }
        for (int i = 0; i < dark.length; i++) {
            int l = labels.data[i];
            out.data[i] = (byte) (l > 0 && strong[l] ? 1 : 0);
        }
    }

    /** The angle whose projection profile of the ink is sharpest (sum of squared row counts), coarse then fine. */
    static double skew(GrayU8 mask) {
        int w = mask.width;
        int h = mask.height;
        int count = 0;
        for (int i = 0; i < w * h; i++) {
            count += mask.data[i];
        }
        if (count == 0) {
            return 0;
        }
        // A sample of at most 200,000 ink pixels keeps a large page fast; the profile's shape survives sampling.
        int step = Math.max(1, count / 200_000);
        int[] xs = new int[count / step + 1];
        int[] ys = new int[xs.length];
        int n = 0;
        int k = 0;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if (mask.data[y * w + x] != 0 && k++ % step == 0 && n < xs.length) {
                    xs[n] = x;
                    ys[n] = y;
                    n++;
                }
            }
        }
        double best = 0;
        double bestScore = -1;
        for (double deg = -MAX_SKEW_DEGREES; deg <= MAX_SKEW_DEGREES + 1e-9; deg += 0.25) {
            double s = sharpness(xs, ys, n, w, h, Math.toRadians(deg));
            if (s > bestScore) {
                bestScore = s;
                best = deg;
            }
        }
        double centre = best;
        for (double deg = centre - 0.25; deg <= centre + 0.25 + 1e-9; deg += 0.05) {
            double s = sharpness(xs, ys, n, w, h, Math.toRadians(deg));
            if (s > bestScore) {
                bestScore = s;
                best = deg;
            }
        }
        return Math.toRadians(best);
    }

    private static double sharpness(int[] xs, int[] ys, int n, int w, int h, double angle) {
        double t = Math.tan(angle);
        int offset = (int) Math.ceil(Math.abs(t) * w) + 1;
        int[] profile = new int[h + 2 * offset + 1];
        for (int i = 0; i < n; i++) {
            profile[(int) Math.round(ys[i] - xs[i] * t) + offset]++;
        }
        double s = 0;
        for (int v : profile) {
            s += (double) v * v;
        }
        return s;
    }

    /**
     * Removes ruled lines ({@code rows}) or margin lines (columns) at the skew: tilted rows (columns) whose ink spans
     * {@value #RULE_SPAN} of the page, widened by a pixel where the neighbours hold much of that ink, lose the pixels
     * whose run across the line is no longer than the line is thick. Returns how many lines were found.
     */
    static int removeLines(GrayU8 mask, double skew, boolean rows) {
        int w = mask.width;
        int h = mask.height;
        int along = rows ? w : h;
        int across = rows ? h : w;
        double t = Math.tan(skew);
        int offset = (int) Math.ceil(Math.abs(t) * along) + 1;
        int[] profile = new int[across + 2 * offset + 1];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if (mask.data[y * w + x] != 0) {
                    profile[position(x, y, t, rows) + offset]++;
                }
            }
        }
        boolean[] line = new boolean[profile.length];
        int found = 0;
        // Long in absolute terms too: on a small crop a digit's stroke spans a third of the picture.
        double minimum = Math.max(RULE_SPAN * along, MIN_RULE_PIXELS);
        for (int i = 0; i < profile.length; ) {
            if (profile[i] < minimum) {
                i++;
                continue;
            }
            int end = i;
            while (end + 1 < profile.length && profile[end + 1] >= minimum) {
                end++;
            }
            // A line of the paper is thin and stands out from the rows beside it; a band of writing (a row of
            // digits whose faint halo covers the width) is neither.
            int thickness = end - i + 1;
            int peak = 0;
            for (int j = i; j <= end; j++) {
                peak = Math.max(peak, profile[j]);
            }
            int before = i - thickness - 3 >= 0 ? profile[i - thickness - 3] : 0;
            int after = end + thickness + 3 < profile.length ? profile[end + thickness + 3] : 0;
            if (thickness <= MAX_RULE_THICKNESS && peak >= 2 * Math.max(before, after)) {
                for (int j = i; j <= end; j++) {
                    line[j] = true;
                }
                found++;
            }
            i = end + 1;
        }
        if (found == 0) {
            return 0;
        }
        boolean[] band = line.clone();
        for (int i = 0; i < profile.length; i++) {
            if (line[i]) {
                for (int d : new int[] {-1, 1}) {
                    int j = i + d;
                    if (j >= 0 && j < profile.length && !line[j] && profile[j] >= 0.1 * along) {
                        band[j] = true;
                    }
                }
            }
        }
        int maxThickness = 0;
        int run = 0;
        for (boolean b : band) {
            run = b ? run + 1 : 0;
            maxThickness = Math.max(maxThickness, run);
        }
        int keepLonger = maxThickness + 2;
        byte[] clear = new byte[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if (mask.data[y * w + x] != 0 && band[position(x, y, t, rows) + offset] && runAcross(mask, x, y, rows, keepLonger) <= keepLonger) {
                    clear[y * w + x] = 1;
                }
            }
        }
        for (int i = 0; i < clear.length; i++) {
            if (clear[i] != 0) {
                mask.data[i] = 0;
            }
        }
        return found;
    }

    private static int position(int x, int y, double t, boolean rows) {
        return rows ? (int) Math.round(y - x * t) : (int) Math.round(x + y * t);
    }

    /** The length of the run of ink through (x, y) across the line (vertical for rules), counted up to {@code cap + 1}. */
    private static int runAcross(GrayU8 mask, int x, int y, boolean rows, int cap) {
        int w = mask.width;
        int n = 1;
        for (int d = 1; n <= cap; d++) {
            int xx = rows ? x : x - d;
            int yy = rows ? y - d : y;
            if (xx < 0 || yy < 0 || mask.data[yy * w + xx] == 0) {
                break;
            }
            n++;
        }
        for (int d = 1; n <= cap; d++) {
            int xx = rows ? x : x + d;
            int yy = rows ? y + d : y;
            if (xx >= w || yy >= mask.height || mask.data[yy * w + xx] == 0) {
                break;
            }
            n++;
        }
        return n;
    }

    /** Components at least a fifth of the page long and on average under four pixels thick: pieces of lines, not digits. */
    /** Components of a mask: their numbers per pixel and the highest number. */
    record Labelled(GrayS32 labels, int count) {
    }

    /** Drops the long thin pieces and returns the remaining components, labelled once for the reader too. */
    private static Labelled dropLongThin(GrayU8 mask) {
        int w = mask.width;
        int h = mask.height;
        GrayS32 labels = new GrayS32(w, h);
        int n = BinaryImageOps.contour(mask, ConnectRule.EIGHT, labels).size();
        int[] x0 = new int[n + 1];
        int[] x1 = new int[n + 1];
        int[] y0 = new int[n + 1];
        int[] y1 = new int[n + 1];
        int[] pixels = new int[n + 1];
        Arrays.fill(x0, Integer.MAX_VALUE);
        Arrays.fill(y0, Integer.MAX_VALUE);
        Arrays.fill(x1, -1);
        Arrays.fill(y1, -1);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int l = labels.data[y * w + x];
                if (l > 0) {
                    x0[l] = Math.min(x0[l], x);
                    x1[l] = Math.max(x1[l], x);
                    y0[l] = Math.min(y0[l], y);
                    y1[l] = Math.max(y1[l], y);
                    pixels[l]++;
                }
            }
        }
        boolean[] drop = new boolean[n + 1];
        for (int l = 1; l <= n; l++) {
            int length = Math.max(x1[l] - x0[l], y1[l] - y0[l]) + 1;
            boolean long_ = (x1[l] - x0[l] + 1 >= 0.2 * w) || (y1[l] - y0[l] + 1 >= 0.2 * h);
            drop[l] = long_ && pixels[l] < 4.0 * length;
        }
        for (int i = 0; i < w * h; i++) {
            if (drop[labels.data[i]]) {
                mask.data[i] = 0;
                labels.data[i] = 0;
            }
        }
        return new Labelled(labels, n);
    }

    /** What was taken for ink: black on white, the size of the page. */
    public BufferedImage maskImage() {
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        byte[] data = ((java.awt.image.DataBufferByte) out.getRaster().getDataBuffer()).getData();
        for (int i = 0; i < width * height; i++) {
            data[i] = (byte) (ink.data[i] != 0 ? 0 : 255);
        }
        return out;
    }
}
