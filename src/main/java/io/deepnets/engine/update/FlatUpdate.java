package io.deepnets.engine.update;

import io.deepnets.model.ClassicalMomentum;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.bytedeco.javacpp.FloatPointer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.api.Updater;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.updater.BaseMultiLayerUpdater;
import org.deeplearning4j.nn.updater.UpdaterBlock;
import org.deeplearning4j.optimize.solvers.BaseOptimizer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.learning.config.AdaDelta;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.learning.config.RmsProp;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.learning.regularization.L1Regularization;
import org.nd4j.linalg.learning.regularization.L2Regularization;
import org.nd4j.linalg.learning.regularization.Regularization;

/**
 * The parameter update of DL4J's {@code fit} for a whole network (a stack or a graph), for every optimizer the configs
 * offer, in one pass over the network's flattened parameters, gradient and updater state: per parameter, as DL4J's
 * {@code BaseMultiLayerUpdater} does it, the gradient divided by the batch size (not batch normalisation's moving
 * statistics, whose "gradient" DL4J's layer sets to the step itself), then L1/L2 added ({@code g += l2 * w}, {@code
 * g += l1 * sign(w)}), then the updater block's own arithmetic as libnd4j's updater ops compute it in float, then
 * {@code w -= update}; the learning rate from the optimizer's schedule at DL4J's iteration and epoch counts, and the
 * iteration count advanced as DL4J's optimizer advances it.
 *
 * <p>Updaters, as DL4J writes them (state arrays in the block's state view one after the other):
 * <ul>
 *   <li>{@code Sgd}: {@code u = lr g};
 *   <li>{@code Nesterovs} (DL4J's, Keras's {@code nesterov=True}): {@code v' = m v - lr g; u = m v - (1 + m) v'};
 *   <li>{@link ClassicalMomentum} (Keras's {@code nesterov=False}): {@code s = m s + lr g; u = s};
 *   <li>{@code RmsProp}: {@code s = rho s + (1 - rho) g^2; u = lr g / (sqrt(s) + eps)};
 *   <li>{@code AdaDelta}: {@code a = rho a + (1 - rho) g^2; u = g sqrt(b + eps) / sqrt(a + eps); b = rho b + (1 - rho) u^2};
 *   <li>{@code Adam}: {@code m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2; u = alpha m / (sqrt(v) + eps)} with
 *       {@code alpha = lr sqrt(1 - b2^t) / (1 - b1^t)}, t the iteration count plus one;
 *   <li>{@code NoOp} (batch normalisation's moving mean and variance): {@code u = g}.
 * </ul>
 *
 * <p>Why: DL4J's updater runs a division op, a regularisation pass, the updater op and a subtraction op per block,
 * each a pass over its parameters through libnd4j's generic elementwise code; this is one loop, vectorised by the
 * JIT over heap chunks. Declines (with the reason) gradient normalisation, constraints, weight noise, weight decay and
 * other updaters. A frozen layer's parameters have DL4J's no-op updater and a gradient its layer never writes: they are
 * updated exactly as DL4J's {@code fit} updates them (by nothing). {@code Dl4jBackpropStepTest} and
 * {@code OneDnnTrainingStepTest} check each optimizer against DL4J's updater step by step.
 */
public final class FlatUpdate {
    private static final int CHUNK = 2048;

    private enum Kind { NOOP, SGD, NESTEROVS, CLASSICAL, RMSPROP, ADADELTA, ADAM }

    /**
     * Parameters [from, to) of one variable inside an updater block that starts at {@code blockFrom}, holds
     * {@code blockLength} parameters and keeps its state from {@code stateFrom}.
     */
    private record Segment(int from, int to, int blockFrom, int blockLength, int stateFrom, Kind kind, IUpdater config, boolean divide,
            double l1, double l2) {
    }

    private final Model model;
    private final List<Segment> segments;
    private final FloatBuffer params;
    private final FloatBuffer gradient;
    private final FloatBuffer state;
    private final float[] g = new float[CHUNK];
    private final float[] p = new float[CHUNK];
    private final float[] s1 = new float[CHUNK];
    private final float[] s2 = new float[CHUNK];

