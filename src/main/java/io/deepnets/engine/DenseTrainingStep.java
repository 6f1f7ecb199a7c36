package io.deepnets.engine;

import static io.deepnets.engine.TrainingStep.declined;

import io.deepnets.data.ImageSet;
import io.deepnets.eval.BatchPredictor;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.bytedeco.javacpp.FloatPointer;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;

import static org.bytedeco.openblas.global.openblas_nolapack.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_sgemm;

/**
 * The training step of {@code MultiLayerNetwork.fit(DataSet)} for networks of dense layers ending in a softmax /
 * cross-entropy output layer, trained with RMSprop and no dropout or regularisation (the assignment's MLPs),
 * computed with fewer, larger operations: one OpenBLAS {@code sgemm} per matrix product, straight on the network's
 * own parameter buffer; the bias, activation, softmax and loss work in single passes over the same memory; and the
 * update by {@link io.deepnets.engine.FlatUpdate} on the network's own updater state.
 *
 * <p>Why: a 784-256-10 step is well under 1 ms of arithmetic (two 128x784x256 products of ~0.2 ms each here), but
 * DL4J's layer API spent 6-7 ms on it on this 2-core machine (eight {@code matmul} custom-op calls, each ~0.3 ms slower than the bare {@code sgemm}, where five
 * products suffice: the output layer's forward pass is recomputed for the gradient and again for the score, and
 * the input layer's unused input gradient is computed; ~0.5-1 ms for the updater op over 200k parameters;
 * workspace copies). The network stays a plain DL4J network: parameters and RMSprop state
 * live in its arrays, so saving, resuming, evaluation and inference see exactly what DL4J's {@code fit} would have
 * left there, and {@code DenseTrainingStepTest} checks the two against each other step by step.
 *
 * <p>{@link #forNetwork} returns empty for any network outside that scope, which then trains with DL4J's own
 * {@code fit}.
 */
public final class DenseTrainingStep implements TrainingStep, BatchPredictor {
    /** How run metrics and the benchmark name this step. */
    public static final String KIND = "deepnets-dense-sgemm";

    /** DL4J's {@link LossMCXENT} clips softmax outputs to this before taking the log. */
    private static final double SOFTMAX_CLIP = 1e-10;

    private record DenseLayerShape(int nIn, int nOut, ActivationKind kind, long weightOffset, long biasOffset) {
    }

    private final MultiLayerNetwork net;
    private final List<DenseLayerShape> layers;
    private final int maxBatch;
    private final INDArray params;
    private final FloatPointer paramPtr;
    private final FloatBuffer paramBuf;
    private final INDArray gradient;
    private final FloatPointer gradientPtr;
    private final FloatBuffer gradientBuf;
    private final io.deepnets.engine.FlatUpdate update;
    /** {@code activations[0]} is the input; {@code activations[l + 1]} the output of layer l (for the output layer its
     * product before bias and softmax). Kept here, with {@link #keepAlive}, because the pointers only borrow them. */
    private final INDArray[] activations;
    private final FloatPointer[] activationPtrs;
    private final FloatBuffer[] activationBufs;
    /** Per layer, the summed loss gradient with respect to its pre-activation. */
    private final FloatPointer[] deltaPtrs;
    private final FloatBuffer[] deltaBufs;
    private final List<INDArray> keepAlive = new ArrayList<>();
    private final float[] scratchA;
    private final float[] scratchB;

    private DenseTrainingStep(MultiLayerNetwork net, List<DenseLayerShape> layers, INDArray gradient, io.deepnets.engine.FlatUpdate update, int maxBatch) {
        this.net = net;
        this.layers = layers;
        this.update = update;
        this.maxBatch = maxBatch;
        this.params = net.params();
        this.paramPtr = floats(params);
        this.paramBuf = paramPtr.asBuffer();
        this.gradient = gradient;
        this.gradientPtr = floats(gradient);
        this.gradientBuf = gradientPtr.asBuffer();
        int n = layers.size();
        int widest = layers.stream().mapToInt(DenseLayerShape::nOut).max().orElse(0);
        scratchA = new float[maxBatch * widest];
        scratchB = new float[maxBatch * widest];
        activations = new INDArray[n + 1];
        activationPtrs = new FloatPointer[n + 1];
        activationBufs = new FloatBuffer[n + 1];
        deltaPtrs = new FloatPointer[n];
        deltaBufs = new FloatBuffer[n];
        for (int l = 0; l <= n; l++) {
            int width = l == 0 ? layers.get(0).nIn() : layers.get(l - 1).nOut();
            activations[l] = scratch(maxBatch, width);
            activationPtrs[l] = floats(activations[l]);
            activationBufs[l] = activationPtrs[l].asBuffer();
            if (l > 0) {
                INDArray delta = scratch(maxBatch, width);
                deltaPtrs[l - 1] = floats(delta);
                deltaBufs[l - 1] = deltaPtrs[l - 1].asBuffer();
            }
        }
    }

