package io.deepnets.scratch;

import java.util.stream.IntStream;

/**
 * The one matrix product everything here goes through, row-major: {@code C[M][N] (+)= A[M][K] . B[K][N]}, with
 * transposed operands copied into row-major first so the inner loop always runs over a contiguous row of B and C
 * (which HotSpot turns into SIMD). Rows of C are shared out over the machine's cores.
 */
public final class Gemm {
    private Gemm() {
    }

    /** {@code C = A . B} (or {@code C += A . B} with {@code accumulate}); A is {@code m x k}, B is {@code k x n}. */
    public static void multiply(float[] a, float[] b, float[] c, int m, int k, int n, boolean accumulate) {
        if (!accumulate) {
            java.util.Arrays.fill(c, 0, m * n, 0f);
        }
        IntStream rows = IntStream.range(0, m);
        if ((long) m * n * k > 200_000) {
            rows = rows.parallel();
        }
        rows.forEach(i -> {
            int ci = i * n;
            int ai = i * k;
            for (int p = 0; p < k; p++) {
                float av = a[ai + p];
                if (av == 0f) {
                    continue;
                }
                int bp = p * n;
                for (int j = 0; j < n; j++) {
                    c[ci + j] += av * b[bp + j];
                }
            }
        });
    }

    /** {@code C = A . B^T}: A is {@code m x k}, B is {@code n x k}. */
    public static void multiplyTransposedB(float[] a, float[] b, float[] c, int m, int k, int n, boolean accumulate) {
        multiply(a, transpose(b, n, k), c, m, k, n, accumulate);
    }

    /** {@code C = A^T . B}: A is {@code k x m}, B is {@code k x n}. */
    public static void multiplyTransposedA(float[] a, float[] b, float[] c, int m, int k, int n, boolean accumulate) {
        multiply(transpose(a, k, m), b, c, m, k, n, accumulate);
    }

    /** The transpose of a {@code rows x cols} matrix. */
    public static float[] transpose(float[] x, int rows, int cols) {
        float[] t = new float[rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                t[c * rows + r] = x[r * cols + c];
            }
        }
        return t;
    }
}
