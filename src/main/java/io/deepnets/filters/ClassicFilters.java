package io.deepnets.filters;

import boofcv.alg.feature.detect.edge.CannyEdge;
import boofcv.alg.filter.blur.BlurImageOps;
import boofcv.alg.filter.convolve.ConvolveImage;
import boofcv.alg.filter.derivative.GradientSobel;
import boofcv.core.image.border.FactoryImageBorder;
import boofcv.factory.feature.detect.edge.FactoryEdgeDetectors;
import boofcv.struct.border.BorderType;
import boofcv.struct.border.ImageBorder_F32;
import boofcv.struct.convolve.Kernel2D_F32;
import boofcv.struct.image.GrayF32;
import boofcv.struct.image.GrayU8;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The course's classic filters on one grey channel, computed by BoofCV: the linear ones (mean, Gaussian, gradients,
 * unsharp masking's blur) as BoofCV convolutions with the given kernel; the median, Sobel and Canny (gradient,
 * non-maximum suppression, hysteresis) as BoofCV has them. The border repeats the edge pixels (BoofCV's extended
 * border) rather than padding zeros, so a blurred picture does not darken at its edges; wherever the kernel lies
 * inside the image the result is the textbook sum ({@link TextbookConvolution#convolve}, kernel flipped), which the
 * tests check. Pixel values are 0-255 throughout.
 */
public final class ClassicFilters {
    private ClassicFilters() {
    }

    /** The settings a user may give. */
    public record Settings(double sigma, int gaussianSize, double amount) {
        public Settings {
            if (!(sigma > 0) || sigma > 50) {
                throw new io.deepnets.BadInputException("--sigma: expected a positive standard deviation up to 50 pixels, got " + sigma);
            }
            if (gaussianSize < 1 || gaussianSize % 2 == 0 || gaussianSize > 101) {
                throw new io.deepnets.BadInputException("--size: expected an odd kernel size from 1 to 101, got " + gaussianSize);
            }
            if (!(amount >= 0) || amount > 10) {
                throw new io.deepnets.BadInputException("--amount: expected an unsharp-masking amount from 0 to 10, got " + amount);
            }
        }
    }

    /**
     * One filter's result: its name, what it is, its kernel as the textbook writes it (null when it is no kernel), and
     * whether it is a picture of the image (comparable with the clean image by PSNR) rather than a map of edges.
     */
    public record Result(String name, String description, double[][] kernel, GrayF32 image, boolean picture) {
        Result(String name, String description, double[][] kernel, GrayF32 image) {
            this(name, description, kernel, image, false);
        }
    }

    /** The kernels the course names, as convolution kernels (the textbook flips them when it slides them). */
    public static final class Kernels {
        private Kernels() {
        }

        public static double[][] mean(int k) {
            double[][] m = new double[k][k];
            for (double[] row : m) {
                java.util.Arrays.fill(row, 1.0 / (k * k));
            }
            return m;
        }

        /** A normalised Gaussian of standard deviation {@code sigma}, {@code size} x {@code size}. */
        public static double[][] gaussian(double sigma, int size) {
            double[][] g = new double[size][size];
            int r = size / 2;
            double sum = 0;
            for (int y = -r; y <= r; y++) {
                for (int x = -r; x <= r; x++) {
                    g[y + r][x + r] = Math.exp(-(x * x + y * y) / (2 * sigma * sigma));
                    sum += g[y + r][x + r];
                }
            }
            for (double[] row : g) {
                for (int i = 0; i < row.length; i++) {
                    row[i] /= sum;
                }
            }
            return g;
        }

        /** The horizontal central difference as a convolution kernel: the response is I(x+1) - I(x-1). */
        public static double[][] gradientX() {
            return new double[][] {{1, 0, -1}};
        }

        public static double[][] gradientY() {
            return new double[][] {{1}, {0}, {-1}};
        }

        /** Sobel's Hx as the course writes it (its convolution gives right minus left, weighted 1-2-1 down the column). */
        public static double[][] sobelX() {
            return new double[][] {{1, 0, -1}, {2, 0, -2}, {1, 0, -1}};
        }

        public static double[][] sobelY() {
            return new double[][] {{1, 2, 1}, {0, 0, 0}, {-1, -2, -1}};
        }

        /** The discrete Laplacian: a blob (spot) detector. */
        public static double[][] laplacian() {
            return new double[][] {{0, 1, 0}, {1, -4, 1}, {0, 1, 0}};
        }

        /** Unsharp masking as one kernel: identity + amount (identity - Gaussian). */
        public static double[][] unsharp(double sigma, int size, double amount) {
            double[][] g = gaussian(sigma, size);
            double[][] k = new double[size][size];
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) {
                    double identity = y == size / 2 && x == size / 2 ? 1 : 0;
                    k[y][x] = identity + amount * (identity - g[y][x]);
                }
            }
            return k;
        }
    }

    /** Every filter of the course on {@code grey}, in the page's order. */
    public static List<Result> apply(GrayF32 grey, Settings s) {
        List<Result> out = new ArrayList<>();
        out.add(new Result("mean 3x3", "k x k of 1/k^2: reduces Gaussian noise, smooths", Kernels.mean(3), convolve(grey, Kernels.mean(3)), true));
        out.add(new Result("mean 5x5", "the same over 5x5: smoother, blurrier", Kernels.mean(5), convolve(grey, Kernels.mean(5)), true));
        out.add(new Result("median 3x3", "the median of each 3x3 neighbourhood (not a convolution): removes salt-and-pepper noise", null,
                median(grey, 1), true));
        double[][] gauss = Kernels.gaussian(s.sigma(), s.gaussianSize());
        GrayF32 blurred = convolve(grey, gauss);
        out.add(new Result(String.format(java.util.Locale.ROOT, "Gaussian sigma %.2g, %dx%d", s.sigma(), s.gaussianSize(), s.gaussianSize()),
                "normal weights around the centre: reduces noise, blurs", gauss, blurred, true));
        GrayF32 high = new GrayF32(grey.width, grey.height);
        for (int i = 0; i < high.data.length; i++) {
            high.data[i] = clamp(128 + grey.data[i] - blurred.data[i]);
        }
        out.add(new Result("high frequencies", "the image minus its Gaussian blur: what the blur removed, the detail unsharp masking adds back "
                + "(shown as 128 + value)", null, high));
        GrayF32 sharp = new GrayF32(grey.width, grey.height);
        for (int i = 0; i < sharp.data.length; i++) {
            sharp.data[i] = clamp((float) (grey.data[i] + s.amount() * (grey.data[i] - blurred.data[i])));
        }
        out.add(new Result(String.format(java.util.Locale.ROOT, "unsharp masking, amount %.2g", s.amount()),
                "the image plus amount x (image - its Gaussian blur): the high frequencies added back sharpen it",
                Kernels.unsharp(s.sigma(), s.gaussianSize(), s.amount()), sharp, true));
        out.add(new Result("horizontal gradient", "I(x+1) - I(x-1): vertical edges (shown as 128 + value / 2)", Kernels.gradientX(),
                signed(convolve(grey, Kernels.gradientX()))));
        out.add(new Result("vertical gradient", "I(y+1) - I(y-1): horizontal edges (shown as 128 + value / 2)", Kernels.gradientY(),
                signed(convolve(grey, Kernels.gradientY()))));
        GrayF32 sx = new GrayF32(grey.width, grey.height);
        GrayF32 sy = new GrayF32(grey.width, grey.height);
        GradientSobel.process(grey, sx, sy, FactoryImageBorder.single(BorderType.EXTENDED, GrayF32.class));
        // BoofCV's float Sobel is Hx / 4 (its weights sum to 1 on each side); back to the textbook's Hx.
        for (int i = 0; i < sx.data.length; i++) {
            sx.data[i] *= 4;
            sy.data[i] *= 4;
        }
        GrayF32 magnitude = new GrayF32(grey.width, grey.height);
        for (int i = 0; i < magnitude.data.length; i++) {
            magnitude.data[i] = clamp((float) Math.sqrt(sx.data[i] * sx.data[i] + sy.data[i] * sy.data[i]) / 4);
        }
        out.add(new Result("Sobel x", "Hx: edges across x, smoothed along y (shown as 128 + value / 8)", Kernels.sobelX(), scaled(sx, 8)));
        out.add(new Result("Sobel y", "Hy = Hx transposed: edges across y (shown as 128 + value / 8)", Kernels.sobelY(), scaled(sy, 8)));
        out.add(new Result("Sobel magnitude", "sqrt(Ix^2 + Iy^2): edges in every direction (shown as value / 4)", null, magnitude));
        out.add(new Result("Canny", "Gaussian blur, gradient, non-maximum suppression, hysteresis (thresholds 0.1 and 0.3 of the strongest edge): "
                + "thin, connected edges", null, canny(grey)));
        return out;
    }

    /** BoofCV's convolution of {@code grey} with the textbook kernel {@code k}, same size, edge pixels repeated beyond the border. */
    public static GrayF32 convolve(GrayF32 grey, double[][] k) {
        // BoofCV's convolve slides the kernel as it is (a correlation), so it gets the flipped kernel.
        double[][] flipped = TextbookConvolution.flip(k);
        int kh = flipped.length;
        int kw = flipped[0].length;
        int size = Math.max(kh, kw) | 1;
        Kernel2D_F32 kernel = new Kernel2D_F32(size);
        int oy = (size - kh) / 2;
        int ox = (size - kw) / 2;
        for (int y = 0; y < kh; y++) {
            for (int x = 0; x < kw; x++) {
                kernel.set(x + ox, y + oy, (float) flipped[y][x]);
            }
        }
        GrayF32 out = new GrayF32(grey.width, grey.height);
        ImageBorder_F32 extended = (ImageBorder_F32) FactoryImageBorder.single(BorderType.EXTENDED, GrayF32.class);
        ConvolveImage.convolve(kernel, grey, out, extended);
        return out;
    }

    public static GrayF32 median(GrayF32 grey, int radius) {
        return BlurImageOps.median(grey, new GrayF32(grey.width, grey.height), radius, radius, null);
    }

    static GrayF32 canny(GrayF32 grey) {
        CannyEdge<GrayF32, GrayF32> canny = FactoryEdgeDetectors.canny(2, false, true, GrayF32.class, GrayF32.class);
        GrayU8 edges = new GrayU8(grey.width, grey.height);
        canny.process(grey.clone(), 0.1f, 0.3f, edges);
        GrayF32 out = new GrayF32(grey.width, grey.height);
        for (int i = 0; i < out.data.length; i++) {
            out.data[i] = edges.data[i] != 0 ? 255 : 0;
        }
        return out;
    }

    private static GrayF32 signed(GrayF32 v) {
        return scaled(v, 2);
    }

    private static GrayF32 scaled(GrayF32 v, float divisor) {
        GrayF32 out = new GrayF32(v.width, v.height);
        for (int i = 0; i < out.data.length; i++) {
            out.data[i] = clamp(128 + v.data[i] / divisor);
        }
        return out;
    }

    static float clamp(float v) {
        return Math.max(0, Math.min(255, v));
    }

    /** {@code grey} with Gaussian noise of standard deviation {@code sigma} (clipped to 0-255), seeded. */
    public static GrayF32 gaussianNoise(GrayF32 grey, double sigma, long seed) {
        Random r = new Random(seed);
        GrayF32 out = grey.clone();
        for (int i = 0; i < out.data.length; i++) {
            out.data[i] = clamp((float) (out.data[i] + r.nextGaussian() * sigma));
        }
        return out;
    }

    /** {@code grey} with a {@code fraction} of its pixels, drawn at random (seeded), set to black or white half and half. */
    public static GrayF32 saltAndPepper(GrayF32 grey, double fraction, long seed) {
        Random r = new Random(seed);
        GrayF32 out = grey.clone();
        for (int i = 0; i < out.data.length; i++) {
            if (r.nextDouble() < fraction) {
                out.data[i] = r.nextBoolean() ? 255 : 0;
            }
        }
        return out;
    }

    /** Peak signal-to-noise ratio of {@code image} against {@code clean}, in dB (infinite when equal). */
    public static double psnr(GrayF32 clean, GrayF32 image) {
        return psnr(List.of(clean), List.of(image));
    }

    /** The same over every channel of an image (the mean squared error over all of them). */
    public static double psnr(List<GrayF32> clean, List<GrayF32> image) {
        double mse = 0;
        long n = 0;
        for (int c = 0; c < clean.size(); c++) {
            for (int i = 0; i < clean.get(c).data.length; i++) {
                double d = clean.get(c).data[i] - image.get(c).data[i];
                mse += d * d;
                n++;
            }
        }
        mse /= n;
        return mse == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(255.0 * 255.0 / mse);
    }

    /** A BoofCV image as the textbook's {@code double[row][column]}. */
    public static double[][] toArray(GrayF32 g) {
        double[][] out = new double[g.height][g.width];
        for (int y = 0; y < g.height; y++) {
            for (int x = 0; x < g.width; x++) {
                out[y][x] = g.data[y * g.width + x];
            }
        }
        return out;
    }
}