    /**
     * The step for {@code net}, or empty when the network is outside this step's scope (any layer other than
     * dense + softmax cross-entropy output, an activation other than linear / relu / sigmoid / tanh, dropout,
     * regularisation, gradient normalisation, an optimizer without a flat update (see {@link io.deepnets.engine.FlatUpdate}), or a
     * parameter layout that is not DL4J's usual flattened {@code W, b} per layer).
     */
    public static Optional<DenseTrainingStep> forNetwork(MultiLayerNetwork net, int maxBatch) {
        return forNetwork(net, maxBatch, reason -> { });
    }

    /** As {@link #forNetwork(MultiLayerNetwork, int)}, telling {@code why} the reason when it declines. */
    static Optional<DenseTrainingStep> forNetwork(MultiLayerNetwork net, int maxBatch, java.util.function.Consumer<String> why) {
        MultiLayerConfiguration conf = net.getLayerWiseConfigurations();
        if (TrainingStep.hasFrozenLayer(net)) {
            return declined(why, "a frozen layer (transfer learning)");         // it would update a frozen layer's weights
        }
        if (conf.getInputPreProcessors() != null && !conf.getInputPreProcessors().isEmpty()) {
            return declined(why, "image input or flatten (input preprocessors): dense networks only");
        }
        if (net.params() == null || net.params().dataType() != DataType.FLOAT) {
            return declined(why, "parameters are not float32");
        }
        List<DenseLayerShape> shapes = new ArrayList<>();
        long offset = 0;
        Layer[] all = net.getLayers();
        for (int i = 0; i < all.length; i++) {
            org.deeplearning4j.nn.conf.layers.Layer c = all[i].conf().getLayer();
            boolean last = i == all.length - 1;
            if (!(c instanceof BaseLayer base) || (last ? !(c instanceof OutputLayer) : !(c instanceof DenseLayer))) {
                return declined(why, "layer " + i + " is " + c.getClass().getSimpleName() + ": dense layers and a softmax output only");
            }
            if (base.getIDropout() != null) {
                return declined(why, "layer " + i + " has dropout");
            }
            ActivationKind kind;
            if (last) {
                OutputLayer out = (OutputLayer) c;
                if (!(out.getActivationFn() instanceof ActivationSoftmax) || !(out.getLossFn() instanceof LossMCXENT loss)
                        || loss.getWeights() != null || !out.hasBias()) {
                    return declined(why, "the output layer is not softmax with cross-entropy and bias");
                }
                kind = ActivationKind.IDENTITY;
            } else {
                DenseLayer dense = (DenseLayer) c;
                Optional<ActivationKind> k = ActivationKind.of(dense.getActivationFn());
                if (k.isEmpty() || !dense.hasBias() || dense.hasLayerNorm()) {
                    return declined(why, "layer " + i + ": activation " + dense.getActivationFn() + ", no bias or layer norm");
                }
                kind = k.get();
            }
            org.deeplearning4j.nn.conf.layers.FeedForwardLayer ff = (org.deeplearning4j.nn.conf.layers.FeedForwardLayer) c;
            int nIn = Math.toIntExact(ff.getNIn());
            int nOut = Math.toIntExact(ff.getNOut());
            if (i > 0 && shapes.get(i - 1).nOut() != nIn) {
                return declined(why, "layer " + i + " does not take the previous layer's outputs");
            }
            DenseLayerShape shape = new DenseLayerShape(nIn, nOut, kind, offset, offset + (long) nIn * nOut);
            offset += (long) nIn * nOut + nOut;
            if (!layoutMatches(net, i, shape)) {
                return declined(why, "layer " + i + ": parameters not in DL4J's flattened W, b layout");
            }
            shapes.add(shape);
        }
        if (shapes.isEmpty() || offset != net.params().length() || !io.deepnets.engine.FlatUpdate.wholeArray(net.params())) {
            return declined(why, "the parameters are not one contiguous array of the layers' W and b");
        }
        INDArray gradient = Nd4j.create(DataType.FLOAT, net.params().shape(), 'c');
        Optional<io.deepnets.engine.FlatUpdate> update = io.deepnets.engine.FlatUpdate.forNetwork(net, gradient, why);
        if (update.isPresent() && update.get().regularised()) {
            return declined(why, "a regulariser (kernel_regularizer): its loss term is not computed by this step");
        }
        return update.map(u -> new DenseTrainingStep(net, List.copyOf(shapes), gradient, u, maxBatch));
    }

