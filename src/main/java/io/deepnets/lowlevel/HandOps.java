package io.deepnets.lowlevel;

import io.deepnets.BadInputException;

/** The exercise's operations written out as loops over plain arrays: no DL4J layer, no ND4J op. */
public final class HandOps {
    private HandOps() {
    }

    /** Runs the whole pipeline. */
    public static Stages run(double[][][] image, double[][][][] filters, long seed) {
        checkShapes(image, filters);
        double[][][] conv = conv(image, filters);
        double[][][] relu = relu(conv);
        double[][][] pool = maxPool(relu, 2, 2);
        double[][][] norm = normalise(pool);
        double[] flat = flatten(norm);
        double[][] w = LowLevelInput.denseWeights(flat.length, seed);
        double[] dense = dense(flat, w, LowLevelInput.DENSE_BIAS);
        return new Stages(image, filters, conv, relu, pool, norm, w, dense, softmax(dense));
    }

    /** The pipeline needs filters with the image's channels, no larger than it, and a feature map of at least 2x2. */
    public static void checkShapes(double[][][] image, double[][][][] filters) {
        int h = image.length;
        int w = image[0].length;
        int c = image[0][0].length;
        int kh = filters[0].length;
        int kw = filters[0][0].length;
        int kc = filters[0][0][0].length;
        if (kc != c) {
            throw new BadInputException("the filters have " + kc + " channels but the image has " + c);
        }
        if (kh > h || kw > w) {
            throw new BadInputException("the " + kh + "x" + kw + " filters are larger than the " + h + "x" + w + " image ('valid' convolution)");
        }
        if (h - kh + 1 < 2 || w - kw + 1 < 2) {
            throw new BadInputException("the feature map would be " + (h - kh + 1) + "x" + (w - kw + 1) + ", smaller than the 2x2 pooling window");
        }
    }

    /** 'valid' cross-correlation, stride 1, summed over input channels: out[r][c][f]. */
    public static double[][][] conv(double[][][] x, double[][][][] filters) {
        int kh = filters[0].length;
        int kw = filters[0][0].length;
        int oh = x.length - kh + 1;
        int ow = x[0].length - kw + 1;
        double[][][] out = new double[oh][ow][filters.length];
        for (int f = 0; f < filters.length; f++) {
            for (int r = 0; r < oh; r++) {
                for (int c = 0; c < ow; c++) {
                    double sum = 0;
                    for (int i = 0; i < kh; i++) {
                        for (int j = 0; j < kw; j++) {
                            for (int ch = 0; ch < x[0][0].length; ch++) {
                                sum += x[r + i][c + j][ch] * filters[f][i][j][ch];
                            }
                        }
                    }
                    out[r][c][f] = sum;
                }
            }
        }
        return out;
    }

    public static double[][][] relu(double[][][] x) {
        double[][][] out = new double[x.length][x[0].length][x[0][0].length];
        for (int r = 0; r < x.length; r++) {
            for (int c = 0; c < x[0].length; c++) {
                for (int k = 0; k < x[0][0].length; k++) {
                    out[r][c][k] = Math.max(0, x[r][c][k]);
                }
            }
        }
        return out;
    }

    /** Max pooling with a square window and stride, 'valid': out = (in - window) / stride + 1. */
    public static double[][][] maxPool(double[][][] x, int window, int stride) {
        int oh = (x.length - window) / stride + 1;
        int ow = (x[0].length - window) / stride + 1;
        double[][][] out = new double[oh][ow][x[0][0].length];
        for (int r = 0; r < oh; r++) {
            for (int c = 0; c < ow; c++) {
                for (int k = 0; k < x[0][0].length; k++) {
                    double m = Double.NEGATIVE_INFINITY;
                    for (int i = 0; i < window; i++) {
                        for (int j = 0; j < window; j++) {
                            m = Math.max(m, x[r * stride + i][c * stride + j][k]);
                        }
                    }
                    out[r][c][k] = m;
                }
            }
        }
        return out;
    }

    /** Per channel: subtract the mean, divide by the population standard deviation (a constant channel becomes 0). */
    public static double[][][] normalise(double[][][] x) {
        int h = x.length;
        int w = x[0].length;
        int ch = x[0][0].length;
        double[][][] out = new double[h][w][ch];
        for (int k = 0; k < ch; k++) {
            double mean = 0;
            for (double[][] row : x) {
                for (double[] px : row) {
                    mean += px[k];
                }
            }
            mean /= h * w;
            double var = 0;
            for (double[][] row : x) {
                for (double[] px : row) {
                    var += (px[k] - mean) * (px[k] - mean);
                }
            }
            double std = Math.sqrt(var / (h * w));
            for (int r = 0; r < h; r++) {
                for (int c = 0; c < w; c++) {
                    out[r][c][k] = std == 0 ? 0 : (x[r][c][k] - mean) / std;
                }
            }
        }
        return out;
    }

    /** Row, then column, then channel. */
    public static double[] flatten(double[][][] x) {
        double[] out = new double[x.length * x[0].length * x[0][0].length];
        int i = 0;
        for (double[][] row : x) {
            for (double[] px : row) {
                for (double v : px) {
                    out[i++] = v;
                }
            }
        }
        return out;
    }

    public static double[] dense(double[] x, double[][] w, double bias) {
        double[] out = new double[w[0].length];
        for (int j = 0; j < out.length; j++) {
            double sum = bias;
            for (int i = 0; i < x.length; i++) {
                sum += x[i] * w[i][j];
            }
            out[j] = sum;
        }
        return out;
    }

    /** Softmax, shifted by the maximum for numerical safety (the result is the same). */
    public static double[] softmax(double[] z) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : z) {
            max = Math.max(max, v);
        }
        double sum = 0;
        double[] out = new double[z.length];
        for (int i = 0; i < z.length; i++) {
            out[i] = Math.exp(z[i] - max);
            sum += out[i];
        }
        for (int i = 0; i < z.length; i++) {
            out[i] /= sum;
        }
        return out;
    }
}
