package io.deepnets.filters;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import boofcv.alg.filter.derivative.GradientSobel;
import boofcv.core.image.border.FactoryImageBorder;
import boofcv.struct.border.BorderType;
import boofcv.struct.image.GrayF32;
import io.deepnets.filters.TextbookConvolution.Padding;
import io.deepnets.testing.RealData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** The filters against answers known in advance, and the library's filters against the project's textbook sum. */
class FiltersTest {
    static double[][] random(int h, int w, long seed) {
        Random r = new Random(seed);
        double[][] m = new double[h][w];
        for (double[] row : m) {
            for (int x = 0; x < w; x++) {
                row[x] = r.nextInt(256);
            }
        }
        return m;
    }

    static GrayF32 gray(double[][] m) {
        GrayF32 g = new GrayF32(m[0].length, m.length);
        for (int y = 0; y < m.length; y++) {
            for (int x = 0; x < m[0].length; x++) {
                g.data[y * g.width + x] = (float) m[y][x];
            }
        }
        return g;
    }

    /** BoofCV's convolutions equal the textbook sum (kernel flipped) wherever the kernel lies inside the image. */
    @Test
    void libraryFiltersEqualTheTextbookConvolutionInside() {
        double[][] image = random(30, 41, 1);
        GrayF32 g = gray(image);
        for (double[][] k : List.of(ClassicFilters.Kernels.mean(3), ClassicFilters.Kernels.mean(5), ClassicFilters.Kernels.gaussian(1.3, 7),
                ClassicFilters.Kernels.gradientX(), ClassicFilters.Kernels.gradientY(), ClassicFilters.Kernels.sobelX(), ClassicFilters.Kernels.sobelY(),
                ClassicFilters.Kernels.unsharp(1, 5, 1.5))) {
            double[][] textbook = TextbookConvolution.convolve(image, k, Padding.SAME);
            GrayF32 boof = ClassicFilters.convolve(g, k);
            int ry = k.length / 2;
            int rx = k[0].length / 2;
            for (int y = ry; y < image.length - ry; y++) {
                for (int x = rx; x < image[0].length - rx; x++) {
                    assertEquals(textbook[y][x], boof.data[y * g.width + x], 1e-3 * Math.max(1, Math.abs(textbook[y][x])), "at " + x + "," + y);
                }
            }
        }
    }

    /**
     * A vertical step from 0 to 100: Sobel x answers (1 + 2 + 1) x 100 on the two columns beside it and 0 elsewhere;
     * Sobel y 0. BoofCV's float Sobel is the same divided by 4.
     */
    @Test
    void sobelOnAStepEdgeGivesTheTextbookResponse() {
        double[][] step = new double[12][20];
        for (double[] row : step) {
            for (int x = 10; x < 20; x++) {
                row[x] = 100;
            }
        }
        double[][] sx = TextbookConvolution.convolve(step, ClassicFilters.Kernels.sobelX(), Padding.SAME);
        double[][] sy = TextbookConvolution.convolve(step, ClassicFilters.Kernels.sobelY(), Padding.SAME);
        GrayF32 bx = new GrayF32(20, 12);
        GrayF32 by = new GrayF32(20, 12);
        GradientSobel.process(gray(step), bx, by, FactoryImageBorder.single(BorderType.EXTENDED, GrayF32.class));
        for (int y = 1; y < 11; y++) {
            for (int x = 1; x < 19; x++) {
                double expected = x == 9 || x == 10 ? 400 : 0;
                assertEquals(expected, sx[y][x], 1e-9, "textbook Sobel x at " + x);
                assertEquals(expected, 4 * bx.get(x, y), 1e-3, "BoofCV's Sobel x (which is Hx / 4) at " + x);
                assertEquals(0, sy[y][x], 1e-9);
                assertEquals(0, by.get(x, y), 1e-3);
            }
        }
    }

