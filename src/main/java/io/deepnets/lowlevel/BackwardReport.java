package io.deepnets.lowlevel;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Prints the backward pass per channel like the forward stages, with both cross-checks, or as one JSON object. */
public final class BackwardReport {
    private BackwardReport() {
    }

    /** Largest absolute difference per stage between two backward passes. */
    public static Map<String, Double> differences(Gradients a, Gradients b) {
        Map<String, Double> d = new LinkedHashMap<>();
        d.put("loss", Math.abs(a.loss() - b.loss()));
        d.put("dense output", max(a.dense(), b.dense()));
        d.put("dense weights", max(FiniteDifferences.flat2(a.denseWeights()), FiniteDifferences.flat2(b.denseWeights())));
        d.put("dense bias", max(a.denseBias(), b.denseBias()));
        d.put("normalised map", max(FiniteDifferences.flat3(a.norm()), FiniteDifferences.flat3(b.norm())));
        d.put("pooled map", max(FiniteDifferences.flat3(a.pool()), FiniteDifferences.flat3(b.pool())));
        d.put("ReLU output", max(FiniteDifferences.flat3(a.relu()), FiniteDifferences.flat3(b.relu())));
        d.put("convolution output", max(FiniteDifferences.flat3(a.conv()), FiniteDifferences.flat3(b.conv())));
        d.put("convolution weights", max(FiniteDifferences.flat4(a.filters()), FiniteDifferences.flat4(b.filters())));
        d.put("convolution bias", max(a.convBias(), b.convBias()));
        d.put("input image", max(FiniteDifferences.flat3(a.image()), FiniteDifferences.flat3(b.image())));
        return d;
    }

    private static double max(double[] a, double[] b) {
        if (a.length != b.length) {
            return Double.POSITIVE_INFINITY;
        }
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    public static String json(Stages s, Gradients g, Map<String, Double> dl4j, List<FiniteDifferences.Check> fd) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("label", g.label());
        m.put("softmax", s.softmax());
        m.put("loss", g.loss());
        Map<String, Object> grads = new LinkedHashMap<>();
        grads.put("dense", g.dense());
        grads.put("dense_weights", g.denseWeights());
        grads.put("dense_bias", g.denseBias());
        grads.put("norm", g.norm());
        grads.put("pool", g.pool());
        grads.put("relu", g.relu());
        grads.put("conv", g.conv());
        grads.put("filters", g.filters());
        grads.put("conv_bias", g.convBias());
        grads.put("image", g.image());
        m.put("gradients", grads);
        m.put("dl4j_max_difference", dl4j);
        m.put("finite_differences", fd.stream().map(c -> Map.of("stage", c.stage(), "values", c.values(), "max_relative_error", c.maxRelativeError(),
                "kinks", c.kinks())).toList());
        try {
            return new ObjectMapper().writeValueAsString(m);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String text(Stages s, Gradients g, Map<String, Double> dl4j, List<FiniteDifferences.Check> fd) {
        StringBuilder sb = new StringBuilder();
        sb.append("Backward pass by hand: the gradient of the loss at every stage, from the loss down to the image\n");
        sb.append("(maps per channel; shapes are (rows, columns, channels), as in the forward pass)\n\n");
        sb.append(String.format(Locale.ROOT, "Target label %d; softmax %s%n", g.label(), row(s.softmax())));
        sb.append(String.format(Locale.ROOT, "Loss: cross-entropy -log(softmax[%d]) = %.6f%n%n", g.label(), g.loss()));
        sb.append("1. Softmax with cross-entropy: dL/dz_j = softmax_j - (j == label ? 1 : 0)\n   ").append(row(g.dense())).append("\n\n");
        sb.append("2. Dense layer z = x W + b: dL/dW[i][j] = x_i dL/dz_j, dL/db_j = dL/dz_j, dL/dx_i = sum_j W[i][j] dL/dz_j\n");
        sb.append("   dL/dW (input x output):\n");
        for (double[] r : g.denseWeights()) {
            sb.append("    ").append(row(r)).append('\n');
        }
        sb.append("   dL/db: ").append(row(g.denseBias())).append("\n\n");
        map(sb, "   dL/dx, un-flattened to the normalised map", g.norm());
        map(sb, "3. Normalisation y = (x - mean) / std per channel: dL/dx = (dL/dy - mean(dL/dy) - y mean(dL/dy * y)) / std", g.pool());
        map(sb, "4. Max pooling: each gradient goes to its window's arg-max, every other input gets 0", g.relu());
        map(sb, "5. ReLU: the gradient passes where the convolution output was > 0 (the mask), else 0", g.conv());
        for (int f = 0; f < g.filters().length; f++) {
            map(sb, "6. Convolution weights, filter " + (f + 1) + ": dL/dW[i][j][c] = sum over positions of dL/dout * image under the window",
                    g.filters()[f]);
        }
        sb.append("   Convolution bias (one per filter, value 0 in the forward pass): dL/db_f = sum of dL/dout over the map: ")
                .append(row(g.convBias())).append("\n\n");
        map(sb, "7. Input image: dL/dx = sum over windows covering each pixel of dL/dout * filter", g.image());
        sb.append("Cross-check 1: DL4J's own backpropagation of the same network and weights (OutputLayer, SameDiff for the\n");
        sb.append("normalisation, SubsamplingLayer, ReLU ActivationLayer, ConvolutionLayer), largest absolute difference per stage:\n");
        dl4j.forEach((k, v) -> sb.append(String.format(Locale.ROOT, "   %-22s %.1e%n", k, v)));
        sb.append("\nCross-check 2: central finite differences, (L(v + 1e-6) - L(v - 1e-6)) / 2e-6 for every value, largest error relative to\nmax(|analytic|, |numeric|, 1e-4):\n");
        for (FiniteDifferences.Check c : fd) {
            sb.append(String.format(Locale.ROOT, "   %-30s %4d values  %.1e%s%n", c.stage(), c.values(), c.maxRelativeError(),
                    c.kinks() > 0 ? "  (" + c.kinks() + " at a ReLU kink or pooling tie, where no derivative exists, left out)" : ""));
        }
        return sb.toString();
    }

    private static void map(StringBuilder sb, String title, double[][][] x) {
        LowLevelReport.map(sb, title, x, BackwardReport::row);
    }

    private static String row(double[] values) {
        StringBuilder sb = new StringBuilder();
        for (double v : values) {
            sb.append(String.format(Locale.ROOT, "%11s", v == 0 ? "0" : String.format(Locale.ROOT, "%.5f", v)));
        }
        return sb.toString();
    }
}
