package io.deepnets.engine.kernels;

/**
 * The loops of {@link SmallConvTrainingStep}, over rows: one {@code float[]} per feature with the batch along it,
 * every loop running from index 0 of each array it touches.
 *
 * <p>Why rows and not one flat array with offsets: Java 17's JIT (C2) turns {@code y[b] += w * x[b]} into vector
 * instructions only when it can rule out that the two references overlap, and it cannot when both carry a runtime
 * offset into arrays that might be one; such loops then run one element at a time. Measured on this AVX-512 machine
 * with {@code y[off1 + b] += w * x[off2 + b]}: 1.3-2.2 GMAC/s whatever the length; with separate rows from index 0,
 * 4-5 GMAC/s; with four input rows summed per pass ({@link #accumulate}), 9-12 GMAC/s at 100 to 600 elements, which
 * is OpenBLAS's {@code sgemm} on the digits net's dense layer (13.6 GMAC/s, before the JNI call).
 *
 * <p>Every sum keeps a fixed order (the terms in the order given, blocks of four included), so a step is the same
 * arithmetic whatever the batch size.
 */
public final class RowKernels {
    private RowKernels() {
    }

    /**
     * {@code y[b] += w[wOff] * x[rows[0]][b] + w[wOff + ws] * x[rows[1]][b] + ...} for {@code b < n}, added term by
     * term in that order; {@code rows == null} means the rows {@code 0..count-1}.
     */
    public static void accumulate(float[] y, float[][] x, int[] rows, float[] w, int wOff, int ws, int count, int n) {
        int k = 0;
        for (; k + 4 <= count; k += 4) {
            int at = wOff + k * ws;
            acc4(y, x[row(rows, k)], x[row(rows, k + 1)], x[row(rows, k + 2)], x[row(rows, k + 3)], w[at], w[at + ws], w[at + 2 * ws], w[at + 3 * ws], n);
        }
        int at = wOff + k * ws;
        switch (count - k) {
            case 3 -> acc3(y, x[row(rows, k)], x[row(rows, k + 1)], x[row(rows, k + 2)], w[at], w[at + ws], w[at + 2 * ws], n);
            case 2 -> acc2(y, x[row(rows, k)], x[row(rows, k + 1)], w[at], w[at + ws], n);
            case 1 -> acc1(y, x[row(rows, k)], w[at], n);
            default -> {
            }
        }
    }

    private static int row(int[] rows, int k) {
        return rows == null ? k : rows[k];
    }

    public static void acc1(float[] y, float[] x0, float w0, int n) {
        for (int b = 0; b < n; b++) {
            y[b] += w0 * x0[b];
        }
    }

    private static void acc2(float[] y, float[] x0, float[] x1, float w0, float w1, int n) {
        for (int b = 0; b < n; b++) {
            float s = y[b];
            s += w0 * x0[b];
            s += w1 * x1[b];
            y[b] = s;
        }
    }

    private static void acc3(float[] y, float[] x0, float[] x1, float[] x2, float w0, float w1, float w2, int n) {
        for (int b = 0; b < n; b++) {
            float s = y[b];
            s += w0 * x0[b];
            s += w1 * x1[b];
            s += w2 * x2[b];
            y[b] = s;
        }
    }

    private static void acc4(float[] y, float[] x0, float[] x1, float[] x2, float[] x3, float w0, float w1, float w2, float w3, int n) {
        for (int b = 0; b < n; b++) {
            float s = y[b];
            s += w0 * x0[b];
            s += w1 * x1[b];
            s += w2 * x2[b];
            s += w3 * x3[b];
            y[b] = s;
        }
    }

    /**
     * Lane sums of products: {@code y[b] += d[k][b] * x[k][b]} over the pairs {@code k < count} in order (two per
     * pass: with four pairs, nine arrays in one loop, the JIT no longer vectorised it, 2.6x slower); a weight gradient
     * is then the sum of {@code y}'s lanes.
     */
    public static void accumulateProducts(float[] y, float[][] d, float[][] x, int count, int n) {
        int k = 0;
        for (; k + 2 <= count; k += 2) {
            float[] d0 = d[k];
            float[] x0 = x[k];
            float[] d1 = d[k + 1];
            float[] x1 = x[k + 1];
            for (int b = 0; b < n; b++) {
                float s = y[b];
                s += d0[b] * x0[b];
                s += d1[b] * x1[b];
                y[b] = s;
            }
        }
        if (k < count) {
            float[] dk = d[k];
            float[] xk = x[k];
            for (int b = 0; b < n; b++) {
                y[b] += dk[b] * xk[b];
            }
        }
    }

    /** {@code y[b] += x[k][b]} over {@code k < count} in order. */
    public static void addRows(float[] y, float[][] x, int count, int n) {
        int k = 0;
        for (; k + 4 <= count; k += 4) {
            float[] x0 = x[k];
            float[] x1 = x[k + 1];
            float[] x2 = x[k + 2];
            float[] x3 = x[k + 3];
            for (int b = 0; b < n; b++) {
                float s = y[b];
                s += x0[b];
                s += x1[b];
                s += x2[b];
                s += x3[b];
                y[b] = s;
            }
        }
        for (; k < count; k++) {
            float[] xk = x[k];
            for (int b = 0; b < n; b++) {
                y[b] += xk[b];
            }
        }
    }

    /** The sum of {@code x[0..n)}, left to right. */
    public static float sum(float[] x, int n) {
        float s = 0f;
        for (int b = 0; b < n; b++) {
            s += x[b];
        }
        return s;
    }
}
