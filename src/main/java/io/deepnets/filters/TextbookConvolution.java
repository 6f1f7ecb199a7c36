package io.deepnets.filters;

import boofcv.abst.transform.fft.DiscreteFourierTransform;
import boofcv.alg.transform.fft.DiscreteFourierTransformOps;
import boofcv.struct.image.GrayF64;
import boofcv.struct.image.InterleavedF64;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;

/**
 * Convolution as the course writes it, on {@code double[row][column]} images: the kernel flipped by 180 degrees, the
 * image zero-padded, the kernel slid over it and each window multiplied and summed. The same sum three ways (directly,
 * as one matrix product over the image's windows laid out as rows (im2col), and through the Fourier transform,
 * BoofCV's FFT), cross-correlation (what a CNN layer computes: no flip), and the one-dimensional case as polynomial
 * multiplication and as a Toeplitz matrix. These are the project's own reference sums for the library filters.
 */
public final class TextbookConvolution {
    private TextbookConvolution() {
    }

    /** How much zero padding: none, half the kernel (odd kernels: the output keeps the input's size), or k - 1. */
    public enum Padding {
        VALID, SAME, FULL;

        /** The padding before the first row (column) for a kernel of size {@code k}. */
        int before(int k) {
            return switch (this) {
                case VALID -> 0;
                case SAME -> (k - 1) / 2;
                case FULL -> k - 1;
            };
        }

        /** The output size for input {@code i} and kernel {@code k} at stride 1. */
        int output(int i, int k) {
            return switch (this) {
                case VALID -> i - k + 1;
                case SAME -> i;
                case FULL -> i + k - 1;
            };
        }
    }

    /** The kernel turned by 180 degrees. */
    public static double[][] flip(double[][] k) {
        int kh = k.length;
        int kw = k[0].length;
        double[][] out = new double[kh][kw];
        for (int y = 0; y < kh; y++) {
            for (int x = 0; x < kw; x++) {
                out[y][x] = k[kh - 1 - y][kw - 1 - x];
            }
        }
        return out;
    }

    /** The textbook convolution: flip, zero-pad, slide, multiply, sum. */
    public static double[][] convolve(double[][] image, double[][] kernel, Padding padding) {
        return correlate(image, flip(kernel), padding);
    }

    /** Cross-correlation (a CNN layer's sum): the same without the flip. */
    public static double[][] correlate(double[][] image, double[][] kernel, Padding padding) {
        int h = image.length;
        int w = image[0].length;
        int kh = kernel.length;
        int kw = kernel[0].length;
        int oh = padding.output(h, kh);
        int ow = padding.output(w, kw);
        if (oh < 1 || ow < 1) {
            throw new IllegalArgumentException("a " + kh + "x" + kw + " kernel is larger than the " + h + "x" + w + " image");
        }
        int py = padding.before(kh);
        int px = padding.before(kw);
        double[][] out = new double[oh][ow];
        for (int y = 0; y < oh; y++) {
            for (int x = 0; x < ow; x++) {
                double sum = 0;
                for (int j = 0; j < kh; j++) {
                    int iy = y + j - py;
                    if (iy < 0 || iy >= h) {
                        continue;
                    }
                    for (int i = 0; i < kw; i++) {
                        int ix = x + i - px;
                        if (ix >= 0 && ix < w) {
                            sum += image[iy][ix] * kernel[j][i];
                        }
                    }
                }
                out[y][x] = sum;
            }
        }
        return out;
    }

