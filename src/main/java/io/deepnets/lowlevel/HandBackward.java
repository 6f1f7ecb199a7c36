package io.deepnets.lowlevel;

/**
 * The exercise's backward pass written out as loops, stage by stage from the loss down to the image: what a student
 * derives on paper. Each step uses only the forward {@link Stages} and the gradient of the stage above.
 */
public final class HandBackward {
    private HandBackward() {
    }

    public static Gradients run(Stages s, int label) {
        int classes = s.softmax().length;
        double loss = -Math.log(s.softmax()[label]);
        // Softmax with cross-entropy: dL/dz_j = p_j - [j == label].
        double[] dz = new double[classes];
        for (int j = 0; j < classes; j++) {
            dz[j] = s.softmax()[j] - (j == label ? 1 : 0);
        }
        // Dense z = x W + b: dW[i][j] = x_i dz_j, db_j = dz_j, dx_i = sum_j W[i][j] dz_j.
        double[] flat = HandOps.flatten(s.norm());
        double[][] dW = new double[flat.length][classes];
        double[] dFlat = new double[flat.length];
        for (int i = 0; i < flat.length; i++) {
            for (int j = 0; j < classes; j++) {
                dW[i][j] = flat[i] * dz[j];
                dFlat[i] += s.denseWeights()[i][j] * dz[j];
            }
        }
        double[][][] dNorm = unflatten(dFlat, s.norm());
        double[][][] dPool = normaliseBackward(s.pool(), s.norm(), dNorm);
        double[][][] dRelu = poolBackward(s.relu(), s.pool(), dPool, 2, 2);
        double[][][] dConv = new double[dRelu.length][dRelu[0].length][dRelu[0][0].length];
        for (int r = 0; r < dConv.length; r++) {
            for (int c = 0; c < dConv[0].length; c++) {
                for (int k = 0; k < dConv[0][0].length; k++) {
                    // ReLU passes the gradient where its input was positive (0 at the kink, as DL4J).
                    dConv[r][c][k] = s.conv()[r][c][k] > 0 ? dRelu[r][c][k] : 0;
                }
            }
        }
        double[][][][] f = s.filters();
        int kh = f[0].length;
        int kw = f[0][0].length;
        int ch = f[0][0][0].length;
        double[][][][] dF = new double[f.length][kh][kw][ch];
        double[] dB = new double[f.length];
        double[][][] dX = new double[s.image().length][s.image()[0].length][ch];
        for (int k = 0; k < f.length; k++) {
            for (int r = 0; r < dConv.length; r++) {
                for (int c = 0; c < dConv[0].length; c++) {
                    double g = dConv[r][c][k];
                    dB[k] += g;
                    for (int i = 0; i < kh; i++) {
                        for (int j = 0; j < kw; j++) {
                            for (int q = 0; q < ch; q++) {
                                // out[r][c][k] = sum x[r+i][c+j][q] f[k][i][j][q]: each product's two factors.
                                dF[k][i][j][q] += g * s.image()[r + i][c + j][q];
                                dX[r + i][c + j][q] += g * f[k][i][j][q];
                            }
                        }
                    }
                }
            }
        }
        return new Gradients(label, loss, dz, dW, dz.clone(), dNorm, dPool, dRelu, dConv, dF, dB, dX);
    }

    static double[][][] unflatten(double[] flat, double[][][] like) {
        double[][][] out = new double[like.length][like[0].length][like[0][0].length];
        int i = 0;
        for (double[][] row : out) {
            for (double[] px : row) {
                for (int k = 0; k < px.length; k++) {
                    px[k] = flat[i++];
                }
            }
        }
        return out;
    }

    /**
     * y = (x - mean) / std per channel over its n values (population std): dx = (dy - mean(dy) - y * mean(dy * y)) / std.
     * A constant channel (std 0) has the constant output 0, so no gradient.
     */
    static double[][][] normaliseBackward(double[][][] x, double[][][] y, double[][][] dy) {
        int h = x.length;
        int w = x[0].length;
        int chs = x[0][0].length;
        int n = h * w;
        double[][][] dx = new double[h][w][chs];
        for (int k = 0; k < chs; k++) {
            double mean = 0;
            for (double[][] row : x) {
                for (double[] px : row) {
                    mean += px[k];
                }
            }
            mean /= n;
            double var = 0;
            double meanDy = 0;
            double meanDyY = 0;
            for (int r = 0; r < h; r++) {
                for (int c = 0; c < w; c++) {
                    var += (x[r][c][k] - mean) * (x[r][c][k] - mean);
                    meanDy += dy[r][c][k];
                    meanDyY += dy[r][c][k] * y[r][c][k];
                }
            }
            double std = Math.sqrt(var / n);
            meanDy /= n;
            meanDyY /= n;
            for (int r = 0; r < h; r++) {
                for (int c = 0; c < w; c++) {
                    dx[r][c][k] = std == 0 ? 0 : (dy[r][c][k] - meanDy - y[r][c][k] * meanDyY) / std;
                }
            }
        }
        return dx;
    }

    /** Each pooled gradient goes to the input that was the window's maximum (the first in row order on a tie). */
    static double[][][] poolBackward(double[][][] x, double[][][] pooled, double[][][] dy, int window, int stride) {
        double[][][] dx = new double[x.length][x[0].length][x[0][0].length];
        for (int r = 0; r < pooled.length; r++) {
            for (int c = 0; c < pooled[0].length; c++) {
                for (int k = 0; k < pooled[0][0].length; k++) {
                    int br = r * stride;
                    int bc = c * stride;
                    for (int i = 0; i < window; i++) {
                        for (int j = 0; j < window; j++) {
                            if (x[r * stride + i][c * stride + j][k] > x[br][bc][k]) {
                                br = r * stride + i;
                                bc = c * stride + j;
                            }
                        }
                    }
                    dx[br][bc][k] += dy[r][c][k];
                }
            }
        }
        return dx;
    }
}
