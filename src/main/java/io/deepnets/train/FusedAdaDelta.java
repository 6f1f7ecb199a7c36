package io.deepnets.train;

import java.nio.FloatBuffer;
import java.util.Optional;
import java.util.function.Consumer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.solvers.BaseOptimizer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.AdaDelta;

/**
 * The parameter update of DL4J's {@code fit} for a network trained with AdaDelta (the MNIST CNNs: Keras's
 * {@code Adadelta(1.0, rho=0.95, eps=1e-7)}), in one pass: the gradient divided by the batch size as DL4J's
 * updater does, then libnd4j's {@code ada_delta_updater} arithmetic in float ({@code msg = rho*msg + g*g*(1-rho);
 * dx = g * sqrt(msdx + eps) / sqrt(msg + eps); msdx = rho*msdx + dx*dx*(1-rho); p -= dx}). DL4J keeps the state as
 * one array, all of {@code msg} then all of {@code msdx} (one updater block).
 *
 * <p>Why: DL4J's updater runs the division, the updater op (two state arrays, a fresh update array) and the
 * subtraction as separate passes over the 1.2 million parameters of the MNIST CNN.
 */
final class FusedAdaDelta implements FusedUpdate {
    private static final int CHUNK = 2048;
    private final MultiLayerNetwork net;
    private final float rho;
    private final float epsilon;
    private final FloatBuffer params;
    private final FloatBuffer gradient;
    private final FloatBuffer state;
    private final float[] chunkG = new float[CHUNK];
    private final float[] chunkMsg = new float[CHUNK];
    private final float[] chunkMsdx = new float[CHUNK];
    private final float[] chunkP = new float[CHUNK];

    private FusedAdaDelta(MultiLayerNetwork net, AdaDelta config, INDArray gradient) {
        this.net = net;
        this.rho = (float) config.getRho();
        this.epsilon = (float) config.getEpsilon();
        this.params = FusedRmsProp.floats(net.params()).asBuffer();
        this.gradient = FusedRmsProp.floats(gradient).asBuffer();
        this.state = FusedRmsProp.floats(net.getUpdater().getStateViewArray()).asBuffer();
    }

    /** The update for {@code net}, or empty unless every parameter trains with one AdaDelta and nothing beside it. */
    static Optional<FusedAdaDelta> forNetwork(MultiLayerNetwork net, INDArray gradient, Consumer<String> why) {
        return FusedRmsProp.uniformUpdater(net, gradient, AdaDelta.class, 2, why).map(a -> new FusedAdaDelta(net, a, gradient));
    }

    @Override
    public void apply(int batch) {
        float keep = 1f - rho;
        float divisor = batch;
        float[] g = chunkG;
        float[] msg = chunkMsg;
        float[] msdx = chunkMsdx;
        float[] p = chunkP;
        int length = gradient.capacity();
        // Chunks copied to heap arrays: the JIT vectorises the loop there, not over direct buffers.
        for (int from = 0; from < length; from += CHUNK) {
            int n = Math.min(CHUNK, length - from);
            gradient.get(from, g, 0, n);
            state.get(from, msg, 0, n);
            state.get(length + from, msdx, 0, n);
            params.get(from, p, 0, n);
            for (int i = 0; i < n; i++) {
                float gi = g[i] / divisor;
                float s = rho * msg[i] + gi * gi * keep;
                msg[i] = s;
                float dx = gi * ((float) Math.sqrt(msdx[i] + epsilon) / (float) Math.sqrt(s + epsilon));
                msdx[i] = rho * msdx[i] + dx * dx * keep;
                p[i] = p[i] - dx;
            }
            state.put(from, msg, 0, n);
            state.put(length + from, msdx, 0, n);
            params.put(from, p, 0, n);
        }
        BaseOptimizer.incrementIterationCount(net, 1);
    }
}