    /**
     * The convolution as one matrix product: every output position's window of the zero-padded image is a row of a
     * matrix (im2col), the flipped kernel a column, and their product (EJML) the output.
     */
    public static double[][] im2col(double[][] image, double[][] kernel, Padding padding) {
        int h = image.length;
        int w = image[0].length;
        int kh = kernel.length;
        int kw = kernel[0].length;
        int oh = padding.output(h, kh);
        int ow = padding.output(w, kw);
        int py = padding.before(kh);
        int px = padding.before(kw);
        double[][] flipped = flip(kernel);
        DMatrixRMaj windows = new DMatrixRMaj(oh * ow, kh * kw);
        for (int y = 0; y < oh; y++) {
            for (int x = 0; x < ow; x++) {
                int row = (y * ow + x) * kh * kw;
                for (int j = 0; j < kh; j++) {
                    int iy = y + j - py;
                    for (int i = 0; i < kw; i++) {
                        int ix = x + i - px;
                        windows.data[row + j * kw + i] = iy >= 0 && iy < h && ix >= 0 && ix < w ? image[iy][ix] : 0;
                    }
                }
            }
        }
        DMatrixRMaj weights = new DMatrixRMaj(kh * kw, 1);
        for (int j = 0; j < kh; j++) {
            for (int i = 0; i < kw; i++) {
                weights.data[j * kw + i] = flipped[j][i];
            }
        }
        DMatrixRMaj product = new DMatrixRMaj(oh * ow, 1);
        CommonOps_DDRM.mult(windows, weights, product);
        double[][] out = new double[oh][ow];
        for (int y = 0; y < oh; y++) {
            System.arraycopy(product.data, y * ow, out[y], 0, ow);
        }
        return out;
    }

    /**
     * The convolution theorem: both zero-padded to the full output's size, transformed (BoofCV's FFT), multiplied
     * element by element and transformed back; then the part the padding asks for is cut out.
     */
    public static double[][] fft(double[][] image, double[][] kernel, Padding padding) {
        int h = image.length;
        int w = image[0].length;
        int kh = kernel.length;
        int kw = kernel[0].length;
        int fh = h + kh - 1;
        int fw = w + kw - 1;
        GrayF64 a = new GrayF64(fw, fh);
        GrayF64 b = new GrayF64(fw, fh);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                a.data[y * fw + x] = image[y][x];
            }
        }
        for (int y = 0; y < kh; y++) {
            for (int x = 0; x < kw; x++) {
                b.data[y * fw + x] = kernel[y][x];
            }
        }
        DiscreteFourierTransform<GrayF64, InterleavedF64> dft = DiscreteFourierTransformOps.createTransformF64();
        InterleavedF64 fa = new InterleavedF64(fw, fh, 2);
        InterleavedF64 fb = new InterleavedF64(fw, fh, 2);
        dft.forward(a, fa);
        dft.forward(b, fb);
        InterleavedF64 product = new InterleavedF64(fw, fh, 2);
        DiscreteFourierTransformOps.multiplyComplex(fa, fb, product);
        GrayF64 full = new GrayF64(fw, fh);
        dft.inverse(product, full);
        int oh = padding.output(h, kh);
        int ow = padding.output(w, kw);
        // The full convolution's index of the first output: k - 1 - (padding before).
        int oy = kh - 1 - padding.before(kh);
        int ox = kw - 1 - padding.before(kw);
        double[][] out = new double[oh][ow];
        for (int y = 0; y < oh; y++) {
            for (int x = 0; x < ow; x++) {
                out[y][x] = full.data[(y + oy) * fw + x + ox];
            }
        }
        return out;
    }

    /** The coefficients of p(t) q(t) (lowest power first): the one-dimensional full convolution of p and q. */
    public static double[] multiplyPolynomials(double[] p, double[] q) {
        double[] out = new double[p.length + q.length - 1];
        for (int i = 0; i < p.length; i++) {
            for (int j = 0; j < q.length; j++) {
                out[i + j] += p[i] * q[j];
            }
        }
        return out;
    }

    /**
     * The (n + m - 1) x n Toeplitz matrix of {@code q} (length m): constant along each diagonal, column j holding q
     * shifted down by j, so that T p is the full convolution of q with any p of length n.
     */
    public static double[][] toeplitz(double[] q, int n) {
        double[][] t = new double[n + q.length - 1][n];
        for (int col = 0; col < n; col++) {
            for (int i = 0; i < q.length; i++) {
                t[col + i][col] = q[i];
            }
        }
        return t;
    }

    /** {@code m v}. */
    public static double[] times(double[][] m, double[] v) {
        double[] out = new double[m.length];
        for (int r = 0; r < m.length; r++) {
            for (int c = 0; c < v.length; c++) {
                out[r] += m[r][c] * v[c];
            }
        }
        return out;
    }

    /** The largest absolute difference between two images of one size. */
    public static double maxDifference(double[][] a, double[][] b) {
        double m = 0;
        for (int y = 0; y < a.length; y++) {
            for (int x = 0; x < a[0].length; x++) {
                m = Math.max(m, Math.abs(a[y][x] - b[y][x]));
            }
        }
        return m;
    }
}
