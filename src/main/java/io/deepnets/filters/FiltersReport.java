package io.deepnets.filters;

import boofcv.struct.image.GrayF32;
import io.deepnets.BadInputException;
import io.deepnets.report.FiltersPage;
import io.deepnets.report.PageFigure;
import io.deepnets.report.PageTemplates;
import io.deepnets.runs.AtomicFiles;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * {@code deepnets filters}: the image (grey, or each of its colour channels), the noisy image if asked, every classic
 * filter as a PNG with its kernel and PSNR, correlation against convolution in a DL4J layer, a trained network's
 * first-layer kernels against the designed ones, the arithmetic of a few layers on the image's size, convolution three
 * ways with their timings, and the one-dimensional case: all on one page ({@code index.html}) and as figures (JSON).
 */
public final class FiltersReport {
    /** The largest image filtered: every filter keeps a float copy per channel. */
    public static final long MAX_PIXELS = 4_000_000;
    /** The centre crop the timings and the DL4J comparison run on. */
    static final int TIMING_SIZE = 96;
    static final int CROP_SIZE = 64;

    private FiltersReport() {
    }

    /**
     * What to do.
     *
     * @param noise null, {@code gaussian:SIGMA} (standard deviation in grey levels) or {@code salt-pepper:FRACTION}
     * @param model a trained run (folder or model.zip) whose first convolution is compared, or null
     * @param color filter each colour channel rather than the grey image
     */
    public record Request(Path image, String noise, long seed, Path out, ClassicFilters.Settings settings, Path model, boolean color) {
    }

    /** What was written: the folder, the page and the figures (also the JSON). */
    public record Outcome(Path folder, Path page, Map<String, Object> figures) {
    }

    /** Checks a noise option before any work: one line, exit 2, for anything else. */
    public static void checkNoise(String noise) {
        if (noise == null) {
            return;
        }
        String[] parts = noise.split(":", 2);
        if (parts.length != 2 || !(parts[0].equals("gaussian") || parts[0].equals("salt-pepper"))) {
            throw new BadInputException("--noise: expected gaussian:SIGMA or salt-pepper:FRACTION (e.g. gaussian:10, salt-pepper:0.1), got '" + noise + "'");
        }
        double v;
        try {
            v = Double.parseDouble(parts[1]);
        } catch (NumberFormatException e) {
            throw new BadInputException("--noise " + noise + ": '" + parts[1] + "' is not a number");
        }
        if (parts[0].equals("gaussian") && (!(v > 0) || v > 255)) {
            throw new BadInputException("--noise " + noise + ": expected a standard deviation in (0, 255] grey levels, got " + parts[1]);
        }
        if (parts[0].equals("salt-pepper") && (!(v >= 0) || v > 1)) {
            throw new BadInputException("--noise " + noise + ": expected a fraction of the pixels in [0, 1], got " + parts[1]);
        }
    }

