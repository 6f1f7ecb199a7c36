package io.deepnets.lowlevel;

import java.util.ArrayList;
import java.util.List;

/**
 * Central differences {@code (L(v + h) - L(v - h)) / 2h}, h = 1e-6, of the loss with respect to every value of
 * every stage (each intermediate stage perturbed and the pipeline run on from it), compared with the analytic
 * gradients. Where the pipeline has no derivative (a ReLU input exactly 0, a pooling window whose maximum is
 * shared) the two one-sided slopes differ; such points are counted and left out of the error.
 */
public final class FiniteDifferences {
    static final double H = 1e-6;

    private FiniteDifferences() {
    }

    /** One stage's check: the largest relative error and how many points sat on a kink or tie. */
    public record Check(String stage, int values, double maxRelativeError, int kinks) {
    }

    private interface Loss {
        double at();
    }

    public static List<Check> check(Stages s, Gradients g) {
        double[][][] image = copy(s.image());
        double[][][][] filters = copy4(s.filters());
        double[] convBias = new double[filters.length];
        double[][] w = copy2(s.denseWeights());
        double[] denseBias = new double[w[0].length];
        java.util.Arrays.fill(denseBias, LowLevelInput.DENSE_BIAS);
        int label = g.label();
        List<Check> out = new ArrayList<>();
        double[] z = s.dense().clone();
        out.add(compare("dense output (softmax input)", flat1(z), g.dense(), k -> z[k], (k, v) -> z[k] = v, () -> lossFromDense(z, label)));
        out.add(compare("dense weights", flat2(w), flat2(g.denseWeights()), k -> w[k / w[0].length][k % w[0].length],
                (k, v) -> w[k / w[0].length][k % w[0].length] = v, () -> lossFromNorm(s.norm(), w, denseBias, label)));
        out.add(compare("dense bias", denseBias.clone(), g.denseBias(), k -> denseBias[k], (k, v) -> denseBias[k] = v,
                () -> lossFromNorm(s.norm(), w, denseBias, label)));
        double[][][] norm = copy(s.norm());
        out.add(stage3("normalised map (dense input)", norm, g.norm(), () -> lossFromNorm(norm, w, denseBias, label)));
        double[][][] pool = copy(s.pool());
        out.add(stage3("pooled map", pool, g.pool(), () -> lossFromNorm(HandOps.normalise(pool), w, denseBias, label)));
        double[][][] relu = copy(s.relu());
        out.add(stage3("ReLU output", relu, g.relu(), () -> lossFromNorm(HandOps.normalise(HandOps.maxPool(relu, 2, 2)), w, denseBias, label)));
        double[][][] conv = copy(s.conv());
        out.add(stage3("convolution output", conv, g.conv(), () -> lossFromConv(conv, w, denseBias, label)));
        out.add(compare("convolution weights", flat4(filters), flat4(g.filters()), k -> get4(filters, k), (k, v) -> set4(filters, k, v),
                () -> lossFromConv(convolve(image, filters, convBias), w, denseBias, label)));
        out.add(compare("convolution bias", convBias.clone(), g.convBias(), k -> convBias[k], (k, v) -> convBias[k] = v,
                () -> lossFromConv(convolve(image, filters, convBias), w, denseBias, label)));
        out.add(stage3("input image", image, g.image(), () -> lossFromConv(convolve(image, filters, convBias), w, denseBias, label)));
        return out;
    }

    private static double lossFromDense(double[] z, int label) {
        return -Math.log(HandOps.softmax(z)[label]);
    }

    private static double lossFromNorm(double[][][] norm, double[][] w, double[] bias, int label) {
        double[] flat = HandOps.flatten(norm);
        double[] z = new double[w[0].length];
        for (int j = 0; j < z.length; j++) {
            z[j] = bias[j];
            for (int i = 0; i < flat.length; i++) {
                z[j] += flat[i] * w[i][j];
            }
        }
        return lossFromDense(z, label);
    }

