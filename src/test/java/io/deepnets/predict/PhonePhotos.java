package io.deepnets.predict;

import io.deepnets.config.DataConfig;
import io.deepnets.data.DataSources;
import io.deepnets.data.DatasetLoader;
import io.deepnets.data.ImageSet;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferInt;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageInputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Phone photos of handwritten digit pages, generated in code from a seed (no stored images), for testing
 * {@link DigitPageReader} on something closer to what people photograph than {@link DigitPages}' clean pages.
 *
 * <p>What a page looks like:
 * <ul>
 * <li><b>Writing</b>: real MNIST <em>test</em> digits, each 20-70 px tall, scaled from 28x28 by bilinear interpolation
 *     with a pen-like edge (a smoothstep on the coverage, no thickening); the MNIST values are the ink's coverage.
 *     1-5 lines of 1-12 digits, 2-40 px between neighbouring digits' ink, each digit's bottom wobbling by a few pixels
 *     about a slowly drifting baseline; baseline to baseline is the writing height times 1.45-3, so lines never
 *     overlap. The writing sits anywhere in the upper two thirds of the frame, every line inside the page (digits and
 *     gaps shrink, or digits and lines are dropped, until it fits); about one page in ten holds one single digit in
 *     a large empty area.</li>
 * <li><b>Ink</b>: black or dark-blue ballpoint, or pencil (grey, 0.45-0.65 strength, grainy); ink multiplies what is
 *     under it, so it darkens paper, rules and other ink alike.</li>
 * <li><b>Paper</b>: brightness 222-242, slightly warm or cool, fine grain and low-frequency mottling; a third of the
 *     pages faintly ruled (light-blue or grey lines 1-2 px thick across the whole page, as far apart as the lines
 *     of writing, the digits' bottoms 2-6 px above a rule).</li>
 * <li><b>Light</b>: a linear gradient (4-20 %, any direction) times a vignette (5-22 %), on about 30 % of the pages a
 *     soft shadow over one side or corner; the light field is rescaled so the darkest paper is at least 70 % as bright
 *     as the brightest.</li>
 * <li><b>Camera</b>: the whole page turned by up to 4 degrees about its centre (bilinear; paper beyond the frame, so
 *     no black corners), a Gaussian blur of 0.4-1.3 px, Gaussian sensor noise of 2-6 grey levels per channel, then
 *     JPEG at quality 70-90 (RGB), or on about a quarter of the pages a grey "document mode" image (perhaps
 *     contrast-stretched) stored losslessly. 600-2000 px wide, portrait or landscape (about 3:4 or 4:3).</li>
 * </ul>
 * {@link #hardPage} adds what readers get wrong: two digits touching (their ink boxes overlapping by a few pixels), a
 * stroke broken by a 2-3 px gap, a coffee ring over or beside the writing and a red margin line.
 *
 * <p>The truth is in the final image's coordinates: each digit's label and the bounding box of its rotated ink
 * (coverage above 0.35), by line in reading order (lines top to bottom on the page, digits left to right).
 * Everything is drawn from {@code new Random(seed)}: the same seed gives the same photo.
 */
public final class PhonePhotos {
    /** Ink coverage counted as the digit's ink for its box. */
    static final float BOX_ALPHA = 0.35f;
    static final double MAX_ANGLE = 4;
    static final double MIN_LIGHT = 0.7;

    private PhonePhotos() {
    }

    /** One digit as placed: its MNIST label and the box of its ink in the photo. */
    public record Placed(int label, int x, int y, int width, int height) {
    }

    /**
     * A generated photo and what is on it, line by line; {@code angleDegrees} is how far the page is turned
     * (positive = anticlockwise on screen) and {@code description} its parameters, for logs.
     */
    public record Photo(BufferedImage image, List<List<Placed>> lines, double angleDegrees, String description) {
        public int count() {
            return lines.stream().mapToInt(List::size).sum();
        }
    }

    /**
     * How a reading compares with a photo: digits present, found (segmented as one box), correct (found and labelled
     * right), extra detections (centre on no digit), lines on the page and lines segmented exactly.
     */
    public record Score(int present, int found, int correct, int extra, int lines, int linesExact) {
        public Score plus(Score o) {
            return new Score(present + o.present, found + o.found, correct + o.correct, extra + o.extra, lines + o.lines,
                    linesExact + o.linesExact);
        }
    }

    /** A page of handwritten digits, using {@code digits} (MNIST test images) from index {@code first} on (wrapping). */
    public static Photo photo(ImageSet digits, int first, long seed) {
        return generate(digits, first, seed, Kind.NORMAL);
    }

    /** A harder page: two digits touching, a broken stroke, a coffee ring and a red margin line. */
    public static Photo hardPage(ImageSet digits, int first, long seed) {
        return generate(digits, first, seed, Kind.HARD);
    }

    /** Paper, light and camera, no digits (rules on a third of them, like the other pages). */
    public static Photo blank(long seed) {
        return generate(null, 0, seed, Kind.BLANK);
    }

    /**
     * Scores a reading. A true digit is found when exactly one detection has its centre inside the digit's ink box
     * (grown by 2 px) and that detection's box contains the ink box's centre, and the detection is not a merge: its
     * box contains no other digit's centre and no other digit is matched to it that way (two digits read as one box
     * are not found); it is correct when the labels agree. A detection
     * whose centre lies inside no digit's box (grown by 2 px) is extra. A true line is exact when, after dropping every
     * detection matched to no true digit and then every empty line, the reader's line with the same index holds
     * exactly the detections matched to that line's digits, in the same order (labels are not compared here).
     */
    public static Score score(Photo truth, DigitPageReader.Page read) {
        List<DigitPageReader.Digit> all = new ArrayList<>();
        List<int[]> readLines = new ArrayList<>();
        for (List<DigitPageReader.Digit> line : read.lines()) {
            int[] ids = new int[line.size()];
            for (int i = 0; i < line.size(); i++) {
                ids[i] = all.size();
                all.add(line.get(i));
            }
            readLines.add(ids);
        }
        List<Placed> digits = truth.lines().stream().flatMap(List::stream).toList();
        int[] candidate = new int[digits.size()];
        int[] claims = new int[all.size()];
        for (int t = 0; t < digits.size(); t++) {
            Placed p = digits.get(t);
            candidate[t] = -1;
            int inside = -1;
            int insideCount = 0;
            for (int d = 0; d < all.size(); d++) {
                if (centreInGrown(all.get(d), p)) {
                    inside = d;
                    insideCount++;
                }
            }
            if (insideCount == 1 && contains(all.get(inside), p.x() + p.width() / 2.0, p.y() + p.height() / 2.0)
                    && centresIn(all.get(inside), digits) == 1) {
                candidate[t] = inside;
                claims[inside]++;
            }
        }
        int[] matchOf = new int[digits.size()];
        int[] trueOf = new int[all.size()];
        java.util.Arrays.fill(trueOf, -1);
        int found = 0;
        int correct = 0;
        for (int t = 0; t < digits.size(); t++) {
            matchOf[t] = candidate[t] >= 0 && claims[candidate[t]] == 1 ? candidate[t] : -1;
            if (matchOf[t] >= 0) {
                trueOf[matchOf[t]] = t;
                found++;
                if (all.get(matchOf[t]).label().equals(String.valueOf(digits.get(t).label()))) {
                    correct++;
                }
            }
        }
        int extra = 0;
        for (DigitPageReader.Digit d : all) {
            if (digits.stream().noneMatch(p -> centreInGrown(d, p))) {
                extra++;
            }
        }
        List<List<Integer>> kept = new ArrayList<>();
        for (int[] ids : readLines) {
            List<Integer> line = new ArrayList<>();
            for (int id : ids) {
                if (trueOf[id] >= 0) {
                    line.add(id);
                }
            }
            if (!line.isEmpty()) {
                kept.add(line);
            }
        }
        int linesExact = 0;
        int t = 0;
        for (int i = 0; i < truth.lines().size(); i++) {
            List<Integer> expected = new ArrayList<>();
            boolean allFound = true;
            for (int j = 0; j < truth.lines().get(i).size(); j++, t++) {
                allFound &= matchOf[t] >= 0;
                expected.add(matchOf[t]);
            }
            if (allFound && i < kept.size() && kept.get(i).equals(expected)) {
                linesExact++;
            }
        }
        return new Score(digits.size(), found, correct, extra, truth.lines().size(), linesExact);
    }

    private static boolean centreInGrown(DigitPageReader.Digit d, Placed p) {
        double cx = d.x() + d.width() / 2.0;
        double cy = d.y() + d.height() / 2.0;
        return cx >= p.x() - 2 && cx < p.x() + p.width() + 2 && cy >= p.y() - 2 && cy < p.y() + p.height() + 2;
    }

    /** How many true digits have their box's centre inside the detection (more than one: a merge). */
    private static long centresIn(DigitPageReader.Digit d, List<Placed> digits) {
        return digits.stream().filter(p -> contains(d, p.x() + p.width() / 2.0, p.y() + p.height() / 2.0)).count();
    }

    private static boolean contains(DigitPageReader.Digit d, double x, double y) {
        return x >= d.x() && x < d.x() + d.width() && y >= d.y() && y < d.y() + d.height();
    }

    /**
     * Writes pages for a person to look at: {@code [outDir [count [seed]]]} (default {@code phone-photos 30 1}); every
     * tenth page is a hard one. The MNIST test set comes from {@code $DEEPNETS_DATA}; {@code truth.json} holds each
     * file's lines of {@code {label, box: [x, y, w, h]}}.
     */
    public static void main(String[] args) throws IOException {
        Path out = Path.of(args.length > 0 ? args[0] : "phone-photos");
        int count = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        long seed = args.length > 2 ? Long.parseLong(args[2]) : 1;
        String data = System.getenv("DEEPNETS_DATA");
        if (data == null || data.isBlank()) {
            System.err.println("set DEEPNETS_DATA to the folder that holds mnist/");
            System.exit(2);
        }
        ImageSet digits = DatasetLoader.forConfig(new DataConfig("mnist", null, null, 0.2, false, null, null, null), Path.of(data), Map.of(),
                DataSources.canonical(), new PrintStream(OutputStream.nullOutputStream())).test();
        Files.createDirectories(out);
        StringBuilder json = new StringBuilder("{\n");
        int first = 0;
        for (int i = 0; i < count; i++) {
            boolean hard = i % 10 == 9;
            long start = System.nanoTime();
            Photo p = hard ? hardPage(digits, first, seed + i) : photo(digits, first, seed + i);
            long ms = (System.nanoTime() - start) / 1_000_000;
            first += p.count();
            boolean grey = p.image().getType() == BufferedImage.TYPE_BYTE_GRAY;
            String name = String.format(Locale.ROOT, "page-%03d%s.%s", i, hard ? "-hard" : "", grey ? "png" : "jpg");
            if (grey) {
                ImageIO.write(p.image(), "png", out.resolve(name).toFile());
            } else {
                Files.write(out.resolve(name), jpeg(p.image(), 0.95f));
            }
            System.out.printf(Locale.ROOT, "%s (%d ms): %s%n", name, ms, p.description());
            json.append("  \"").append(name).append("\": {\"description\": \"").append(p.description().replace("\\", "\\\\").replace("\"", "\\\""))
                    .append("\", \"angle\": ").append(String.format(Locale.ROOT, "%.3f", p.angleDegrees())).append(", \"lines\": [");
            for (int l = 0; l < p.lines().size(); l++) {
                json.append(l == 0 ? "\n    [" : ",\n    [");
                List<Placed> line = p.lines().get(l);
                for (int j = 0; j < line.size(); j++) {
                    Placed d = line.get(j);
                    json.append(j == 0 ? "" : ", ").append(String.format(Locale.ROOT, "{\"label\": %d, \"box\": [%d, %d, %d, %d]}", d.label(), d.x(), d.y(),
                            d.width(), d.height()));
                }
                json.append(']');
            }
            json.append(p.lines().isEmpty() ? "]}" : "\n  ]}").append(i + 1 < count ? ",\n" : "\n");
        }
        json.append("}\n");
        Files.writeString(out.resolve("truth.json"), json.toString());
    }

    // ------------------------------------------------------------------------------------------------------------
    // Generation

    private enum Kind {
        NORMAL, HARD, BLANK
    }

    private enum Ink {
        BLACK("black ballpoint", 28, 28, 36), BLUE("blue ballpoint", 30, 48, 128), PENCIL("pencil", 78, 78, 84);

        final String words;
        final float r;
        final float g;
        final float b;

        Ink(String words, float r, float g, float b) {
            this.words = words;
            this.r = r;
            this.g = g;
            this.b = b;
        }
    }

    /** One digit's ink: coverage on a small patch, the tight box of coverage above 0.35, and where the patch lies. */
    private static final class Glyph {
        final int label;
        final int w;
        final int h;
        final float[] a;
        int bx0;
        int by0;
        int bx1;
        int by1;
        /** The patch's top-left corner on the unturned page (frame coordinates). */
        int x;
        int y;

        Glyph(int label, int w, int h, float[] a) {
            this.label = label;
            this.w = w;
            this.h = h;
            this.a = a;
            box();
        }

        void box() {
            bx0 = Integer.MAX_VALUE;
            by0 = Integer.MAX_VALUE;
            bx1 = -1;
            by1 = -1;
            for (int v = 0; v < h; v++) {
                for (int u = 0; u < w; u++) {
                    if (a[v * w + u] > BOX_ALPHA) {
                        bx0 = Math.min(bx0, u);
                        by0 = Math.min(by0, v);
                        bx1 = Math.max(bx1, u);
                        by1 = Math.max(by1, v);
                    }
                }
            }
        }

        float at(double u, double v) {
            int u0 = (int) Math.floor(u);
            int v0 = (int) Math.floor(v);
            if (u0 < -1 || v0 < -1 || u0 >= w || v0 >= h) {
                return 0f;
            }
            double fu = u - u0;
            double fv = v - v0;
            return (float) ((1 - fv) * ((1 - fu) * px(u0, v0) + fu * px(u0 + 1, v0)) + fv * ((1 - fu) * px(u0, v0 + 1) + fu * px(u0 + 1, v0 + 1)));
        }

        private float px(int u, int v) {
            return u < 0 || v < 0 || u >= w || v >= h ? 0f : a[v * w + u];
        }
    }

    /** A fast generator for per-pixel noise (xorshift64*), seeded from the page's Random. */
    private static final class Noise {
        private long s;

        Noise(long seed) {
            s = seed == 0 ? 0x9E3779B97F4A7C15L : seed;
        }

        /** A standard normal value from a fixed table. */
        float gauss() {
            s ^= s >>> 12;
            s ^= s << 25;
            s ^= s >>> 27;
            return GAUSS[(int) ((s * 2685821657736338717L) >>> 48)];
        }
    }

    private static final float[] GAUSS = gaussTable();

    private static float[] gaussTable() {
        Random r = new Random(0x5EEDL);
        float[] t = new float[1 << 16];
        for (int i = 0; i < t.length; i++) {
            t[i] = (float) Math.max(-4, Math.min(4, r.nextGaussian()));
        }
        return t;
    }

    private static Photo generate(ImageSet digits, int first, long seed, Kind kind) {
        Random r = new Random(seed);
        // frame and camera
        int width = 600 + r.nextInt(1401);
        boolean landscape = r.nextBoolean();
        int height = (int) Math.round(width * (landscape ? 0.75 : 4.0 / 3.0) * (0.97 + 0.06 * r.nextDouble()));
        double angle = (2 * r.nextDouble() - 1) * MAX_ANGLE;
        double sinA = Math.abs(Math.sin(Math.toRadians(angle)));
        double blur = 0.4 + 0.9 * r.nextDouble();
        double noise = 2 + 4 * r.nextDouble();
        boolean document = r.nextDouble() < 0.25;
        int quality = 70 + r.nextInt(21);
        // ink and paper
        double u = r.nextDouble();
        Ink ink = u < 0.4 ? Ink.BLACK : u < 0.72 ? Ink.BLUE : Ink.PENCIL;
        double strength = ink == Ink.PENCIL ? 0.45 + 0.2 * r.nextDouble() : 0.9 + 0.07 * r.nextDouble();
        boolean ruled = r.nextDouble() < 1.0 / 3;
        boolean blueRules = r.nextDouble() < 0.7;
        boolean shadow = r.nextDouble() < 0.3;
        boolean single = kind == Kind.NORMAL && r.nextDouble() < 0.10;

        // The page is drawn larger than the frame so that turning it leaves paper in the corners.
        int padX = (int) Math.ceil(Math.sin(Math.toRadians(MAX_ANGLE)) / 2 * height) + 3;
        int padY = (int) Math.ceil(Math.sin(Math.toRadians(MAX_ANGLE)) / 2 * width) + 3;
        int cw = width + 2 * padX;
        int ch = height + 2 * padY;
        float[][] page = paper(r, cw, ch);

        StringBuilder desc = new StringBuilder(String.format(Locale.ROOT, "%dx%d %s, %s", width, height, landscape ? "landscape" : "portrait",
                kind == Kind.BLANK ? "blank" : ink.words + String.format(Locale.ROOT, " (strength %.2f)", strength)));
        List<List<Glyph>> glyphs = new ArrayList<>();
        Layout layout = null;
        double marginX = -1;
        if (kind != Kind.BLANK) {
            int mX = padX + 8;
            int leftMargin = mX;
            if (kind == Kind.HARD) {
                marginX = mX + (0.01 + 0.03 * r.nextDouble()) * width;
                leftMargin = (int) Math.ceil(marginX) + 14 + r.nextInt(20);
            }
            layout = layout(r, digits, first, kind, single, ruled, width, height, leftMargin, mX, padY + 8, sinA);
            glyphs = layout.lines;
            desc.append(String.format(Locale.ROOT, ", %s, digits %d px", layout.words, Math.round(layout.hMax)));
        }
        if (ruled) {
            double pitch = layout != null ? layout.pitch : 28 + 0.04 * width * (0.6 + r.nextDouble());
            double y0 = layout != null ? layout.baseline0 + 3.5 + r.nextDouble() : r.nextDouble() * pitch;
            rules(r, page, cw, ch, y0 + padY, pitch, blueRules);
            desc.append(String.format(Locale.ROOT, ", ruled (%s, %.0f px apart)", blueRules ? "light blue" : "grey", pitch));
        }
        if (kind == Kind.HARD) {
            redMargin(r, page, cw, ch, marginX + padX);
            desc.append(coffeeRing(r, page, cw, ch, layout, padX, padY, width, height));
        }
        Noise n = new Noise(r.nextLong());
        for (List<Glyph> line : glyphs) {
            for (Glyph g : line) {
                drawInk(page, cw, g, g.x + padX, g.y + padY, ink, strength, n);
            }
        }

        float[][] frame = rotate(page, cw, ch, width, height, angle);
        page = null;
        desc.append(light(r, frame, width, height, shadow));
        float[] tmp = new float[width * height];
        for (float[] c : frame) {
            blur(c, width, height, blur, tmp);
        }
        desc.append(String.format(Locale.ROOT, ", angle %+.2f deg, blur %.2f px, noise %.1f", angle, blur, noise));
        BufferedImage image;
        if (document) {
            image = documentMode(r, frame, width, height, noise, n, desc);
        } else {
            image = jpegPhoto(frame, width, height, noise, n, quality);
            desc.append(", jpeg q").append(quality);
        }

        List<List<Placed>> lines = new ArrayList<>();
        for (List<Glyph> line : glyphs) {
            List<Placed> placed = new ArrayList<>();
            for (Glyph g : line) {
                placed.add(truthBox(g, width, height, angle));
            }
            lines.add(placed);
        }
        return new Photo(image, lines, angle, desc.toString());
    }

    /** The writing, placed on the unturned page. */
    private record Layout(List<List<Glyph>> lines, double hMax, double pitch, double baseline0, String words) {
    }

    private static Layout layout(Random r, ImageSet digits, int first, Kind kind, boolean single, boolean ruled, int width, int height,
            int leftMargin, int mX, int mY, double sinA) {
        int lineCount = single ? 1 : 1 + r.nextInt(5);
        int[] counts = new int[lineCount];
        for (int l = 0; l < lineCount; l++) {
            counts[l] = single ? 1 : 1 + r.nextInt(12);
        }
        if (kind == Kind.HARD) {
            counts[0] = Math.max(counts[0], lineCount == 1 ? 3 : 2);
        }
        double h0 = single ? 30 + 40 * r.nextDouble() : 20 + 50 * r.nextDouble();
        double spacing = 0.45 + 1.55 * r.nextDouble();
        int gapLow = 2 + r.nextInt(20);
        int gapHigh = gapLow + r.nextInt(41 - gapLow);
        double[][] size = new double[lineCount][12];
        int[][] gap = new int[lineCount][12];
        double[][] wobble = new double[lineCount][12];
        double[] phase = new double[lineCount];
        double[] wave = new double[lineCount];
        for (int l = 0; l < lineCount; l++) {
            for (int j = 0; j < 12; j++) {
                size[l][j] = 0.88 + 0.24 * r.nextDouble();
                gap[l][j] = gapLow + r.nextInt(gapHigh - gapLow + 1);
                wobble[l][j] = 2 * r.nextDouble() - 1;
            }
            phase[l] = 2 * Math.PI * r.nextDouble();
            wave[l] = 250 + 600 * r.nextDouble();
        }
        double driftDraw = r.nextDouble();

        // Fit: less space between lines, then smaller digits and gaps, then fewer digits or lines.
        int n = digits.count();
        Map<Integer, int[]> sourceBoxes = new HashMap<>();
        int availW = width - leftMargin - mX;
        double availH = height * 2.0 / 3 - mY;
        double f = 1;
        double hMax;
        double wMax;
        double[] lineW;
        int minGap;
        while (true) {
            hMax = 0;
            wMax = 0;
            lineW = new double[lineCount];
            int k = first;
            for (int l = 0; l < lineCount; l++) {
                for (int j = 0; j < counts[l]; j++) {
                    int[] box = sourceBoxes.computeIfAbsent(Math.floorMod(k++, n), i -> sourceBox(digits.row(i)));
                    double h = clamp(h0 * f * size[l][j], 20, 70);
                    double s = h / box[3];
                    double w = (box[2] + 2) * s + 2;
                    hMax = Math.max(hMax, h);
                    wMax = Math.max(wMax, w);
                    lineW[l] += w;
                }
            }
            minGap = 2 + (int) Math.ceil(hMax * sinA);
            double widest = 0;
            int widestLine = 0;
            for (int l = 0; l < lineCount; l++) {
                for (int j = 1; j < counts[l]; j++) {
                    lineW[l] += Math.max(minGap, Math.round(gap[l][j] * Math.min(1, f * 1.2)));
                }
                if (lineW[l] > widest) {
                    widest = lineW[l];
                    widestLine = l;
                }
            }
            boolean wideOk = widest <= availW;
            boolean highOk = lineCount * hMax * (1 + spacing) <= availH;
            if (wideOk && highOk) {
                break;
            }
            if (!highOk && spacing > 0.45) {
                spacing = Math.max(0.45, spacing - 0.1);
            } else if (hMax > 20.5) {
                f *= 0.93;
            } else if (!wideOk) {
                counts[widestLine]--;
            } else {
                lineCount--;
            }
        }

        // Baselines: the digits' bottoms wobble by a few pixels about a slowly drifting line; lines keep apart.
        double pitch = hMax * (1 + spacing);
        double budget = Math.max(0, (hMax * spacing - 2 - wMax * sinA) / 2);
        double wob = ruled ? Math.min(1, budget * 0.5) : Math.min(1 + 0.045 * hMax, budget * 0.6);
        double drift = ruled ? 0 : Math.max(0, Math.min(driftDraw * 0.08 * hMax, budget - wob - 0.5));
        double widest = 0;
        for (int l = 0; l < lineCount; l++) {
            widest = Math.max(widest, lineW[l]);
        }
        int x0 = leftMargin + r.nextInt(Math.max(0, availW - (int) Math.ceil(widest)) + 1);
        double needH = lineCount * pitch;
        double y0 = mY + r.nextDouble() * Math.max(0, availH - needH);
        double baseline0 = y0 + hMax * spacing / 2 + hMax;

        // The hard page's touching pair and broken digit.
        int touchLine = -1;
        int touchAt = -1;
        int brokenLine = -1;
        int brokenAt = -1;
        if (kind == Kind.HARD) {
            List<int[]> pairs = new ArrayList<>();
            for (int l = 0; l < lineCount; l++) {
                for (int j = 1; j < counts[l]; j++) {
                    pairs.add(new int[] {l, j});
                }
            }
            if (!pairs.isEmpty()) {
                int[] p = pairs.get(r.nextInt(pairs.size()));
                touchLine = p[0];
                touchAt = p[1];
            }
            List<int[]> others = new ArrayList<>();
            for (int l = 0; l < lineCount; l++) {
                for (int j = 0; j < counts[l]; j++) {
                    if (l != touchLine || (j != touchAt && j != touchAt - 1)) {
                        others.add(new int[] {l, j});
                    }
                }
            }
            if (!others.isEmpty()) {
                int[] p = others.get(r.nextInt(others.size()));
                brokenLine = p[0];
                brokenAt = p[1];
            }
        }

        List<List<Glyph>> lines = new ArrayList<>();
        StringBuilder words = new StringBuilder();
        int k = first;
        for (int l = 0; l < lineCount; l++) {
            int room = availW - (x0 - leftMargin) - (int) Math.ceil(lineW[l]);
            int cursor = x0 + r.nextInt(Math.max(0, Math.min(room, (int) (0.8 * hMax))) + 1);
            double baseline = baseline0 + l * pitch;
            List<Glyph> line = new ArrayList<>();
            for (int j = 0; j < counts[l]; j++) {
                int index = Math.floorMod(k++, n);
                int[] box = sourceBoxes.computeIfAbsent(index, i -> sourceBox(digits.row(i)));
                double h = clamp(h0 * f * size[l][j], 20, 70);
                Glyph g = glyph(digits.row(index), digits.labels()[index], h / box[3]);
                int target = (int) Math.round(h);
                if (g.by1 - g.by0 + 1 != target) { // one correction: the ink exactly as tall as wanted
                    g = glyph(digits.row(index), digits.labels()[index], h / box[3] * target / (g.by1 - g.by0 + 1.0));
                }
                if (l == brokenLine && j == brokenAt) {
                    breakStroke(r, g);
                }
                double bottom = baseline + wob * wobble[l][j] + drift * Math.sin(2 * Math.PI * (cursor - x0) / wave[l] + phase[l]);
                g.y = (int) Math.round(bottom) - g.by1;
                g.x = cursor - g.bx0;
                if (l == touchLine && j == touchAt) {
                    touch(r, line.get(j - 1), g);
                }
                line.add(g);
                if (j + 1 < counts[l]) {
                    cursor = g.x + g.bx1 + 1 + Math.max(minGap, (int) Math.round(gap[l][j + 1] * Math.min(1, f * 1.2)));
                }
            }
            lines.add(line);
            words.append(l == 0 ? "" : "/").append(counts[l]);
        }
        String what = String.format(Locale.ROOT, "%s %s of %s digits", lineCount, lineCount == 1 ? "line" : "lines", words);
        if (single) {
            what = "one single digit";
        }
        if (touchLine >= 0) {
            what += String.format(Locale.ROOT, ", digits %d and %d of line %d touching", touchAt, touchAt + 1, touchLine + 1);
        }
        if (brokenLine >= 0) {
            what += String.format(Locale.ROOT, ", digit %d of line %d broken", brokenAt + 1, brokenLine + 1);
        }
        return new Layout(lines, hMax, pitch, baseline0, what);
    }

    /** The MNIST digit's ink box {@code [x, y, w, h]} in its 28x28 image (values above 0.3). */
    private static int[] sourceBox(float[] p) {
        int x0 = 28;
        int y0 = 28;
        int x1 = -1;
        int y1 = -1;
        for (int y = 0; y < 28; y++) {
            for (int x = 0; x < 28; x++) {
                if (p[y * 28 + x] > 0.3f) {
                    x0 = Math.min(x0, x);
                    y0 = Math.min(y0, y);
                    x1 = Math.max(x1, x);
                    y1 = Math.max(y1, y);
                }
            }
        }
        return x1 < 0 ? new int[] {0, 0, 28, 28} : new int[] {x0, y0, x1 - x0 + 1, y1 - y0 + 1};
    }

    /** The digit scaled by {@code s} (bilinear), its edge made pen-like by a smoothstep on the coverage. */
    private static Glyph glyph(float[] p, int label, double s) {
        int side = (int) Math.ceil(28 * s);
        float[] a = new float[side * side];
        for (int v = 0; v < side; v++) {
            double sy = (v + 0.5) / s - 0.5;
            int y0 = (int) Math.floor(sy);
            double fy = sy - y0;
            for (int u = 0; u < side; u++) {
                double sx = (u + 0.5) / s - 0.5;
                int x0 = (int) Math.floor(sx);
                double fx = sx - x0;
                double c = (1 - fy) * ((1 - fx) * src(p, x0, y0) + fx * src(p, x0 + 1, y0)) + fy * ((1 - fx) * src(p, x0, y0 + 1) + fx * src(p, x0 + 1, y0 + 1));
                a[v * side + u] = (float) smooth(0.12, 0.62, c);
            }
        }
        return new Glyph(label, side, side, a);
    }

    private static float src(float[] p, int x, int y) {
        return x < 0 || y < 0 || x >= 28 || y >= 28 ? 0f : p[y * 28 + x];
    }

    /** Erases a 2-3 px band across the middle of the digit, slightly slanted. */
    private static void breakStroke(Random r, Glyph g) {
        double cy = g.by0 + (0.35 + 0.3 * r.nextDouble()) * (g.by1 - g.by0);
        double cx = (g.bx0 + g.bx1) / 2.0;
        double slope = Math.tan(Math.toRadians((2 * r.nextDouble() - 1) * 20));
        double half = (2 + r.nextDouble()) / 2;
        double norm = Math.sqrt(1 + slope * slope);
        for (int v = 0; v < g.h; v++) {
            for (int u = 0; u < g.w; u++) {
                double d = Math.abs((v - cy) - slope * (u - cx)) / norm;
                if (d < half + 0.5) {
                    g.a[v * g.w + u] *= (float) clamp(d - half + 0.5, 0, 1);
                }
            }
        }
        g.box();
    }

    /** Moves {@code b} left until its ink overlaps {@code a}'s by a pixel, and their boxes by 2-4 px at least. */
    private static void touch(Random r, Glyph a, Glyph b) {
        int best = Integer.MIN_VALUE;
        for (int y = Math.max(a.y, b.y); y < Math.min(a.y + a.h, b.y + b.h); y++) {
            int right = -1;
            for (int uu = a.w - 1; uu >= 0; uu--) {
                if (a.a[(y - a.y) * a.w + uu] > BOX_ALPHA) {
                    right = a.x + uu;
                    break;
                }
            }
            int left = -1;
            for (int uu = 0; uu < b.w; uu++) {
                if (b.a[(y - b.y) * b.w + uu] > BOX_ALPHA) {
                    left = uu;
                    break;
                }
            }
            if (right >= 0 && left >= 0) {
                best = Math.max(best, right - left);
            }
        }
        int aRight = a.x + a.bx1;
        b.x = best == Integer.MIN_VALUE ? aRight - b.bx0 - 2 : best;
        int overlap = aRight - (b.x + b.bx0) + 1;
        int want = 2 + r.nextInt(3);
        if (overlap < want) {
            b.x -= want - overlap;
        }
    }

    /** The box of the digit's turned ink (coverage above 0.35) in the photo. */
    private static Placed truthBox(Glyph g, int width, int height, double angle) {
        double t = Math.toRadians(angle);
        double cos = Math.cos(t);
        double sin = Math.sin(t);
        double cx = (width - 1) / 2.0;
        double cy = (height - 1) / 2.0;
        double fx0 = Double.MAX_VALUE;
        double fy0 = Double.MAX_VALUE;
        double fx1 = -Double.MAX_VALUE;
        double fy1 = -Double.MAX_VALUE;
        for (int corner = 0; corner < 4; corner++) {
            double dx = g.x + ((corner & 1) == 0 ? g.bx0 - 1 : g.bx1 + 1) - cx;
            double dy = g.y + ((corner & 2) == 0 ? g.by0 - 1 : g.by1 + 1) - cy;
            double x = cx + dx * cos + dy * sin;
            double y = cy - dx * sin + dy * cos;
            fx0 = Math.min(fx0, x);
            fy0 = Math.min(fy0, y);
            fx1 = Math.max(fx1, x);
            fy1 = Math.max(fy1, y);
        }
        int bx0 = Integer.MAX_VALUE;
        int by0 = Integer.MAX_VALUE;
        int bx1 = -1;
        int by1 = -1;
        for (int y = Math.max(0, (int) Math.floor(fy0)); y <= Math.min(height - 1, (int) Math.ceil(fy1)); y++) {
            for (int x = Math.max(0, (int) Math.floor(fx0)); x <= Math.min(width - 1, (int) Math.ceil(fx1)); x++) {
                double dx = x - cx;
                double dy = y - cy;
                double px = cx + dx * cos - dy * sin;
                double py = cy + dx * sin + dy * cos;
                if (g.at(px - g.x, py - g.y) > BOX_ALPHA) {
                    bx0 = Math.min(bx0, x);
                    by0 = Math.min(by0, y);
                    bx1 = Math.max(bx1, x);
                    by1 = Math.max(by1, y);
                }
            }
        }
        return new Placed(g.label, bx0, by0, bx1 - bx0 + 1, by1 - by0 + 1);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Drawing: paper, rules, stains, ink

    /** Paper: a slightly warm or cool white, low-frequency mottling (two octaves of value noise) and fine grain. */
    private static float[][] paper(Random r, int w, int h) {
        int base = 222 + r.nextInt(21);
        float pr;
        float pg;
        float pb;
        if (r.nextBoolean()) { // warm
            pr = (float) Math.min(252, base + 2 + 4 * r.nextDouble());
            pg = base + (float) r.nextDouble();
            pb = (float) (base - 4 - 6 * r.nextDouble());
        } else { // cool
            pr = (float) (base - 2 - 4 * r.nextDouble());
            pg = base - (float) r.nextDouble();
            pb = (float) Math.min(252, base + 1 + 4 * r.nextDouble());
        }
        int cell1 = 70 + r.nextInt(120);
        int cell2 = 12 + r.nextInt(14);
        float amp1 = (float) (0.006 + 0.012 * r.nextDouble());
        float amp2 = (float) (0.003 + 0.005 * r.nextDouble());
        float grain = (float) (0.6 + 1.4 * r.nextDouble());
        float[] g1 = grid(r, w / cell1 + 3, h / cell1 + 3);
        float[] g2 = grid(r, w / cell2 + 3, h / cell2 + 3);
        int n1 = w / cell1 + 3;
        int n2 = w / cell2 + 3;
        int[] ix1 = new int[w];
        int[] ix2 = new int[w];
        float[] tx1 = new float[w];
        float[] tx2 = new float[w];
        for (int x = 0; x < w; x++) {
            ix1[x] = x / cell1;
            tx1[x] = (float) smooth(0, 1, (x % cell1) / (double) cell1);
            ix2[x] = x / cell2;
            tx2[x] = (float) smooth(0, 1, (x % cell2) / (double) cell2);
        }
        Noise n = new Noise(r.nextLong());
        float[] red = new float[w * h];
        float[] green = new float[w * h];
        float[] blue = new float[w * h];
        for (int y = 0; y < h; y++) {
            int r1 = (y / cell1) * n1;
            float ty1 = (float) smooth(0, 1, (y % cell1) / (double) cell1);
            int r2 = (y / cell2) * n2;
            float ty2 = (float) smooth(0, 1, (y % cell2) / (double) cell2);
            for (int x = 0; x < w; x++) {
                int a = r1 + ix1[x];
                float top = g1[a] + tx1[x] * (g1[a + 1] - g1[a]);
                float bottom = g1[a + n1] + tx1[x] * (g1[a + n1 + 1] - g1[a + n1]);
                float m = amp1 * (top + ty1 * (bottom - top));
                int b = r2 + ix2[x];
                top = g2[b] + tx2[x] * (g2[b + 1] - g2[b]);
                bottom = g2[b + n2] + tx2[x] * (g2[b + n2 + 1] - g2[b + n2]);
                m += amp2 * (top + ty2 * (bottom - top));
                float grainHere = grain * n.gauss();
                int p = y * w + x;
                red[p] = pr * (1 + m) + grainHere;
                green[p] = pg * (1 + m) + grainHere;
                blue[p] = pb * (1 + m) + grainHere;
            }
        }
        return new float[][] {red, green, blue};
    }

    private static float[] grid(Random r, int w, int h) {
        float[] g = new float[w * h];
        for (int i = 0; i < g.length; i++) {
            g[i] = (float) (2 * r.nextDouble() - 1);
        }
        return g;
    }

    /** Faint rules across the whole page, {@code pitch} apart, one of them at {@code y0} (page coordinates). */
    private static void rules(Random r, float[][] page, int w, int h, double y0, double pitch, boolean blue) {
        double thick = 1 + r.nextDouble();
        double alpha = blue ? 0.25 + 0.15 * r.nextDouble() : 0.18 + 0.12 * r.nextDouble();
        float[] colour = blue ? new float[] {120, 168, 220} : new float[] {140, 140, 142};
        double first = y0 - Math.ceil(y0 / pitch) * pitch;
        for (double yr = first; yr < h + pitch; yr += pitch) {
            hLine(page, w, h, yr, thick, alpha, colour);
        }
    }

    private static void hLine(float[][] page, int w, int h, double centre, double thick, double alpha, float[] colour) {
        double top = centre - thick / 2;
        double bottom = centre + thick / 2;
        for (int y = Math.max(0, (int) Math.floor(top - 0.5)); y <= Math.min(h - 1, (int) Math.ceil(bottom + 0.5)); y++) {
            double cover = Math.max(0, Math.min(y + 0.5, bottom) - Math.max(y - 0.5, top));
            if (cover <= 0) {
                continue;
            }
            for (int c = 0; c < 3; c++) {
                float keep = (float) (1 - cover * alpha * (1 - colour[c] / 255.0));
                float[] ch = page[c];
                for (int x = 0, p = y * w; x < w; x++, p++) {
                    ch[p] *= keep;
                }
            }
        }
    }

    /** A red vertical margin line, 2-3 px, the whole height of the page. */
    private static void redMargin(Random r, float[][] page, int w, int h, double x) {
        double thick = 2 + r.nextDouble();
        double alpha = 0.5 + 0.2 * r.nextDouble();
        float[] colour = {222, 70, 82};
        double left = x - thick / 2;
        double right = x + thick / 2;
        for (int col = Math.max(0, (int) Math.floor(left - 0.5)); col <= Math.min(w - 1, (int) Math.ceil(right + 0.5)); col++) {
            double cover = Math.max(0, Math.min(col + 0.5, right) - Math.max(col - 0.5, left));
            if (cover <= 0) {
                continue;
            }
            for (int c = 0; c < 3; c++) {
                float keep = (float) (1 - cover * alpha * (1 - colour[c] / 255.0));
                for (int y = 0; y < h; y++) {
                    page[c][y * w + col] *= keep;
                }
            }
        }
    }

    /**
     * A coffee ring: an elliptical brown ring with a sharp outer edge and a soft inner one, stronger on one side, and a
     * faint stain inside; over the writing or below it.
     */
    private static String coffeeRing(Random r, float[][] page, int w, int h, Layout layout, int padX, int padY, int width, int height) {
        double rx = (0.1 + 0.08 * r.nextDouble()) * Math.min(width, height);
        double ry = rx * (0.85 + 0.25 * r.nextDouble());
        int x0 = Integer.MAX_VALUE;
        int y0 = Integer.MAX_VALUE;
        int x1 = 0;
        int y1 = 0;
        for (List<Glyph> line : layout.lines) {
            for (Glyph g : line) {
                x0 = Math.min(x0, g.x + g.bx0);
                y0 = Math.min(y0, g.y + g.by0);
                x1 = Math.max(x1, g.x + g.bx1);
                y1 = Math.max(y1, g.y + g.by1);
            }
        }
        boolean over = r.nextBoolean();
        double cx;
        double cy;
        if (over) { // the ring runs through one of the digits
            List<Glyph> all = layout.lines.stream().flatMap(List::stream).toList();
            Glyph g = all.get(r.nextInt(all.size()));
            double t = 2 * Math.PI * r.nextDouble();
            cx = g.x + (g.bx0 + g.bx1) / 2.0 - rx * Math.cos(t);
            cy = g.y + (g.by0 + g.by1) / 2.0 - ry * Math.sin(t);
        } else if (r.nextBoolean()) { // below
            cx = width * (0.15 + 0.7 * r.nextDouble());
            cy = y1 + ry + 12 + r.nextDouble() * 0.15 * height;
        } else { // to the right
            cx = x1 + rx + 12 + r.nextDouble() * 0.15 * width;
            cy = y0 + (y1 - y0) * r.nextDouble();
        }
        cx += padX;
        cy += padY;
        double ringW = 2 + 3 * r.nextDouble();
        double strength = 0.35 + 0.2 * r.nextDouble();
        double stain = 0.04 + 0.03 * r.nextDouble();
        // The ring is not a perfect ellipse and not equally dark all round: low harmonics of the angle, taken from
        // the direction's cosine and sine (no trigonometry per pixel).
        double[] shape = {0.012 * r.nextDouble(), 2 * Math.PI * r.nextDouble(), 0.01 * r.nextDouble(), 2 * Math.PI * r.nextDouble()};
        double c2 = Math.cos(shape[1]);
        double s2 = Math.sin(shape[1]);
        double c3 = Math.cos(shape[3]);
        double s3 = Math.sin(shape[3]);
        double dir = 2 * Math.PI * r.nextDouble();
        double dcx = Math.cos(dir);
        double dcy = Math.sin(dir);
        double dir2 = 2 * Math.PI * r.nextDouble();
        double ecx = Math.cos(dir2);
        double ecy = Math.sin(dir2);
        float[] colour = {140, 88, 42};
        double rMean = (rx + ry) / 2;
        double outer = 1.6;
        for (int y = Math.max(0, (int) (cy - ry * 1.05 - 8)); y <= Math.min(h - 1, (int) (cy + ry * 1.05 + 8)); y++) {
            for (int x = Math.max(0, (int) (cx - rx * 1.05 - 8)); x <= Math.min(w - 1, (int) (cx + rx * 1.05 + 8)); x++) {
                double ex = (x - cx) / rx;
                double ey = (y - cy) / ry;
                double q = Math.sqrt(ex * ex + ey * ey);
                double co = q > 1e-6 ? ex / q : 1;
                double si = q > 1e-6 ? ey / q : 0;
                double cos2 = co * co - si * si;
                double sin2 = 2 * co * si;
                double cos3 = co * (4 * co * co - 3);
                double sin3 = si * (3 - 4 * si * si);
                double radius = 1 + shape[0] * (cos2 * c2 + sin2 * s2) + shape[2] * (cos3 * c3 + sin3 * s3);
                double d = (q - radius) * rMean;
                if (d > outer) {
                    continue;
                }
                double ring = d > 0 ? (1 - d / outer) * (1 - d / outer) : 1 / (1 + (d / ringW) * (d / ringW));
                double side = 0.6 + 0.3 * (co * dcx + si * dcy) + 0.1 * ((co * co - si * si) * (ecx * ecx - ecy * ecy) + 4 * co * si * ecx * ecy);
                double alpha = strength * ring * side + (d < 0 ? stain : 0);
                int p = y * w + x;
                for (int c = 0; c < 3; c++) {
                    page[c][p] *= (float) (1 - alpha * (1 - colour[c] / 255.0));
                }
            }
        }
        return String.format(Locale.ROOT, ", red margin, coffee ring %s the writing", over ? "over" : "beside");
    }

    /** Ink multiplies what is under it, tinted towards its colour; pencil is grainy. */
    private static void drawInk(float[][] page, int w, Glyph g, int px, int py, Ink ink, double strength, Noise n) {
        float kr = (float) (strength * (1 - ink.r / 255.0));
        float kg = (float) (strength * (1 - ink.g / 255.0));
        float kb = (float) (strength * (1 - ink.b / 255.0));
        boolean pencil = ink == Ink.PENCIL;
        for (int v = 0; v < g.h; v++) {
            for (int u = 0; u < g.w; u++) {
                float a = g.a[v * g.w + u];
                if (a <= 0) {
                    continue;
                }
                if (pencil) {
                    a = Math.max(0, Math.min(1, a * (1 + 0.45f * n.gauss())));
                }
                int p = (py + v) * w + px + u;
                page[0][p] *= 1 - a * kr;
                page[1][p] *= 1 - a * kg;
                page[2][p] *= 1 - a * kb;
            }
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Camera

    /** The page turned by {@code angle} degrees (anticlockwise on screen) about its centre, cut to the frame. */
    private static float[][] rotate(float[][] page, int cw, int ch, int w, int h, double angle) {
        double t = Math.toRadians(angle);
        double cos = Math.cos(t);
        double sin = Math.sin(t);
        double fcx = (w - 1) / 2.0;
        double fcy = (h - 1) / 2.0;
        double pcx = (cw - 1) / 2.0;
        double pcy = (ch - 1) / 2.0;
        float[][] out = new float[3][w * h];
        for (int y = 0; y < h; y++) {
            double dy = y - fcy;
            for (int x = 0; x < w; x++) {
                double dx = x - fcx;
                double sx = pcx + dx * cos - dy * sin;
                double sy = pcy + dx * sin + dy * cos;
                int x0 = Math.max(0, Math.min(cw - 2, (int) Math.floor(sx)));
                int y0 = Math.max(0, Math.min(ch - 2, (int) Math.floor(sy)));
                float fx = (float) clamp(sx - x0, 0, 1);
                float fy = (float) clamp(sy - y0, 0, 1);
                int p = y0 * cw + x0;
                float w00 = (1 - fx) * (1 - fy);
                float w10 = fx * (1 - fy);
                float w01 = (1 - fx) * fy;
                float w11 = fx * fy;
                int q = y * w + x;
                for (int c = 0; c < 3; c++) {
                    float[] s = page[c];
                    out[c][q] = w00 * s[p] + w10 * s[p + 1] + w01 * s[p + cw] + w11 * s[p + cw + 1];
                }
            }
        }
        return out;
    }

    /**
     * Light: a linear gradient times a vignette, sometimes a soft shadow from one side or corner; rescaled so that its
     * darkest point is at least 70 % of its brightest.
     */
    private static String light(Random r, float[][] frame, int w, int h, boolean shadow) {
        double grad = 0.04 + 0.16 * r.nextDouble();
        double gDir = 2 * Math.PI * r.nextDouble();
        double gc = Math.cos(gDir);
        double gs = Math.sin(gDir);
        double gExt = Math.abs(gc) * w / 2 + Math.abs(gs) * h / 2;
        double vig = 0.05 + 0.17 * r.nextDouble();
        double vcx = w * (0.5 + 0.1 * (2 * r.nextDouble() - 1));
        double vcy = h * (0.5 + 0.1 * (2 * r.nextDouble() - 1));
        double depth = 0;
        double sc = 0;
        double ss = 0;
        double sExt = 1;
        double threshold = 0;
        double soft = 1;
        double curve = 0;
        String where = "";
        if (shadow) {
            boolean corner = r.nextBoolean();
            int quadrant = r.nextInt(4);
            double dir = (quadrant * 90 + (corner ? 45 : 0) + (2 * r.nextDouble() - 1) * (corner ? 15 : 20)) * Math.PI / 180;
            sc = Math.cos(dir);
            ss = Math.sin(dir);
            sExt = Math.abs(sc) * w / 2 + Math.abs(ss) * h / 2;
            double cover = 0.12 + 0.33 * r.nextDouble();
            threshold = 1 - 2 * cover;
            soft = 0.08 + 0.17 * r.nextDouble();
            curve = (2 * r.nextDouble() - 1) * 0.4;
            depth = 0.12 + 0.18 * r.nextDouble();
            where = corner ? "corner" : "side";
        }
        float[] field = new float[w * h];
        float max = 0;
        float min = Float.MAX_VALUE;
        double diag = Math.hypot(w, h) / 2;
        for (int y = 0; y < h; y++) {
            double dy = y - h / 2.0;
            double vy = (y - vcy) / (h / 2.0);
            for (int x = 0; x < w; x++) {
                double dx = x - w / 2.0;
                double vx = (x - vcx) / (w / 2.0);
                double l = (1 - grad * 0.5 * (1 + (dx * gc + dy * gs) / gExt)) * (1 - vig * 0.5 * (vx * vx + vy * vy));
                if (depth > 0) {
                    double along = (dx * sc + dy * ss) / sExt;
                    double across = (-dx * ss + dy * sc) / diag;
                    double s = along + curve * across * across - threshold;
                    l *= 1 - depth * smooth(-soft, soft, s);
                }
                float v = (float) l;
                field[y * w + x] = v;
                max = Math.max(max, v);
                min = Math.min(min, v);
            }
        }
        // Relative to the brightest point; the darkness is scaled down where it would fall under 70 %.
        float lo = min / max;
        float squeeze = lo < MIN_LIGHT ? (float) ((1 - MIN_LIGHT) / (1 - lo)) : 1f;
        for (int p = 0; p < field.length; p++) {
            float v = 1 - (1 - field[p] / max) * squeeze;
            frame[0][p] *= v;
            frame[1][p] *= v;
            frame[2][p] *= v;
        }
        return String.format(Locale.ROOT, ", light gradient %.0f%% vignette %.0f%%%s (darkest %.0f%%)", 100 * grad, 100 * vig,
                shadow ? String.format(Locale.ROOT, " shadow from a %s %.0f%%", where, 100 * depth) : "",
                100 * (1 - (1 - lo) * squeeze));
    }

    /** A separable Gaussian blur in place. */
    private static void blur(float[] c, int w, int h, double sigma, float[] tmp) {
        int rad = Math.max(1, (int) Math.ceil(3 * sigma));
        float[] k = new float[2 * rad + 1];
        double sum = 0;
        for (int i = -rad; i <= rad; i++) {
            k[i + rad] = (float) Math.exp(-i * i / (2 * sigma * sigma));
            sum += k[i + rad];
        }
        for (int i = 0; i < k.length; i++) {
            k[i] /= (float) sum;
        }
        for (int y = 0; y < h; y++) {
            int row = y * w;
            for (int x = 0; x < w; x++) {
                float s = 0;
                if (x >= rad && x < w - rad) {
                    for (int i = 0, p = row + x - rad; i < k.length; i++, p++) {
                        s += k[i] * c[p];
                    }
                } else {
                    for (int i = -rad; i <= rad; i++) {
                        s += k[i + rad] * c[row + Math.max(0, Math.min(w - 1, x + i))];
                    }
                }
                tmp[row + x] = s;
            }
        }
        java.util.Arrays.fill(c, 0f);
        for (int y = 0; y < h; y++) {
            int row = y * w;
            for (int i = -rad; i <= rad; i++) {
                int from = Math.max(0, Math.min(h - 1, y + i)) * w;
                float kk = k[i + rad];
                for (int x = 0; x < w; x++) {
                    c[row + x] += kk * tmp[from + x];
                }
            }
        }
    }

    private static int clampByte(float v) {
        int i = Math.round(v);
        return i < 0 ? 0 : i > 255 ? 255 : i;
    }

    /** Sensor noise per channel, then JPEG at {@code quality} and back. */
    private static BufferedImage jpegPhoto(float[][] frame, int w, int h, double sigma, Noise n, int quality) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        int[] data = ((DataBufferInt) img.getRaster().getDataBuffer()).getData();
        float s = (float) sigma;
        for (int p = 0; p < w * h; p++) {
            int red = clampByte(frame[0][p] + s * n.gauss());
            int green = clampByte(frame[1][p] + s * n.gauss());
            int blue = clampByte(frame[2][p] + s * n.gauss());
            data[p] = (red << 16) | (green << 8) | blue;
        }
        try {
            return ImageIO.read(new MemoryCacheImageInputStream(new ByteArrayInputStream(jpeg(img, quality / 100f))));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] jpeg(BufferedImage img, float quality) throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(out);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(quality);
            writer.write(null, new IIOImage(img, null, null), param);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    /** Sensor noise per channel, then grey, on most pages with the paper pushed towards white and the ink to black. */
    private static BufferedImage documentMode(Random r, float[][] frame, int w, int h, double sigma, Noise n, StringBuilder desc) {
        float s = (float) sigma;
        float[] grey = new float[w * h];
        int[] histogram = new int[256];
        for (int p = 0; p < grey.length; p++) {
            float v = 0.299f * (frame[0][p] + s * n.gauss()) + 0.587f * (frame[1][p] + s * n.gauss()) + 0.114f * (frame[2][p] + s * n.gauss());
            grey[p] = v;
            histogram[clampByte(v)]++;
        }
        float lo = 0;
        float scale = 1;
        if (r.nextDouble() < 0.6) {
            int paper = 0;
            for (int i = 0, seen = 0; i < 256; i++) {
                seen += histogram[i];
                if (seen >= 0.9 * grey.length) {
                    paper = i;
                    break;
                }
            }
            lo = r.nextInt(36);
            double white = 238 + r.nextInt(15);
            scale = (float) (white / Math.max(40, paper - lo));
            desc.append(String.format(Locale.ROOT, ", grey png (document mode, %.0f..%d stretched to 0..%.0f)", lo, paper, white));
        } else {
            desc.append(", grey png (document mode)");
        }
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        byte[] data = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
        for (int p = 0; p < grey.length; p++) {
            data[p] = (byte) clampByte((grey[p] - lo) * scale);
        }
        return img;
    }

    private static double clamp(double v, double lo, double hi) {
        return v < lo ? lo : v > hi ? hi : v;
    }

    private static double smooth(double e0, double e1, double x) {
        double t = clamp((x - e0) / (e1 - e0), 0, 1);
        return t * t * (3 - 2 * t);
    }
}