    /** Reads the image (one line for a bad one) as 0-255 planes: one grey plane, or R, G, B. */
    static List<GrayF32> planes(BufferedImage img, boolean color) {
        int w = img.getWidth();
        int h = img.getHeight();
        int n = color ? 3 : 1;
        List<GrayF32> out = new ArrayList<>();
        for (int c = 0; c < n; c++) {
            out.add(new GrayF32(w, h));
        }
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            img.getRGB(0, y, w, 1, row, 0, w);
            for (int x = 0; x < w; x++) {
                int p = row[x];
                int r = (p >> 16) & 0xFF;
                int g = (p >> 8) & 0xFF;
                int b = p & 0xFF;
                if (color) {
                    out.get(0).data[y * w + x] = r;
                    out.get(1).data[y * w + x] = g;
                    out.get(2).data[y * w + x] = b;
                } else {
                    out.get(0).data[y * w + x] = (float) (0.299 * r + 0.587 * g + 0.114 * b);
                }
            }
        }
        return out;
    }

    public static Outcome write(Request r, BufferedImage img, io.deepnets.predict.TrainedModel model) throws IOException {
        long pixels = (long) img.getWidth() * img.getHeight();
        if (pixels > MAX_PIXELS) {
            throw new BadInputException(r.image() + ": " + img.getWidth() + "x" + img.getHeight() + " pixels; the filters work on images up to "
                    + String.format(Locale.ROOT, "%,d", MAX_PIXELS) + " pixels (e.g. 2000x2000): scale it down first");
        }
        int minSide = Math.min(img.getWidth(), img.getHeight());
        if (minSide < 5) {
            throw new BadInputException(r.image() + ": " + img.getWidth() + "x" + img.getHeight() + " pixels; the 5x5 filters need at least 5x5");
        }
        if (r.settings().gaussianSize() > minSide) {
            throw new BadInputException("--size " + r.settings().gaussianSize() + ": the kernel is larger than the " + img.getWidth() + "x"
                    + img.getHeight() + " image");
        }
        Files.createDirectories(r.out());
        List<GrayF32> clean = planes(img, r.color());
        List<GrayF32> input = new ArrayList<>();
        String noiseText = "";
        for (int c = 0; c < clean.size(); c++) {
            GrayF32 plane = clean.get(c);
            if (r.noise() == null) {
                input.add(plane);
                continue;
            }
            String[] parts = r.noise().split(":", 2);
            double v = Double.parseDouble(parts[1]);
            input.add(parts[0].equals("gaussian") ? ClassicFilters.gaussianNoise(plane, v, r.seed() + c) : ClassicFilters.saltAndPepper(plane, v, r.seed() + c));
            noiseText = parts[0].equals("gaussian") ? "Gaussian noise, mean 0, standard deviation " + parts[1] + " (seed " + r.seed() + ")"
                    : "salt-and-pepper noise on a fraction " + parts[1] + " of the pixels (seed " + r.seed() + ")";
        }
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("image", r.image().toString());
        figures.put("width", img.getWidth());
        figures.put("height", img.getHeight());
        figures.put("channels", r.color() ? "rgb" : "grey");
        figures.put("noise", r.noise());
        List<FiltersPage.Tile> inputs = new ArrayList<>();
        writePng(r.out().resolve("image.png"), clean);
        inputs.add(new FiltersPage.Tile(PageFigure.of("image.png", "the image"), r.color() ? "the image" : "the image, grey", "", List.of(), ""));
        if (r.noise() != null) {
            writePng(r.out().resolve("noisy.png"), input);
            double psnr = ClassicFilters.psnr(clean, input);
            figures.put("noisy_psnr_db", finite(psnr));
            inputs.add(new FiltersPage.Tile(PageFigure.of("noisy.png", "the noisy image"), "with noise", noiseText, List.of(), "PSNR " + db(psnr)));
        }
        List<List<ClassicFilters.Result>> perPlane = new ArrayList<>();
        for (GrayF32 plane : input) {
            perPlane.add(ClassicFilters.apply(plane, r.settings()));
        }
        List<FiltersPage.Tile> tiles = new ArrayList<>();
        List<Map<String, Object>> filterFigures = new ArrayList<>();
        for (int f = 0; f < perPlane.get(0).size(); f++) {
            ClassicFilters.Result first = perPlane.get(0).get(f);
            List<GrayF32> result = new ArrayList<>();
            for (List<ClassicFilters.Result> p : perPlane) {
                result.add(p.get(f).image());
            }
            String file = String.format(Locale.ROOT, "%02d-%s.png", f + 1, first.name().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-")
                    .replaceAll("-+$", ""));
            writePng(r.out().resolve(file), result);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", first.name());
            m.put("file", file);
            m.put("kernel", first.kernel());
            String line = "";
            if (r.noise() != null && first.picture()) {
                double psnr = ClassicFilters.psnr(clean, result);
                m.put("psnr_db", finite(psnr));
                line = "PSNR " + db(psnr);
            }
            filterFigures.add(m);
            tiles.add(new FiltersPage.Tile(PageFigure.of(file, first.name()), first.name(), first.description(), table(first.kernel(), 3), line));
        }
        figures.put("filters", filterFigures);

        double[][] grey = ClassicFilters.toArray(r.color() ? planes(img, false).get(0) : clean.get(0));
        double[][] crop = centre(grey, CROP_SIZE);
        double[][] asymmetric = {{1, 2, 3}, {0, 0, 0}, {-1, -2, -4}};
        double[][] layer = Dl4jCorrelation.layerOutput(crop, asymmetric);
        double vsCorrelation = TextbookConvolution.maxDifference(layer, TextbookConvolution.correlate(crop, asymmetric, TextbookConvolution.Padding.SAME));
        double vsFlipped = TextbookConvolution.maxDifference(layer,
                TextbookConvolution.convolve(crop, TextbookConvolution.flip(asymmetric), TextbookConvolution.Padding.SAME));
        double[][] plainConvolution = TextbookConvolution.convolve(crop, asymmetric, TextbookConvolution.Padding.SAME);
        double vsConvolution = TextbookConvolution.maxDifference(layer, plainConvolution);
        writeSigned(r.out().resolve("dl4j-layer.png"), layer);
        writeSigned(r.out().resolve("textbook-convolution.png"), plainConvolution);
        Map<String, Object> corr = new LinkedHashMap<>();
        corr.put("kernel", asymmetric);
        corr.put("crop", crop[0].length + "x" + crop.length);
        corr.put("layer_vs_correlation", vsCorrelation);
        corr.put("layer_vs_convolution_with_flipped_kernel", vsFlipped);
        corr.put("layer_vs_convolution", vsConvolution);
        figures.put("correlation_vs_convolution", corr);
        FiltersPage.Correlation correlation = new FiltersPage.Correlation(table(asymmetric, 0), "the image's centre " + crop[0].length + "x" + crop.length
                + " (grey)", sci(vsCorrelation), sci(vsFlipped), sci(vsConvolution), PageFigure.of("dl4j-layer.png", "DL4J's layer output"),
                PageFigure.of("textbook-convolution.png", "the textbook convolution with the kernel as it is"));

        List<FiltersPage.Learned> learned = new ArrayList<>();
        String learnedNote = "Give --model RUN (e.g. a run of configs/mnist-cnn.yaml) to see its first convolution's kernels here.";
        if (model != null) {
            List<LearnedKernels.Match> matches = LearnedKernels.of(model.network(), r.model() == null ? model.name() : r.model().toString());
            List<Map<String, Object>> mm = new ArrayList<>();
            for (LearnedKernels.Match m : matches) {
                String lf = String.format(Locale.ROOT, "learned-%02d.png", m.index() + 1);
                String cf = String.format(Locale.ROOT, "designed-%02d.png", m.index() + 1);
                writeSigned(r.out().resolve(lf), TextbookConvolution.correlate(grey, m.learned(), TextbookConvolution.Padding.SAME));
                writeSigned(r.out().resolve(cf), TextbookConvolution.correlate(grey, m.matched(), TextbookConvolution.Padding.SAME));
                String how = (m.negated() ? "negated, " : "") + (m.quarterTurns() == 0 ? "not turned" : "turned " + 90 * ((4 - m.quarterTurns()) % 4)
                        + " degrees clockwise");
                learned.add(new FiltersPage.Learned("#" + (m.index() + 1), table(m.learned(), 2), m.nearest() + " (" + how + "), as weights", table(m.matched(), 2),
                        String.format(Locale.ROOT, "%.2f", m.similarity()), PageFigure.of(lf, "learned kernel " + (m.index() + 1) + " on the image"),
                        PageFigure.of(cf, m.nearest() + " on the image")));
                Map<String, Object> one = new LinkedHashMap<>();
                one.put("kernel", m.index() + 1);
                one.put("nearest", m.nearest());
                one.put("cosine", m.similarity());
                one.put("negated", m.negated());
                one.put("quarter_turns", m.quarterTurns());
                mm.add(one);
            }
            long edges = matches.stream().filter(m -> m.nearest().contains("Sobel") || m.nearest().contains("gradient")).count();
            long blobs = matches.size() - edges;
            learnedNote = model.name() + "'s first convolution: " + matches.size() + " kernels, " + edges + " nearest to an edge detector (Sobel or a "
                    + "gradient), " + blobs + " to a blob or smoothing kernel (mean, Gaussian, Laplacian); median cosine "
                    + String.format(Locale.ROOT, "%.2f", matches.stream().mapToDouble(LearnedKernels.Match::similarity).sorted().toArray()[matches.size() / 2])
                    + ". The designed kernel is shown as the network's weights would hold it (the textbook kernel flipped, then turned and"
                    + " signed as it matched), so the two tables compare cell by cell; responses: each on the grey image, by correlation as the"
                    + " network applies its weights.";
            figures.put("learned", mm);
        }

        List<FiltersPage.Arithmetic> arithmetic = new ArrayList<>();
        List<Map<String, Object>> am = new ArrayList<>();
        int side = Math.min(img.getHeight(), 10_000);
        for (Object[] q : new Object[][] {{3, 1, "valid", false}, {3, 1, "same", false}, {3, 1, "full", false}, {5, 2, "same", false},
                {2, 2, "valid", true}}) {
            int k = (Integer) q[0];
            if (k > side) {
                continue;
            }
            ConvolutionArithmetic.Answer a = ConvolutionArithmetic.of(side, k, (Integer) q[1], (String) q[2], (Boolean) q[3]);
            String layerName = (a.pooling() ? "max pooling " : "convolution ") + k + "x" + k + ", stride " + a.stride() + ", " + a.padding()
                    + " on " + side + " rows";
            arithmetic.add(new FiltersPage.Arithmetic(layerName, a.formula(), a.dl4jOutput() + (a.dl4jOutput() == a.output() ? " (agrees)" : " (DIFFERS)"),
                    ConvolutionArithmetic.picture(Math.min(side, 12), k, a.stride(), a.pad())));
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("layer", layerName);
            one.put("output", a.output());
            one.put("dl4j_output", a.dl4jOutput());
            am.add(one);
        }
        figures.put("arithmetic", am);

        double[][] timed = centre(grey, TIMING_SIZE);
        List<ConvolutionTiming.Row> rows = ConvolutionTiming.measure(timed, 3, 31, r.seed());
        int crossover = ConvolutionTiming.crossover(rows);
        List<FiltersPage.Timing> timings = new ArrayList<>();
        List<Map<String, Object>> tm = new ArrayList<>();
        for (ConvolutionTiming.Row row : rows) {
            timings.add(new FiltersPage.Timing(row.kernel() + "x" + row.kernel(), ms(row.directMs()), ms(row.im2colMs()), ms(row.fftMs()),
                    "im2col " + sci(row.im2colDifference()) + ", FFT " + sci(row.fftDifference())));
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("kernel", row.kernel());
            one.put("direct_ms", row.directMs());
            one.put("im2col_ms", row.im2colMs());
            one.put("fft_ms", row.fftMs());
            one.put("im2col_max_difference", row.im2colDifference());
            one.put("fft_max_difference", row.fftDifference());
            tm.add(one);
        }
        figures.put("timing_image", timed[0].length + "x" + timed.length);
        figures.put("timings", tm);
        figures.put("fft_crossover_kernel", crossover);
        String crossoverText = crossover > 0 ? "On this " + timed[0].length + "x" + timed.length + " crop the FFT wins from a " + crossover + "x" + crossover
                + " kernel on: the direct sum grows with k^2, the FFT hardly with k."
                : "On this " + timed[0].length + "x" + timed.length + " crop the FFT never beat the direct sum up to 31x31.";

        double[] p = {1, 2, 3};
        double[] q = {4, 5};
        double[] product = TextbookConvolution.multiplyPolynomials(p, q);
        double[][] toeplitz = TextbookConvolution.toeplitz(q, p.length);
        double[] viaMatrix = TextbookConvolution.times(toeplitz, p);
        Map<String, Object> one = new LinkedHashMap<>();
        one.put("p", p);
        one.put("q", q);
        one.put("product", product);
        one.put("toeplitz", toeplitz);
        one.put("toeplitz_times_p", viaMatrix);
        figures.put("one_dimensional", one);
        FiltersPage.OneDimensional oneD = new FiltersPage.OneDimensional(poly(p), poly(q), poly(product), table(toeplitz, 0), java.util.Arrays.toString(viaMatrix));

        String name = r.image().getFileName() == null ? "image" : r.image().getFileName().toString();
        FiltersPage page = new FiltersPage("Filters: " + name, img.getWidth() + "x" + img.getHeight() + " pixels, " + (r.color() ? "each colour channel"
                : "grey (ITU-R 601 luma)"), noiseText, inputs, tiles, correlation, learned, learnedNote, arithmetic, timings, crossoverText, oneD);
        Path index = r.out().resolve("index.html");
        AtomicFiles.writeString(index, PageTemplates.render("filters.jte", page));
        return new Outcome(r.out(), index, figures);
    }

    private static double[][] centre(double[][] grey, int size) {
        int h = Math.min(size, grey.length);
        int w = Math.min(size, grey[0].length);
        int y0 = (grey.length - h) / 2;
        int x0 = (grey[0].length - w) / 2;
        double[][] out = new double[h][w];
        for (int y = 0; y < h; y++) {
            System.arraycopy(grey[y0 + y], x0, out[y], 0, w);
        }
        return out;
    }

    private static Object finite(double v) {
        return Double.isFinite(v) ? v : "infinite";
    }

    private static String db(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.2f dB", v) : "infinite (identical)";
    }

    private static String ms(double v) {
        return String.format(Locale.ROOT, v < 10 ? "%.2f" : "%.0f", v);
    }

    private static String sci(double v) {
        return String.format(Locale.ROOT, "%.2g", v);
    }

    private static String poly(double[] c) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < c.length; i++) {
            if (c[i] == 0) {
                continue;
            }
            String n = c[i] == Math.rint(c[i]) ? Long.toString((long) c[i]) : Double.toString(c[i]);
            sb.append(sb.length() == 0 ? "" : " + ").append(n).append(i == 0 ? "" : i == 1 ? " t" : " t^" + i);
        }
        return sb.length() == 0 ? "0" : sb.toString();
    }

    private static List<List<String>> table(double[][] k, int decimals) {
        List<List<String>> rows = new ArrayList<>();
        if (k == null || k.length > 9 || k[0].length > 9) {
            if (k != null) {
                rows.add(List.of(k.length + "x" + k[0].length + " kernel (see the JSON)"));
            }
            return rows;
        }
        for (double[] row : k) {
            List<String> cells = new ArrayList<>();
            for (double v : row) {
                cells.add(v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%." + Math.max(decimals, 2) + "f", v));
            }
            rows.add(cells);
        }
        return rows;
    }

    private static void writePng(Path file, List<GrayF32> planes) throws IOException {
        GrayF32 first = planes.get(0);
        BufferedImage out = new BufferedImage(first.width, first.height, planes.size() == 3 ? BufferedImage.TYPE_INT_RGB : BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < first.height; y++) {
            for (int x = 0; x < first.width; x++) {
                int i = y * first.width + x;
                if (planes.size() == 3) {
                    out.setRGB(x, y, (byte8(planes.get(0).data[i]) << 16) | (byte8(planes.get(1).data[i]) << 8) | byte8(planes.get(2).data[i]));
                } else {
                    out.getRaster().setSample(x, y, 0, byte8(first.data[i]));
                }
            }
        }
        AtomicFiles.write(file, o -> ImageIO.write(out, "png", o));
    }

    /** Signed values as grey around 128, scaled by the largest magnitude. */
    private static void writeSigned(Path file, double[][] v) throws IOException {
        double max = 1e-12;
        for (double[] row : v) {
            for (double x : row) {
                max = Math.max(max, Math.abs(x));
            }
        }
        GrayF32 g = new GrayF32(v[0].length, v.length);
        for (int y = 0; y < v.length; y++) {
            for (int x = 0; x < v[0].length; x++) {
                g.data[y * g.width + x] = (float) (128 + 127 * v[y][x] / max);
            }
        }
        writePng(file, List.of(g));
    }

    private static int byte8(float v) {
        return Math.max(0, Math.min(255, Math.round(v)));
    }
}