    /** Isolated salt-and-pepper pixels on a flat image: the 3x3 median gives the flat image back exactly. */
    @Test
    void theMedianRemovesIsolatedSaltAndPepperExactly() {
        GrayF32 flat = new GrayF32(40, 30);
        java.util.Arrays.fill(flat.data, 120);
        GrayF32 noisy = flat.clone();
        Random r = new Random(3);
        for (int y = 2; y < 28; y += 3) {
            for (int x = 2; x < 38; x += 3) {
                if (r.nextBoolean()) {
                    noisy.set(x, y, r.nextBoolean() ? 255 : 0);
                }
            }
        }
        assertTrue(ClassicFilters.psnr(flat, noisy) < 30);
        GrayF32 cleaned = ClassicFilters.median(noisy, 1);
        assertEquals(Double.POSITIVE_INFINITY, ClassicFilters.psnr(flat, cleaned), "every noisy pixel removed, nothing else changed");
    }

    /** A real photo (a CIFAR-10 cat, 4x larger): every denoising filter raises the PSNR of its seeded noisy copy. */
    @Test
    void denoisingFiltersRaiseThePsnrOfANoisyPhoto() throws Exception {
        Path file;
        try (var files = Files.list(RealData.dir().resolve("catsdogs/test/cat"))) {
            file = files.sorted().findFirst().orElseThrow();
        }
        java.awt.image.BufferedImage small = ImageIO.read(file.toFile());
        java.awt.image.BufferedImage big = new java.awt.image.BufferedImage(128, 128, java.awt.image.BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D g2 = big.createGraphics();
        g2.setRenderingHint(java.awt.RenderingHints.KEY_INTERPOLATION, java.awt.RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g2.drawImage(small, 0, 0, 128, 128, null);
        g2.dispose();
        GrayF32 clean = FiltersReport.planes(big, false).get(0);
        ClassicFilters.Settings s = new ClassicFilters.Settings(1.0, 5, 1.0);
        GrayF32 gaussianNoisy = ClassicFilters.gaussianNoise(clean, 20, 7);
        double before = ClassicFilters.psnr(clean, gaussianNoisy);
        for (ClassicFilters.Result res : ClassicFilters.apply(gaussianNoisy, s)) {
            if (res.name().startsWith("mean") || res.name().startsWith("median") || res.name().startsWith("Gaussian")) {
                assertTrue(ClassicFilters.psnr(clean, res.image()) > before, res.name() + " on Gaussian noise: " + ClassicFilters.psnr(clean, res.image())
                        + " dB against " + before);
            }
        }
        GrayF32 saltNoisy = ClassicFilters.saltAndPepper(clean, 0.1, 7);
        double saltBefore = ClassicFilters.psnr(clean, saltNoisy);
        GrayF32 median = ClassicFilters.median(saltNoisy, 1);
        assertTrue(ClassicFilters.psnr(clean, median) > saltBefore + 8, "the median against salt and pepper: " + ClassicFilters.psnr(clean, median)
                + " dB against " + saltBefore);
        GrayF32 mean = ClassicFilters.convolve(saltNoisy, ClassicFilters.Kernels.mean(3));
        assertTrue(ClassicFilters.psnr(clean, median) > ClassicFilters.psnr(clean, mean), "the median beats the mean on salt and pepper");
    }

    /** Direct, im2col and FFT: the same numbers for every padding and odd or even kernels. */
    @Test
    void threeWaysAgree() {
        double[][] image = random(17, 23, 5);
        for (int k : new int[] {1, 2, 3, 4, 7}) {
            double[][] kernel = random(k, k, k);
            for (Padding p : k % 2 == 0 ? List.of(Padding.VALID, Padding.FULL) : List.of(Padding.values())) {
                double[][] direct = TextbookConvolution.convolve(image, kernel, p);
                assertEquals(0, TextbookConvolution.maxDifference(direct, TextbookConvolution.im2col(image, kernel, p)), 1e-6, "im2col " + k + " " + p);
                assertEquals(0, TextbookConvolution.maxDifference(direct, TextbookConvolution.fft(image, kernel, p)), 1e-6, "FFT " + k + " " + p);
                assertEquals(p == Padding.VALID ? 17 - k + 1 : p == Padding.SAME ? 17 : 17 + k - 1, direct.length);
            }
        }
        List<ConvolutionTiming.Row> rows = ConvolutionTiming.measure(random(24, 24, 9), 3, 7, 1);
        assertEquals(3, rows.size());
        for (ConvolutionTiming.Row row : rows) {
            assertTrue(row.fftDifference() < 1e-6 && row.im2colDifference() < 1e-6, row.toString());
        }
    }

    @Test
    void oneDimensionalConvolutionIsPolynomialMultiplicationAndAToeplitzProduct() {
        double[] p = {1, 2, 3};
        double[] q = {4, 5};
        double[] product = TextbookConvolution.multiplyPolynomials(p, q);
        assertTrue(java.util.Arrays.equals(new double[] {4, 13, 22, 15}, product), java.util.Arrays.toString(product));
        double[][] t = TextbookConvolution.toeplitz(q, 3);
        assertTrue(java.util.Arrays.deepEquals(new double[][] {{4, 0, 0}, {5, 4, 0}, {0, 5, 4}, {0, 0, 5}}, t));
        assertTrue(java.util.Arrays.equals(product, TextbookConvolution.times(t, p)));
        double[][] asImage = TextbookConvolution.convolve(new double[][] {p}, new double[][] {q}, Padding.FULL);
        assertTrue(java.util.Arrays.equals(product, asImage[0]), "the 2-D sum on one row is the same");
    }

    /** DL4J's conv2d computes cross-correlation: the textbook convolution once the kernel is flipped, not before. */
    @Test
    void aCnnLayerComputesCorrelation() {
        double[][] image = random(9, 11, 2);
        double[][] k = {{1, 2, 3}, {0, 0, 0}, {-1, -2, -4}};
        double[][] layer = Dl4jCorrelation.layerOutput(image, k);
        assertEquals(0, TextbookConvolution.maxDifference(layer, TextbookConvolution.correlate(image, k, Padding.SAME)), 1e-9);
        assertEquals(0, TextbookConvolution.maxDifference(layer, TextbookConvolution.convolve(image, TextbookConvolution.flip(k), Padding.SAME)), 1e-9);
        assertTrue(TextbookConvolution.maxDifference(layer, TextbookConvolution.convolve(image, k, Padding.SAME)) > 100,
                "with the kernel as it is the convolution differs");
    }

    @Test
    void arithmeticAgreesWithDl4jsShapeInference() {
        assertEquals(3, ConvolutionArithmetic.of(5, 3, 2, "1", false).output());
        assertEquals(7, ConvolutionArithmetic.of(5, 3, 1, "full", false).output());
        assertEquals(5, ConvolutionArithmetic.of(5, 3, 1, "same", false).output());
        assertEquals(14, ConvolutionArithmetic.of(28, 2, 2, "valid", true).output());
        for (int i : new int[] {5, 7, 28, 32}) {
            for (int k : new int[] {1, 2, 3, 5}) {
                for (int s : new int[] {1, 2, 3}) {
                    for (String p : List.of("valid", "same", "full", "1")) {
                        if (p.equals("same") && k % 2 == 0) {
                            continue;
                        }
                        ConvolutionArithmetic.Answer a = ConvolutionArithmetic.of(i, k, s, p, false);
                        assertEquals(a.output(), a.dl4jOutput(), a.formula());
                    }
                    ConvolutionArithmetic.Answer pool = ConvolutionArithmetic.of(i, k, s, "valid", true);
                    assertEquals(pool.output(), pool.dl4jOutput(), pool.formula());
                }
            }
        }
        assertTrue(ConvolutionArithmetic.of(5, 3, 2, "1", false).picture().contains("windows start at columns 0 2 4"));
    }

    /**
     * {@code deepnets filters} on a real photo with noise and the tests' trained CNN: the PNGs, the page and the JSON
     * figures; a second run into the same folder is refused without --force.
     */
    @Test
    void theCommandWritesThePicturesThePageAndTheFigures(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path photo;
        try (var files = Files.list(RealData.dir().resolve("catsdogs/test/dog"))) {
            photo = files.sorted().findFirst().orElseThrow();
        }
        Path out = dir.resolve("f");
        java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
        java.io.PrintStream old = System.out;
        System.setOut(new java.io.PrintStream(buf, true));
        int code;
        try {
            code = io.deepnets.cli.Main.execute("filters", photo.toString(), "--noise", "gaussian:10", "--seed", "3", "--model",
                    io.deepnets.testing.TrainedRuns.cnn().runDir().toString(), "--out", out.toString(), "--json");
        } finally {
            System.setOut(old);
        }
        assertEquals(0, code, buf.toString());
        com.fasterxml.jackson.databind.JsonNode json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(buf.toString());
        assertEquals(12, json.get("filters").size());
        assertTrue(json.get("noisy_psnr_db").asDouble() > 20, json.toString());
        assertEquals(0, json.get("correlation_vs_convolution").get("layer_vs_convolution_with_flipped_kernel").asDouble(), 1e-9);
        assertEquals(15, json.get("timings").size(), "kernels 3, 5, ... 31");
        assertTrue(json.get("learned").size() > 0);
        for (var a : json.get("arithmetic")) {
            assertEquals(a.get("output").asInt(), a.get("dl4j_output").asInt(), a.toString());
        }
        assertTrue(Files.isRegularFile(out.resolve("index.html")) && Files.isRegularFile(out.resolve("03-median-3x3.png"))
                && Files.isRegularFile(out.resolve("noisy.png")) && Files.isRegularFile(out.resolve("learned-01.png")));
        String page = Files.readString(out.resolve("index.html"));
        assertTrue(page.contains("Correlation versus convolution") && page.contains("Learned versus designed") && page.contains("PSNR"), "the page");
        assertEquals(2, io.deepnets.cli.Main.execute("filters", photo.toString(), "--out", out.toString()), "a folder with files is not written over");
    }

    /** A network whose first kernels are a turned Sobel and a mean: each is matched to its designed kernel. */
    @Test
    void learnedKernelsFindTheirNearestDesignedKernel() {
        org.deeplearning4j.nn.multilayer.MultiLayerNetwork net = new org.deeplearning4j.nn.multilayer.MultiLayerNetwork(
                new org.deeplearning4j.nn.conf.NeuralNetConfiguration.Builder().list()
                        .layer(new org.deeplearning4j.nn.conf.layers.ConvolutionLayer.Builder(3, 3).nIn(1).nOut(2).build())
                        .layer(new org.deeplearning4j.nn.conf.layers.OutputLayer.Builder().nOut(2).activation(org.nd4j.linalg.activations.Activation.SOFTMAX).build())
                        .setInputType(org.deeplearning4j.nn.conf.inputs.InputType.convolutional(8, 8, 1)).build());
        net.init();
        org.nd4j.linalg.api.ndarray.INDArray w = net.getLayer(0).getParam("W");
        double[][] sobel = LearnedKernels.quarterTurn(TextbookConvolution.flip(ClassicFilters.Kernels.sobelX()));
        for (int y = 0; y < 3; y++) {
            for (int x = 0; x < 3; x++) {
                w.putScalar(new long[] {0, 0, y, x}, -0.5 * sobel[y][x]);
                w.putScalar(new long[] {1, 0, y, x}, 0.2);
            }
        }
        List<LearnedKernels.Match> m = LearnedKernels.of(io.deepnets.model.Network.of(net), "test");
        assertTrue(m.get(0).nearest().startsWith("Sobel"), m.get(0).nearest());
        assertEquals(1.0, m.get(0).similarity(), 1e-9);
        assertEquals("mean", m.get(1).nearest());
        assertEquals(1.0, m.get(1).similarity(), 1e-9);
    }
}