    private FlatUpdate(Model model, List<Segment> segments, INDArray params, INDArray gradient, INDArray state) {
        this.model = model;
        this.segments = segments;
        this.params = floats(params).asBuffer();
        this.gradient = floats(gradient).asBuffer();
        this.state = state == null || state.length() == 0 ? FloatBuffer.allocate(0) : floats(state).asBuffer();
    }

    /**
     * The update for {@code net} (a {@code MultiLayerNetwork} or a {@code ComputationGraph}), its gradient the
     * network's flattened gradient view, or empty with the reason told to {@code why}.
     */
    public static Optional<FlatUpdate> forNetwork(Model net, Consumer<String> why) {
        INDArray gradient = net instanceof MultiLayerNetwork m ? flattenedGradients(m) : net instanceof ComputationGraph c ? flattenedGradients(c) : null;
        return forNetwork(net, gradient, why);
    }

    /** As {@link #forNetwork(Model, Consumer)} with a gradient array of the step's own, laid out as the flattened parameters. */
    public static Optional<FlatUpdate> forNetwork(Model net, INDArray gradient, Consumer<String> why) {
        INDArray params = net.params();
        Updater updater = net instanceof MultiLayerNetwork m ? m.getUpdater() : net instanceof ComputationGraph c ? c.getUpdater() : null;
        if (params == null || gradient == null || params.dataType() != DataType.FLOAT || gradient.dataType() != DataType.FLOAT
                || !(updater instanceof BaseMultiLayerUpdater<?> multi)) {
            return declined(why, "no float32 parameters, gradient or DL4J updater");
        }
        INDArray state = multi.getStateViewArray();
        if (!wholeArray(params) || !wholeArray(gradient) || state != null && state.length() > 0 && (!wholeArray(state) || state.dataType() != DataType.FLOAT)
                || gradient.length() != params.length()) {
            return declined(why, "the parameters, gradient or updater state are not each one contiguous float array");
        }
        boolean miniBatch = net instanceof MultiLayerNetwork m ? m.getLayerWiseConfigurations().getConf(0).isMiniBatch()
                : ((ComputationGraph) net).getConfiguration().getDefaultConfiguration().isMiniBatch();
        if (!miniBatch) {
            return declined(why, "minibatch(false)");
        }
        List<Segment> segments = new ArrayList<>();
        int expect = 0;
        for (UpdaterBlock block : multi.getUpdaterBlocks()) {
            IUpdater config = block.getGradientUpdater().getConfig();
            Kind kind = kind(config);
            if (kind == null) {
                return declined(why, "the optimizer " + config.getClass().getSimpleName() + " has no flat update");
            }
            int blockFrom = block.getParamOffsetStart();
            int blockLength = block.getParamOffsetEnd() - blockFrom;
            if (blockFrom != expect) {
                return declined(why, "DL4J's updater blocks do not cover the parameters in order");
            }
            expect = block.getParamOffsetEnd();
            for (UpdaterBlock.ParamState ps : block.getLayersAndVariablesInBlock()) {
                org.deeplearning4j.nn.api.TrainingConfig tc = ps.getLayer().getConfig();
                String name = tc.getLayerName() + "." + ps.getParamName();
                if (tc.getGradientNormalization() != null && tc.getGradientNormalization() != GradientNormalization.None) {
                    return declined(why, "gradient normalisation on " + tc.getLayerName());
                }
                if (tc instanceof org.deeplearning4j.nn.conf.layers.BaseLayer base
                        && (base.getConstraints() != null && !base.getConstraints().isEmpty() || base.getWeightNoise() != null)) {
                    return declined(why, "a constraint or weight noise on " + tc.getLayerName());
                }
                double l1 = 0;
                double l2 = 0;
                List<Regularization> regs = tc.getRegularizationByParam(ps.getParamName());
                for (Regularization r : regs == null ? List.<Regularization>of() : regs) {
                    if (r instanceof L2Regularization l && l.getL2().getClass() == org.nd4j.linalg.schedule.FixedSchedule.class) {
                        l2 += l.getL2().valueAt(0, 0);
                    } else if (r instanceof L1Regularization l && l.getL1().getClass() == org.nd4j.linalg.schedule.FixedSchedule.class) {
                        l1 += l.getL1().valueAt(0, 0);
                    } else {
                        return declined(why, "a regulariser other than a fixed L1 or L2 (" + r.getClass().getSimpleName() + ") on " + name);
                    }
                }
                if (ps.getParamOffsetStart() < blockFrom || ps.getParamOffsetEnd() > block.getParamOffsetEnd()) {
                    return declined(why, "a variable outside its updater block: " + name);
                }
                boolean divide = ps.getLayer().updaterDivideByMinibatch(ps.getParamName());
                segments.add(new Segment(ps.getParamOffsetStart(), ps.getParamOffsetEnd(), blockFrom, blockLength, block.getUpdaterViewOffsetStart(), kind,
                        config, divide, l1, l2));
            }
            long stateLength = block.getUpdaterViewOffsetEnd() - block.getUpdaterViewOffsetStart();
            if (stateLength != config.stateSize(blockLength)) {
                return declined(why, "an updater block's state is not " + config.getClass().getSimpleName() + "'s size");
            }
        }
        if (expect != params.length()) {
            return declined(why, "DL4J's updater blocks do not cover the parameters");
        }
        return Optional.of(new FlatUpdate(net, segments, params, gradient, state));
    }