    @Override
    public String kind() {
        return KIND;
    }

    /** Its own forward pass: see {@link #probabilities}. */
    @Override
    public BatchPredictor predictor() {
        return this;
    }

    @Override
    public void close() {
    }

    @Override
    public Outcome fit(ImageSet set, int[] order, int from, int to) {
        int batch = to - from;
        if (batch <= 0 || batch > maxBatch) {
            throw new IllegalArgumentException("batch of " + batch + " rows; this step holds at most " + maxBatch);
        }
        int features = layers.get(0).nIn();
        FloatBuffer input = activationBufs[0];
        for (int r = 0; r < batch; r++) {
            input.put(r * features, set.features(), order[from + r] * features, features);
        }
        int[] labels = new int[batch];
        for (int r = 0; r < batch; r++) {
            labels[r] = set.labels()[order[from + r]];
        }
        return step(batch, labels);
    }

    /**
     * The same forward pass as training, then softmax: what {@code net.output(x, false)} returns (these networks
     * have no dropout), in batches of at most the step's batch size.
     */
    @Override
    public float[] probabilities(ImageSet set, int from, int to) {
        int features = layers.get(0).nIn();
        DenseLayerShape out = layers.get(layers.size() - 1);
        int classes = out.nOut();
        float[] result = new float[(to - from) * classes];
        float[] bias = new float[classes];
        paramBuf.get(Math.toIntExact(out.biasOffset()), bias);
        float[] row = new float[classes];
        FloatBuffer z = activationBufs[layers.size()];
        for (int start = from; start < to; start += maxBatch) {
            int batch = Math.min(maxBatch, to - start);
            activationBufs[0].put(0, set.features(), start * features, batch * features);
            forward(batch);
            for (int r = 0; r < batch; r++) {
                softmaxRow(z, r, bias, row);
                System.arraycopy(row, 0, result, (start - from + r) * classes, classes);
            }
        }
        return result;
    }

