package io.deepnets.filters;

import java.util.ArrayList;
import java.util.List;

/**
 * Convolution three ways on one image, timed over odd kernel sizes: the direct sum, im2col with one matrix product,
 * and the FFT. Each is the best of a few runs (the first runs warm the JIT), and the three results are compared: they
 * must agree to float rounding. The crossover is the smallest kernel from which the FFT beats the direct sum.
 */
public final class ConvolutionTiming {
    private ConvolutionTiming() {
    }

    /** One kernel size: the milliseconds of each way and the largest difference of im2col's and the FFT's result from the direct one. */
    public record Row(int kernel, double directMs, double im2colMs, double fftMs, double im2colDifference, double fftDifference) {
    }

    /** The timings on {@code image} for kernel sizes {@code from}, {@code from + 2}, ... {@code to}, kernels drawn from a seeded generator. */
    public static List<Row> measure(double[][] image, int from, int to, long seed) {
        java.util.Random random = new java.util.Random(seed);
        List<Row> rows = new ArrayList<>();
        for (int k = from; k <= to; k += 2) {
            double[][] kernel = new double[k][k];
            for (double[] row : kernel) {
                for (int i = 0; i < k; i++) {
                    row[i] = random.nextGaussian();
                }
            }
            double[][][] results = new double[3][][];
            double[] best = {Double.MAX_VALUE, Double.MAX_VALUE, Double.MAX_VALUE};
            for (int run = 0; run < 3; run++) {
                for (int way = 0; way < 3; way++) {
                    long t0 = System.nanoTime();
                    results[way] = switch (way) {
                        case 0 -> TextbookConvolution.convolve(image, kernel, TextbookConvolution.Padding.SAME);
                        case 1 -> TextbookConvolution.im2col(image, kernel, TextbookConvolution.Padding.SAME);
                        default -> TextbookConvolution.fft(image, kernel, TextbookConvolution.Padding.SAME);
                    };
                    best[way] = Math.min(best[way], (System.nanoTime() - t0) / 1e6);
                }
            }
            rows.add(new Row(k, best[0], best[1], best[2], TextbookConvolution.maxDifference(results[0], results[1]),
                    TextbookConvolution.maxDifference(results[0], results[2])));
        }
        return rows;
    }

    /** The smallest kernel size from which the FFT is faster than the direct sum at every larger size measured, or -1. */
    public static int crossover(List<Row> rows) {
        int crossing = -1;
        for (int i = rows.size() - 1; i >= 0; i--) {
            if (rows.get(i).fftMs() < rows.get(i).directMs()) {
                crossing = rows.get(i).kernel();
            } else {
                break;
            }
        }
        return crossing;
    }
}