    private static INDArray flattenedGradients(MultiLayerNetwork net) {
        if (net.getFlattenedGradients() == null) {
            net.initGradientsView();     // DL4J creates it on the first fit; the update needs it now
        }
        return net.getFlattenedGradients();
    }

    private static INDArray flattenedGradients(ComputationGraph net) {
        if (net.getFlattenedGradients() == null) {
            net.initGradientsView();
        }
        return net.getFlattenedGradients();
    }

    private static Kind kind(IUpdater config) {
        if (config.getClass() == NoOp.class) {
            return Kind.NOOP;
        }
        if (config.getClass() == Sgd.class) {
            return Kind.SGD;
        }
        if (config.getClass() == Nesterovs.class && ((Nesterovs) config).getMomentumISchedule() == null) {
            return Kind.NESTEROVS;
        }
        if (config.getClass() == ClassicalMomentum.class) {
            return Kind.CLASSICAL;
        }
        if (config.getClass() == RmsProp.class) {
            return Kind.RMSPROP;
        }
        if (config.getClass() == AdaDelta.class) {
            return Kind.ADADELTA;
        }
        if (config.getClass() == Adam.class) {
            return Kind.ADAM;
        }
        return null;
    }

    /** The optimizer of the parameters that train (not the moving statistics' no-op), e.g. "Adam". */
    public String optimizer() {
        return segments.stream().filter(s -> s.kind != Kind.NOOP).map(s -> s.config.getClass().getSimpleName()).distinct()
                .reduce((a, b) -> a + "+" + b).orElse("NoOp");
    }

    /**
     * DL4J's regularisation term of the score at the current iteration and epoch: {@code l2 / 2 * sum w^2 + l1 *
     * sum |w|} over every regularised parameter (DL4J's {@code L2Regularization.score}, {@code L1Regularization.score}).
     */
    public double regularizationScore() {
        double sum = 0;
        for (Segment seg : segments) {
            if (seg.l1 == 0 && seg.l2 == 0) {
                continue;
            }
            // One pass in Java over the flat buffer, summed in double: an ND4J norm2Number (or norm1Number) per
            // parameter array, a native call each, took about 4 ms of ResNet-20's 150-ms step for its 22 kernels.
            double squares = 0;
            double absolutes = 0;
            for (int from = seg.from; from < seg.to; from += CHUNK) {
                int n = Math.min(CHUNK, seg.to - from);
                params.get(from, p, 0, n);
                for (int i = 0; i < n; i++) {
                    squares += (double) p[i] * p[i];
                    absolutes += Math.abs(p[i]);
                }
            }
            sum += seg.l2 * 0.5 * squares + seg.l1 * absolutes;
        }
        return sum;
    }

