package io.deepnets.filters;

import io.deepnets.BadInputException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A trained network's first convolution, kernel by kernel, against the designed ones: each learned kernel (summed
 * over its input channels) and its nearest classic kernel of the same size by cosine similarity, allowing either
 * sign and the four 90-degree turns (a learned edge detector may face any way). The network computes
 * cross-correlation, so a classic convolution kernel K is compared as the weights that compute it, K flipped.
 */
public final class LearnedKernels {
    private LearnedKernels() {
    }

    /**
     * One learned kernel and the classic kernel nearest to it: {@code classic} as the textbook writes it, and
     * {@code matched} as network weights (flipped, turned and signed the way it matched), cell for cell comparable
     * with {@code learned}.
     */
    public record Match(int index, double[][] learned, String nearest, double[][] classic, double[][] matched, double similarity, int quarterTurns,
            boolean negated) {
    }

    /** The designed kernels a learned one is compared with, by name, each {@code size} x {@code size}. */
    static Map<String, double[][]> classics(int size) {
        Map<String, double[][]> m = new LinkedHashMap<>();
        m.put("mean", ClassicFilters.Kernels.mean(size));
        m.put("Gaussian (sigma " + (size / 4.0 + 0.25) + ")", ClassicFilters.Kernels.gaussian(size / 4.0 + 0.25, size));
        m.put("Sobel x", embed(ClassicFilters.Kernels.sobelX(), size));
        m.put("Sobel y", embed(ClassicFilters.Kernels.sobelY(), size));
        m.put("horizontal gradient", embed(ClassicFilters.Kernels.gradientX(), size));
        m.put("vertical gradient", embed(ClassicFilters.Kernels.gradientY(), size));
        m.put("Laplacian (blob)", embed(ClassicFilters.Kernels.laplacian(), size));
        return m;
    }

    private static double[][] embed(double[][] k, int size) {
        double[][] out = new double[size][size];
        int oy = (size - k.length) / 2;
        int ox = (size - k[0].length) / 2;
        if (oy < 0 || ox < 0) {
            return out;
        }
        for (int y = 0; y < k.length; y++) {
            System.arraycopy(k[y], 0, out[y + oy], ox, k[0].length);
        }
        return out;
    }

    /**
     * The first convolution's weights [out, in, k, k] of {@code net}; one line (exit 2) when it has none or its
     * kernels are not square, so a command can check its model before any work.
     */
    public static INDArray firstKernels(io.deepnets.model.Network net, String modelName) {
        for (Layer l : net.layers()) {
            Layer inner = l instanceof org.deeplearning4j.nn.layers.FrozenLayer f ? f.getInsideLayer() : l;
            // A plain convolution's kernels [out, in, k, k]; depthwise and separable ones hold theirs in other layouts.
            if (inner instanceof ConvolutionLayer conv && inner.conf().getLayer().getClass() == org.deeplearning4j.nn.conf.layers.ConvolutionLayer.class) {
                INDArray w = conv.getParam("W");
                if (w.size(2) != w.size(3)) {
                    throw new BadInputException("--model " + modelName + ": the first convolution's kernels are " + w.size(2) + "x" + w.size(3)
                            + "; only square kernels are compared");
                }
                return w;
            }
        }
        throw new BadInputException("--model " + modelName + ": the network has no convolution layer, so no learned kernels to show");
    }

    /** The first convolution's kernels of {@code net}, each with its nearest classic kernel. */
    public static List<Match> of(io.deepnets.model.Network net, String modelName) {
        INDArray w = firstKernels(net, modelName);
        long[] shape = w.shape();
        int size = (int) shape[2];
        Map<String, double[][]> classics = classics(size);
        List<Match> out = new ArrayList<>();
        for (int o = 0; o < shape[0]; o++) {
            double[][] k = new double[size][size];
            for (int c = 0; c < shape[1]; c++) {
                for (int y = 0; y < size; y++) {
                    for (int x = 0; x < size; x++) {
                        k[y][x] += w.getDouble(o, c, y, x);
                    }
                }
            }
            Match best = null;
            for (var e : classics.entrySet()) {
                double[][] weights = TextbookConvolution.flip(e.getValue());
                double[][] turned = k;
                for (int q = 0; q < 4; q++) {
                    double cos = cosine(turned, weights);
                    if (best == null || Math.abs(cos) > best.similarity()) {
                        // turn^q(learned) ~ sign * weights, so learned ~ sign * turn^(4-q)(weights).
                        double[][] matched = weights;
                        for (int t = 0; t < (4 - q) % 4; t++) {
                            matched = quarterTurn(matched);
                        }
                        double sign = cos < 0 ? -1 : 1;
                        double[][] signed = new double[size][size];
                        for (int y = 0; y < size; y++) {
                            for (int x = 0; x < size; x++) {
                                signed[y][x] = sign * matched[y][x];
                            }
                        }
                        best = new Match(o, k, e.getKey(), e.getValue(), signed, Math.abs(cos), q, cos < 0);
                    }
                    turned = quarterTurn(turned);
                }
            }
            out.add(best);
        }
        return out;
    }

    static double cosine(double[][] a, double[][] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int y = 0; y < a.length; y++) {
            for (int x = 0; x < a[0].length; x++) {
                dot += a[y][x] * b[y][x];
                na += a[y][x] * a[y][x];
                nb += b[y][x] * b[y][x];
            }
        }
        return na == 0 || nb == 0 ? 0 : dot / Math.sqrt(na * nb);
    }

    /** {@code k} turned 90 degrees clockwise. */
    static double[][] quarterTurn(double[][] k) {
        int n = k.length;
        double[][] out = new double[n][n];
        for (int y = 0; y < n; y++) {
            for (int x = 0; x < n; x++) {
                out[x][n - 1 - y] = k[y][x];
            }
        }
        return out;
    }
}
