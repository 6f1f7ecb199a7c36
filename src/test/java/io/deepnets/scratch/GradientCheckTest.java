package io.deepnets.scratch;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Every hand-written layer's backward pass against central finite differences of {@code L = sum(y * r)} for a random
 * {@code r} (so {@code dL/dy = r}), on random shapes including stride > 1 and padding; and the loss layer and a whole
 * small network against finite differences of the real loss.
 */
class GradientCheckTest {
    static final double H = 1e-3;

    static float[] random(Random r, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return x;
    }

    /**
     * Moves values off ReLU's kink and apart from each other, so that no finite-difference step crosses a kink or
     * changes which input of a pooling window is the largest (there the derivative does not exist).
     */
    static float[] awayFromKinks(float[] x) {
        Integer[] idx = new Integer[x.length];
        for (int i = 0; i < x.length; i++) {
            idx[i] = i;
        }
        java.util.Arrays.sort(idx, (a, b) -> Float.compare(x[a], x[b]));
        float[] out = new float[x.length];
        for (int rank = 0; rank < x.length; rank++) {
            out[idx[rank]] = (rank - x.length / 2 + 0.5f) * 0.05f;
        }
        return out;
    }

    static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }

    /** Largest |analytic - numeric| relative to the largest analytic magnitude, over every entry of {@code values}. */
    static double check(float[] values, float[] analytic, java.util.function.DoubleSupplier loss) {
        double maxErr = 0;
        double scale = 1e-3;
        for (float v : analytic) {
            scale = Math.max(scale, Math.abs(v));
        }
        for (int i = 0; i < values.length; i++) {
            float keep = values[i];
            values[i] = (float) (keep + H);
            double plus = loss.getAsDouble();
            values[i] = (float) (keep - H);
            double minus = loss.getAsDouble();
            values[i] = keep;
            double numeric = (plus - minus) / (2 * H);
            maxErr = Math.max(maxErr, Math.abs(numeric - analytic[i]) / scale);
        }
        return maxErr;
    }

    static void checkLayer(Layer layer, Shape in, int n, long seed) {
        Random r = new Random(seed);
        if (layer instanceof Convolution c) {
            c.setInputShape(in);
        } else if (layer instanceof MaxPooling p) {
            p.setInputShape(in);
        }
        for (Param p : layer.params()) {
            float[] v = random(r, p.value().length);
            System.arraycopy(v, 0, p.value(), 0, v.length);
        }
        Shape out = layer.outputShape(in);
        float[] x = awayFromKinks(random(r, n * in.size()));
        float[] weights = random(r, n * out.size());
        layer.forward(x, n);
        for (Param p : layer.params()) {
            java.util.Arrays.fill(p.gradient(), 0f);
        }
        float[] dx = layer.backward(weights, n);
        java.util.function.DoubleSupplier loss = () -> dot(layer.forward(x, n), weights);
        double err = check(x, dx, loss);
        assertTrue(err < 2e-3, layer.describe() + " on " + in + ": input gradient off by " + err);
        for (Param p : layer.params()) {
            float[] analytic = p.gradient().clone();
            double e = check(p.value(), analytic, loss);
            assertTrue(e < 2e-3, layer.describe() + " on " + in + ": gradient of " + p.name() + " off by " + e);
        }
    }

    @Test
    void convolutionWithStridesAndPadding() {
        Random shapes = new Random(5);
        for (int t = 0; t < 6; t++) {
            int c = 1 + shapes.nextInt(3);
            int f = 1 + shapes.nextInt(4);
            int k = 1 + shapes.nextInt(3);
            int stride = 1 + shapes.nextInt(2);
            int pad = shapes.nextInt(2);
            Shape in = new Shape(c, k + 2 + shapes.nextInt(4), k + 1 + shapes.nextInt(4));
            checkLayer(new Convolution(c, f, k, stride, pad), in, 1 + shapes.nextInt(3), t);
        }
        checkLayer(new Convolution(2, 3, 3, 2, 1), new Shape(2, 7, 6), 2, 99);
    }

    @Test
    void innerProductReluAndMaxPooling() {
        checkLayer(new InnerProduct(7, 4), Shape.flat(7), 3, 1);
        checkLayer(new Relu(), new Shape(2, 3, 3), 2, 2);
        checkLayer(new MaxPooling(2, 2), new Shape(3, 6, 4), 2, 3);
        checkLayer(new MaxPooling(3, 2), new Shape(2, 7, 7), 2, 4);
        checkLayer(new MaxPooling(2, 1), new Shape(1, 5, 5), 1, 6);
    }

    @Test
    void softmaxCrossEntropyAndAWholeNetwork() {
        Random r = new Random(8);
        int n = 4;
        float[] scores = random(r, n * 5);
        int[] labels = {0, 3, 4, 1};
        SoftmaxCrossEntropy loss = new SoftmaxCrossEntropy(5);
        loss.forward(scores, labels, n);
        float[] d = loss.backward(n);
        double err = check(scores, d, () -> new SoftmaxCrossEntropy(5).forward(scores, labels, n));
        assertTrue(err < 2e-3, "softmax cross-entropy off by " + err);

        Network net = new Network(new Shape(2, 9, 9), List.of(new Convolution(2, 3, 3, 2, 1), new Relu(), new MaxPooling(2, 2),
                new InnerProduct(12, 6), new Relu(), new InnerProduct(6, 3)));
        net.xavier(3);
        float[] x = awayFromKinks(random(r, 3 * 162));
        int[] y = {2, 0, 1};
        Network.Result res = net.forwardBackward(x, y, 3);
        double e = check(x, res.inputGradient(), () -> lossOf(net, x, y));
        assertTrue(e < 5e-3, "network input gradient off by " + e);
        for (Param p : net.params()) {
            float[] analytic = p.gradient().clone();
            double pe = check(p.value(), analytic, () -> lossOf(net, x, y));
            assertTrue(pe < 2e-2, "float32 through six layers: network gradient of a " + p.name() + " off by " + pe);
        }
    }

    static double lossOf(Network net, float[] x, int[] y) {
        return new SoftmaxCrossEntropy(net.classes()).forward(net.scores(x, y.length), y, y.length);
    }

    @Test
    void sgdFollowsCaffesUpdate() {
        Param p = new Param("W", new float[] {1f, -2f}, new float[] {0.5f, 0.25f}, 1f);
        Sgd sgd = new Sgd(0.1, 0.0, 0.75, 0.9f, 0.01f);
        sgd.step(List.of(p));
        // v = 0.1 * (g + 0.01 w); w -= v
        assertTrue(Math.abs(p.value()[0] - (1 - 0.1 * (0.5 + 0.01))) < 1e-6);
        assertTrue(p.gradient()[0] == 0f, "gradients cleared");
        p.gradient()[0] = 0.5f;
        float w1 = p.value()[0];
        double v1 = 0.1 * (0.5 + 0.01);
        sgd.step(List.of(p));
        assertTrue(Math.abs(p.value()[0] - (w1 - (0.9 * v1 + 0.1 * (0.5 + 0.01 * w1)))) < 1e-6, "momentum carries the last step");
        Sgd inv = Sgd.lenet();
        assertTrue(Math.abs(inv.learningRate() - 0.01) < 1e-12);
    }
}