    /** Applies one step from the summed gradient of {@code batch} examples, then advances the iteration count. */
    public void apply(int batch) {
        int iteration = BaseOptimizer.getIterationCount(model);
        int epoch = BaseOptimizer.getEpochCount(model);
        for (Segment seg : segments) {
            float lr = seg.kind == Kind.NOOP ? 0f : (float) seg.config.getLearningRate(iteration, epoch);
            float divisor = seg.divide ? batch : 1f;
            for (int from = seg.from; from < seg.to; from += CHUNK) {
                int n = Math.min(CHUNK, seg.to - from);
                gradient.get(from, g, 0, n);
                params.get(from, p, 0, n);
                prepare(n, divisor, (float) seg.l1, (float) seg.l2);
                int at = seg.stateFrom + (from - seg.blockFrom);
                switch (seg.kind) {
                    case NOOP -> noOp(n);
                    case SGD -> sgd(n, lr);
                    case NESTEROVS -> {
                        state.get(at, s1, 0, n);
                        nesterovs(n, lr, (float) ((Nesterovs) seg.config).getMomentum());
                        state.put(at, s1, 0, n);
                    }
                    case CLASSICAL -> {
                        state.get(at, s1, 0, n);
                        classical(n, lr, (float) ((ClassicalMomentum) seg.config).getMomentum());
                        state.put(at, s1, 0, n);
                    }
                    case RMSPROP -> {
                        RmsProp c = (RmsProp) seg.config;
                        state.get(at, s1, 0, n);
                        rmsProp(n, lr, (float) c.getRmsDecay(), (float) c.getEpsilon());
                        state.put(at, s1, 0, n);
                    }
                    case ADADELTA -> {
                        AdaDelta c = (AdaDelta) seg.config;
                        state.get(at, s1, 0, n);
                        state.get(at + seg.blockLength, s2, 0, n);
                        adaDelta(n, (float) c.getRho(), (float) c.getEpsilon());
                        state.put(at, s1, 0, n);
                        state.put(at + seg.blockLength, s2, 0, n);
                    }
                    case ADAM -> {
                        Adam c = (Adam) seg.config;
                        state.get(at, s1, 0, n);
                        state.get(at + seg.blockLength, s2, 0, n);
                        adam(n, lr, (float) c.getBeta1(), (float) c.getBeta2(), (float) c.getEpsilon(), iteration);
                        state.put(at, s1, 0, n);
                        state.put(at + seg.blockLength, s2, 0, n);
                    }
                    default -> throw new IllegalStateException(seg.kind.toString());
                }
                params.put(from, p, 0, n);
            }
        }
        BaseOptimizer.incrementIterationCount(model, 1);
    }

    /** The gradient divided by the batch, then L1 and L2 added as DL4J's regularisations add them (axpy in float). */
    private void prepare(int n, float divisor, float l1, float l2) {
        float[] g = this.g;
        float[] p = this.p;
        if (divisor != 1f) {
            for (int i = 0; i < n; i++) {
                g[i] = g[i] / divisor;
            }
        }
        if (l2 != 0f) {
            for (int i = 0; i < n; i++) {
                g[i] = l2 * p[i] + g[i];
            }
        }
        if (l1 != 0f) {
            for (int i = 0; i < n; i++) {
                g[i] = l1 * Math.signum(p[i]) + g[i];
            }
        }
    }

    private void noOp(int n) {
        float[] g = this.g;
        float[] p = this.p;
        for (int i = 0; i < n; i++) {
            p[i] = p[i] - g[i];
        }
    }

    private void sgd(int n, float lr) {
        float[] g = this.g;
        float[] p = this.p;
        for (int i = 0; i < n; i++) {
            p[i] = p[i] - g[i] * lr;
        }
    }