    /** Every layer's output for the first {@code batch} input rows; the output layer's before its bias and softmax. */
    private void forward(int batch) {
        int n = layers.size();
        for (int l = 0; l < n; l++) {
            DenseLayerShape s = layers.get(l);
            // Z[batch, nOut] = A[batch, nIn] . W; DL4J stores W [nIn, nOut] column-major, i.e. W^T row-major.
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, batch, s.nOut(), s.nIn(), 1f,
                    activationPtrs[l], s.nIn(), at(paramPtr, s.weightOffset()), s.nIn(), 0f, activationPtrs[l + 1], s.nOut());
            if (l < n - 1) {
                biasAndActivation(activationBufs[l + 1], batch, s);
            }
        }
    }

    private Outcome step(int batch, int[] labels) {
        int n = layers.size();
        forward(batch);
        Outcome outcome = softmaxLossAndDelta(batch, labels);
        for (int l = n - 1; l >= 0; l--) {
            DenseLayerShape s = layers.get(l);
            // dW^T[nOut, nIn] = delta^T . A_prev: written straight into the column-major W slot of the gradient.
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, s.nOut(), s.nIn(), batch, 1f,
                    deltaPtrs[l], s.nOut(), activationPtrs[l], s.nIn(), 0f, at(gradientPtr, s.weightOffset()), s.nIn());
            columnSums(deltaBufs[l], batch, s.nOut(), s.biasOffset());
            if (l > 0) {
                // The input layer's input gradient is never needed (DL4J computes it anyway).
                DenseLayerShape below = layers.get(l - 1);
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, batch, s.nIn(), s.nOut(), 1f,
                        deltaPtrs[l], s.nOut(), at(paramPtr, s.weightOffset()), s.nIn(), 0f, deltaPtrs[l - 1], s.nIn());
                activationGradient(deltaBufs[l - 1], activationBufs[l], batch * below.nOut(), below.kind());
            }
        }
        update.apply(batch);
        net.setScore(outcome.loss());
        return outcome;
    }

    // The elementwise passes copy into heap arrays and back: the JIT vectorises loops over arrays, not over direct
    // buffers (6x on the RMSprop loop here).

    private void biasAndActivation(FloatBuffer z, int batch, DenseLayerShape s) {
        int width = s.nOut();
        int n = batch * width;
        float[] v = scratchA;
        z.get(0, v, 0, n);
        float[] b = new float[width];
        paramBuf.get(Math.toIntExact(s.biasOffset()), b);
        for (int r = 0; r < batch; r++) {
            int row = r * width;
            for (int j = 0; j < width; j++) {
                v[row + j] += b[j];
            }
        }
        s.kind().forward(v, n);
        z.put(0, v, 0, n);
    }

    /** In place: delta = dLoss/dA * dA/dZ, the derivative taken from the layer's output A. */
    private void activationGradient(FloatBuffer deltaBuf, FloatBuffer outputBuf, int n, ActivationKind kind) {
        if (kind == ActivationKind.IDENTITY) {
            return;
        }
        float[] delta = scratchA;
        float[] a = scratchB;
        deltaBuf.get(0, delta, 0, n);
        outputBuf.get(0, a, 0, n);
        kind.backward(delta, a, n);
        deltaBuf.put(0, delta, 0, n);
    }

    /** Output layer: bias, softmax, the batch-mean cross-entropy, argmax hits and delta = softmax - onehot. */
    private Outcome softmaxLossAndDelta(int batch, int[] labels) {
        DenseLayerShape s = layers.get(layers.size() - 1);
        int classes = s.nOut();
        FloatBuffer z = activationBufs[layers.size()];
        FloatBuffer delta = deltaBufs[layers.size() - 1];
        float[] b = new float[classes];
        paramBuf.get(Math.toIntExact(s.biasOffset()), b);
        float[] row = new float[classes];
        double lossSum = 0;
        int correct = 0;
        for (int r = 0; r < batch; r++) {
            int argmax = softmaxRow(z, r, b, row);
            int label = labels[r];
            int base = r * classes;
            for (int j = 0; j < classes; j++) {
                delta.put(base + j, j == label ? row[j] - 1f : row[j]);
            }
            lossSum -= Math.log(Math.max(row[label], SOFTMAX_CLIP));
            if (argmax == label) {
                correct++;
            }
        }
        return new Outcome(lossSum / batch, correct);
    }

    /** Softmax of row {@code r} of {@code z} plus {@code bias} into {@code p}; returns the argmax. */
    private static int softmaxRow(FloatBuffer z, int r, float[] bias, float[] p) {
        int classes = p.length;
        int base = r * classes;
        float max = Float.NEGATIVE_INFINITY;
        int argmax = 0;
        for (int j = 0; j < classes; j++) {
            p[j] = z.get(base + j) + bias[j];
            if (p[j] > max) {
                max = p[j];
                argmax = j;
            }
        }
        double sum = 0;
        for (int j = 0; j < classes; j++) {
            p[j] = (float) Math.exp(p[j] - max);
            sum += p[j];
        }
        for (int j = 0; j < classes; j++) {
            p[j] = (float) (p[j] / sum);
        }
        return argmax;
    }

    private void columnSums(FloatBuffer deltaBuf, int batch, int width, long offset) {
        float[] delta = scratchA;
        deltaBuf.get(0, delta, 0, batch * width);
        float[] sums = new float[width];
        for (int r = 0; r < batch; r++) {
            int row = r * width;
            for (int j = 0; j < width; j++) {
                sums[j] += delta[row + j];
            }
        }
        gradientBuf.put(Math.toIntExact(offset), sums);
    }

    /** Checks that layer {@code index}'s W and b are the views of the flattened parameters this step assumes. */
    private static boolean layoutMatches(MultiLayerNetwork net, int index, DenseLayerShape s) {
        INDArray w = net.getLayer(index).getParam("W");
        INDArray b = net.getLayer(index).getParam("b");
        if (w == null || b == null || w.rank() != 2 || w.rows() != s.nIn() || w.columns() != s.nOut() || b.length() != s.nOut()) {
            return false;
        }
        FloatBuffer flat = net.params().data().asNioFloat();
        int rows = s.nIn();
        int cols = s.nOut();
        int[][] probes = {{0, 0}, {rows - 1, 0}, {0, cols - 1}, {rows / 2, cols / 3}, {rows - 1, cols - 1}};
        for (int[] p : probes) {
            float expected = flat.get(Math.toIntExact(s.weightOffset() + (long) p[1] * rows + p[0]));
            if (Float.compare(w.getFloat(p[0], p[1]), expected) != 0) {
                return false;
            }
        }
        return Float.compare(b.getFloat(cols - 1), flat.get(Math.toIntExact(s.biasOffset() + cols - 1))) == 0
                && Float.compare(b.getFloat(0), flat.get(Math.toIntExact(s.biasOffset()))) == 0;
    }

    private INDArray scratch(int rows, int cols) {
        INDArray a = Nd4j.create(DataType.FLOAT, new long[] {rows, cols}, 'c');
        keepAlive.add(a);
        return a;
    }

    private static FloatPointer floats(INDArray a) {
        return io.deepnets.engine.FlatUpdate.floats(a);
    }

    private static FloatPointer at(FloatPointer base, long offset) {
        return new FloatPointer(base).position(offset);
    }
}
