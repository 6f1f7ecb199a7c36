package io.deepnets.lowlevel;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** Prints the stages for people (per channel, with shapes and the size arithmetic) or as one JSON object. */
public final class LowLevelReport {
    private LowLevelReport() {
    }

    public static String json(Stages s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("image", s.image());
        m.put("filters", s.filters());
        m.put("conv", s.conv());
        m.put("relu", s.relu());
        m.put("pool", s.pool());
        m.put("norm", s.norm());
        m.put("dense_weights", s.denseWeights());
        m.put("dense", s.dense());
        m.put("softmax", s.softmax());
        try {
            return new ObjectMapper().writeValueAsString(m);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String text(Stages s, long seed, double maxDifference) {
        StringBuilder sb = new StringBuilder();
        int h = s.image().length;
        int w = s.image()[0].length;
        int kh = s.filters()[0].length;
        int kw = s.filters()[0][0].length;
        int ch = s.conv().length;
        int cw = s.conv()[0].length;
        sb.append("Low-level operations of a CNN, by hand (arrays shown per channel; shapes are (rows, columns, channels))\n\n");
        map(sb, "1. Input image", s.image());
        for (int f = 0; f < s.filters().length; f++) {
            map(sb, "2. Filter " + (f + 1), s.filters()[f]);
        }
        sb.append(String.format(Locale.ROOT, "3. Convolution: 'valid' padding, stride 1, no kernel flip (cross-correlation), summed over the %d input channels.%n",
                s.image()[0][0].length));
        sb.append(String.format(Locale.ROOT, "   output size = (input - kernel) / stride + 1: rows (%d - %d) / 1 + 1 = %d, columns (%d - %d) / 1 + 1 = %d;"
                + " one channel per filter.%n", h, kh, ch, w, kw, cw));
        sb.append(String.format(Locale.ROOT, "   e.g. conv[0][0][0] = sum over the top-left 3x3 window of image * filter 1 = %s%n%n", num(s.conv()[0][0][0])));
        map(sb, "   Feature map", s.conv());
        map(sb, "4. After ReLU, max(0, x)", s.relu());
        sb.append(String.format(Locale.ROOT, "5. Max pooling, 2x2 window, stride 2: output size = (input - window) / stride + 1 = (%d - 2) / 2 + 1 = %d rows,"
                + " (%d - 2) / 2 + 1 = %d columns.%n%n", ch, s.pool().length, cw, s.pool()[0].length));
        map(sb, "   Pooled", s.pool());
        sb.append("6. Normalisation per channel: (x - mean) / standard deviation (population, dividing by n).\n\n");
        map(sb, "   Normalised", s.norm());
        sb.append(String.format(Locale.ROOT, "7. Dense layer: the normalised map flattened row, then column, then channel (%d values),%n"
                + "   times a %dx%d weight matrix of uniform [0, 1) numbers (java.util.Random, seed %d), plus bias %s.%n%n",
                s.denseWeights().length, s.denseWeights().length, s.denseWeights()[0].length, seed, num(LowLevelInput.DENSE_BIAS)));
        sb.append("   Weights (input x output):\n");
        for (double[] row : s.denseWeights()) {
            sb.append("    ").append(row(row)).append('\n');
        }
        sb.append("\n   Dense output: ").append(row(s.dense())).append("\n\n");
        sb.append("8. Softmax, exp(z_i) / sum_j exp(z_j): ").append(row(s.softmax()));
        double sum = 0;
        for (double p : s.softmax()) {
            sum += p;
        }
        sb.append(String.format(Locale.ROOT, "  (sum %s)%n", num(sum)));
        if (!Double.isNaN(maxDifference)) {
            sb.append(String.format(Locale.ROOT, "%nCross-check: DL4J's ConvolutionLayer, ReLU ActivationLayer and SubsamplingLayer with ND4J's"
                    + " standardisation and softmax give the same values (largest difference %.1e).%n", maxDifference));
        }
        return sb.toString();
    }

    private static void map(StringBuilder sb, String title, double[][][] x) {
        map(sb, title, x, LowLevelReport::row);
    }

    /** One stage per channel, each row of the map formatted by {@code rowFormat}; shared with {@link BackwardReport}. */
    static void map(StringBuilder sb, String title, double[][][] x, java.util.function.Function<double[], String> rowFormat) {
        sb.append(title).append(": shape (").append(x.length).append(", ").append(x[0].length).append(", ").append(x[0][0].length).append(")\n");
        for (int k = 0; k < x[0][0].length; k++) {
            sb.append("   channel ").append(k).append(":\n");
            for (double[][] r : x) {
                double[] vals = new double[r.length];
                for (int c = 0; c < r.length; c++) {
                    vals[c] = r[c][k];
                }
                sb.append("    ").append(rowFormat.apply(vals)).append('\n');
            }
        }
        sb.append('\n');
    }

    private static String row(double[] values) {
        StringBuilder sb = new StringBuilder();
        for (double v : values) {
            sb.append(String.format(Locale.ROOT, "%9s", num(v)));
        }
        return sb.toString();
    }

    static String num(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e6) {
            return String.valueOf((long) v);
        }
        return String.format(Locale.ROOT, "%.4f", v);
    }

    /** The largest absolute difference between two pipelines' results, over every stage. */
    public static double maxDifference(Stages a, Stages b) {
        double d = 0;
        d = Math.max(d, diff(a.conv(), b.conv()));
        d = Math.max(d, diff(a.relu(), b.relu()));
        d = Math.max(d, diff(a.pool(), b.pool()));
        d = Math.max(d, diff(a.norm(), b.norm()));
        for (int i = 0; i < a.dense().length; i++) {
            d = Math.max(d, Math.abs(a.dense()[i] - b.dense()[i]));
            d = Math.max(d, Math.abs(a.softmax()[i] - b.softmax()[i]));
        }
        return d;
    }

    private static double diff(double[][][] a, double[][][] b) {
        if (a.length != b.length || a[0].length != b[0].length || a[0][0].length != b[0][0].length) {
            return Double.POSITIVE_INFINITY;
        }
        double d = 0;
        for (int r = 0; r < a.length; r++) {
            for (int c = 0; c < a[0].length; c++) {
                for (int k = 0; k < a[0][0].length; k++) {
                    d = Math.max(d, Math.abs(a[r][c][k] - b[r][c][k]));
                }
            }
        }
        return d;
    }
}