    /** libnd4j's {@code nesterovs_updater}: {@code v' = m v - lr g; u = m v + (-m - 1) v'}. */
    private void nesterovs(int n, float lr, float momentum) {
        float[] g = this.g;
        float[] p = this.p;
        float[] v = this.s1;
        float momentumT = -momentum - 1f;
        for (int i = 0; i < n; i++) {
            float prev = momentum * v[i];
            float next = prev - lr * g[i];
            v[i] = next;
            p[i] = p[i] - (prev + momentumT * next);
        }
    }

    /** {@link ClassicalMomentum}'s ND4J ops in their order: {@code u = u * m; g = g * lr; u = u + g}. */
    private void classical(int n, float lr, float momentum) {
        float[] g = this.g;
        float[] p = this.p;
        float[] u = this.s1;
        for (int i = 0; i < n; i++) {
            float next = u[i] * momentum + g[i] * lr;
            u[i] = next;
            p[i] = p[i] - next;
        }
    }

    /** libnd4j's {@code rms_prop_updater}. */
    private void rmsProp(int n, float lr, float rho, float eps) {
        float[] g = this.g;
        float[] p = this.p;
        float[] s = this.s1;
        float keep = 1f - rho;
        for (int i = 0; i < n; i++) {
            float gi = g[i];
            float si = s[i] * rho + gi * gi * keep;
            s[i] = si;
            p[i] = p[i] - (lr * gi) / ((float) Math.sqrt(si) + eps);
        }
    }

    /** libnd4j's {@code ada_delta_updater}: the first state array {@code msg}, the second {@code msdx}. */
    private void adaDelta(int n, float rho, float eps) {
        float[] g = this.g;
        float[] p = this.p;
        float[] msg = this.s1;
        float[] msdx = this.s2;
        float keep = 1f - rho;
        for (int i = 0; i < n; i++) {
            float gi = g[i];
            float s = rho * msg[i] + gi * gi * keep;
            msg[i] = s;
            float dx = gi * ((float) Math.sqrt(msdx[i] + eps) / (float) Math.sqrt(s + eps));
            msdx[i] = rho * msdx[i] + dx * dx * keep;
            p[i] = p[i] - dx;
        }
    }

    /** libnd4j's {@code adam_updater}: the first state array m, the second v; the step size in float as there. */
    private void adam(int n, float lr, float beta1, float beta2, float eps, int iteration) {
        float[] g = this.g;
        float[] p = this.p;
        float[] m = this.s1;
        float[] v = this.s2;
        float beta1T = (float) Math.pow(beta1, iteration + 1);
        float beta2T = (float) Math.pow(beta2, iteration + 1);
        float alpha = lr * (float) Math.sqrt(1f - beta2T) / (1f - beta1T);
        if (Float.isNaN(alpha) || Float.isInfinite(alpha) || alpha == 0f) {
            alpha = eps;
        }
        float keep1 = 1f - beta1;
        float keep2 = 1f - beta2;
        for (int i = 0; i < n; i++) {
            float gi = g[i];
            float mi = beta1 * m[i] + gi * keep1;
            float vi = beta2 * v[i] + gi * gi * keep2;
            m[i] = mi;
            v[i] = vi;
            p[i] = p[i] - mi * alpha / ((float) Math.sqrt(vi) + eps);
        }
    }

    private static <T> Optional<T> declined(Consumer<String> why, String reason) {
        why.accept(reason);
        return Optional.empty();
    }

    /**
     * Whether {@code a} is all of its buffer, element i of a vector at buffer position i (a {@code [1, n]} row is
     * that in either ordering: DL4J's flattened gradient is an 'f' row, its parameters a 'c' one).
     */
    public static boolean wholeArray(INDArray a) {
        boolean layout = a.isVector() || a.ordering() == 'c' && Shape.hasDefaultStridesForShape(a);
        return a.offset() == 0 && a.data().length() == a.length() && layout;
    }

    /** A pointer to all of {@code a}'s elements. */
    public static FloatPointer floats(INDArray a) {
        if (!wholeArray(a)) {
            throw new IllegalStateException("expected a whole, contiguous array");
        }
        FloatPointer fp = new FloatPointer(a.data().addressPointer());
        fp.capacity(a.length());
        fp.limit(a.length());
        return fp;
    }
}