    private static double lossFromConv(double[][][] conv, double[][] w, double[] bias, int label) {
        return lossFromNorm(HandOps.normalise(HandOps.maxPool(HandOps.relu(conv), 2, 2)), w, bias, label);
    }

    private static double[][][] convolve(double[][][] image, double[][][][] filters, double[] bias) {
        double[][][] c = HandOps.conv(image, filters);
        for (double[][] row : c) {
            for (double[] px : row) {
                for (int k = 0; k < px.length; k++) {
                    px[k] += bias[k];
                }
            }
        }
        return c;
    }

    private interface Getter {
        double get(int k);
    }

    private interface Setter {
        void set(int k, double v);
    }

    private static Check stage3(String name, double[][][] x, double[][][] analytic, Loss loss) {
        int h = x.length;
        int w = x[0].length;
        int c = x[0][0].length;
        return compare(name, flat3(x), flat3(analytic), k -> x[k / (w * c)][(k / c) % w][k % c], (k, v) -> x[k / (w * c)][(k / c) % w][k % c] = v, loss);
    }

    private static Check compare(String name, double[] values, double[] analytic, Getter get, Setter set, Loss loss) {
        double worst = 0;
        int kinks = 0;
        double base = loss.at();                 // every value is put back after its two steps: the loss at v stays this
        for (int k = 0; k < values.length; k++) {
            double keep = get.get(k);
            set.set(k, keep + H);
            double plus = loss.at();
            set.set(k, keep - H);
            double minus = loss.at();
            set.set(k, keep);
            double right = (plus - base) / H;
            double left = (base - minus) / H;
            // The one-sided slopes disagree far beyond rounding: no derivative here.
            if (Math.abs(right - left) > 1e-4 * (Math.abs(right) + Math.abs(left)) + 1e-7) {
                kinks++;
                continue;
            }
            double numeric = (plus - minus) / (2 * H);
            // Relative to the larger magnitude, floored at 1e-4 so that a zero gradient's rounding noise (~1e-10) is no error.
            double denominator = Math.max(Math.max(Math.abs(numeric), Math.abs(analytic[k])), 1e-4);
            worst = Math.max(worst, Math.abs(numeric - analytic[k]) / denominator);
        }
        return new Check(name, values.length, worst, kinks);
    }

    static double[][][] copy(double[][][] x) {
        double[][][] out = new double[x.length][][];
        for (int i = 0; i < x.length; i++) {
            out[i] = copy2(x[i]);
        }
        return out;
    }

    static double[][] copy2(double[][] x) {
        double[][] out = new double[x.length][];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i].clone();
        }
        return out;
    }

    static double[][][][] copy4(double[][][][] x) {
        double[][][][] out = new double[x.length][][][];
        for (int i = 0; i < x.length; i++) {
            out[i] = copy(x[i]);
        }
        return out;
    }

    static double[] flat1(double[] x) {
        return x.clone();
    }

    static double[] flat2(double[][] x) {
        return java.util.Arrays.stream(x).flatMapToDouble(java.util.Arrays::stream).toArray();
    }

    static double[] flat3(double[][][] x) {
        return java.util.Arrays.stream(x).flatMapToDouble(r -> java.util.Arrays.stream(r).flatMapToDouble(java.util.Arrays::stream)).toArray();
    }

    static double[] flat4(double[][][][] x) {
        return java.util.Arrays.stream(x).flatMapToDouble(f -> java.util.Arrays.stream(flat3(f))).toArray();
    }

    private static double get4(double[][][][] f, int k) {
        int kh = f[0].length;
        int kw = f[0][0].length;
        int c = f[0][0][0].length;
        return f[k / (kh * kw * c)][(k / (kw * c)) % kh][(k / c) % kw][k % c];
    }

    private static void set4(double[][][][] f, int k, double v) {
        int kh = f[0].length;
        int kw = f[0][0].length;
        int c = f[0][0][0].length;
        f[k / (kh * kw * c)][(k / (kw * c)) % kh][(k / c) % kw][k % c] = v;
    }
}
