package io.deepnets.engine;

import static io.deepnets.engine.TrainingStep.declined;

import io.deepnets.data.ImageSet;
import io.deepnets.engine.kernels.ActivationKind;
import io.deepnets.engine.kernels.RowKernels;
import io.deepnets.engine.update.FlatUpdate;
import io.deepnets.eval.BatchPredictor;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnnPreProcessor;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.learning.regularization.L1Regularization;
import org.nd4j.linalg.learning.regularization.L2Regularization;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;

/**
 * The training step of {@code MultiLayerNetwork.fit(DataSet)} for small convolutional networks trained with plain
 * SGD, with Keras's L1/L2 weight penalties: convolutions ('valid', any stride), max pooling, dense layers and a
 * softmax / cross-entropy output, computed in plain Java loops over heap arrays.
 *
 * <p>Why: for a network like the 8x8-digits CNN of the grid-search exercise (5,160 parameters, a batch of 100) the
 * arithmetic of a step is a few hundred thousand multiply-adds, well under a millisecond, but DL4J's layer API
 * spends 3.2-3.4 ms on it on one thread (measured with {@code bench}): per-op overhead of ~25 native op calls,
 * workspaces, and an updater pass per parameter block. Forty-nine such networks for 100 epochs each is the
 * sweep's whole cost.
 *
 * <p>It computes exactly DL4J's arithmetic: the forward pass, the batch-mean cross-entropy with DL4J's softmax clip,
 * the summed gradients, DL4J's minibatch division, its L2 ({@code grad += x * w}) and L1 ({@code grad += l1 *
 * sign(w)}) before the update, the SGD step at the rate of the updater's schedule, and DL4J's score (loss plus
 * {@code 0.5 * x * sum(w^2) + l1 * sum|w|}). The update is the engine's one {@link FlatUpdate} (its loops read
 * the gradient this step writes into the network's gradient view). Parameters stay in the network's own buffer, so everything else sees
 * what {@code fit} would have left. {@code SmallConvTrainingStepTest} checks it step by step against DL4J's fit with
 * the layer helpers off. Everything outside this scope (other layers, padding 'same', dropout, other optimizers,
 * networks over {@link #MAX_PARAMS} parameters, where DL4J's native kernels pay off) is declined.
 */
public final class SmallConvTrainingStep implements SelfTimedStep, BatchPredictor {
    public static final String KIND = "deepnets-small-conv-sgd";
    /** Above this the per-op overhead no longer dominates and DL4J's native kernels are the better choice. */
    static final long MAX_PARAMS = 100_000;
    private static final double SOFTMAX_CLIP = 1e-10;

    /** One layer as this step sees it; sizes per sample. */
    private record Stage(String type, int inC, int inH, int inW, int outC, int outH, int outW, int kH, int kW, int sH, int sW, ActivationKind kind,
            int weightOffset, int biasOffset, double l2, double l1) {
        int inSize() {
            return inC * inH * inW;
        }

        int outSize() {
            return outC * outH * outW;
        }
    }

    private final MultiLayerNetwork net;
    private final List<Stage> stages;
    private final int maxBatch;
    private final FlatUpdate update;
    private final FloatBuffer paramBuf;
    private final FloatBuffer gradientBuf;
    private final float[] p;
    private final float[] g;
    /**
     * acts[i]: the input of stage i as rows, one per feature (in DL4J's per-sample order: channel, row, column), the
     * batch along each (acts[0] the batch, acts[n] the output layer's logits); deltas[i] the loss's gradient there.
     */
    private final float[][][] acts;
    private final float[][][] deltas;
    /** Per convolution and pooling stage: for each output position, the input rows its window reads, in weight order. */
    private final int[][][] windows;
    /** Scratch: the batch sample by sample (rows of the dense layers' inputs), for their weight gradients. */
    private final float[][] samples;
    private final float[] gradientRow;
    /** Scratch: per window element a lane-sum row (a convolution's weight gradients); one more row (its bias, pooling's routing). */
    private final float[][] lanes;
    private final float[] scratchRow;
    /** Where the profiler counts this step's layer times; null unless profiled. */
    private LayerTimes times;

    private SmallConvTrainingStep(MultiLayerNetwork net, List<Stage> stages, FlatUpdate update, int maxBatch) {
        this.net = net;
        this.stages = stages;
        this.maxBatch = maxBatch;
        this.update = update;
        this.paramBuf = FlatUpdate.floats(net.params()).asBuffer();
        this.gradientBuf = FlatUpdate.floats(net.getFlattenedGradients()).asBuffer();
        int n = Math.toIntExact(net.params().length());
        this.p = new float[n];
        this.g = new float[n];
        acts = new float[stages.size() + 1][][];
        deltas = new float[stages.size() + 1][][];
        windows = new int[stages.size()][][];
        acts[0] = new float[stages.get(0).inSize()][maxBatch];
        deltas[0] = new float[0][];
        int maxDenseIn = 0;
        int maxWindow = 0;
        for (int i = 0; i < stages.size(); i++) {
            Stage s = stages.get(i);
            acts[i + 1] = new float[s.outSize()][maxBatch];
            deltas[i + 1] = new float[s.outSize()][maxBatch];
            if (s.type().equals("conv") || s.type().equals("pool")) {
                windows[i] = windows(s);
                maxWindow = Math.max(maxWindow, windows[i][0].length);
            }
            if (s.type().equals("dense") || s.type().equals("output")) {
                maxDenseIn = Math.max(maxDenseIn, s.inC());
            }
        }
        samples = new float[maxBatch][maxDenseIn];
        gradientRow = new float[maxDenseIn];
        lanes = new float[maxWindow][maxBatch];
        scratchRow = new float[maxBatch];
    }

    /**
     * For each output position (channel-less: row, column) of a convolution or pooling stage, the input rows of its
     * window: a convolution's in DL4J's weight order (channel, kernel row, kernel column), a pooling's per channel
     * (kernel row, kernel column) of channel 0, the channel's offset added where used.
     */
    private static int[][] windows(Stage s) {
        boolean conv = s.type().equals("conv");
        int channels = conv ? s.inC() : 1;
        int[][] w = new int[s.outH() * s.outW()][channels * s.kH() * s.kW()];
        for (int y = 0; y < s.outH(); y++) {
            for (int x = 0; x < s.outW(); x++) {
                int[] rows = w[y * s.outW() + x];
                int t = 0;
                for (int c = 0; c < channels; c++) {
                    for (int ky = 0; ky < s.kH(); ky++) {
                        for (int kx = 0; kx < s.kW(); kx++) {
                            rows[t++] = (c * s.inH() + y * s.sH() + ky) * s.inW() + x * s.sW() + kx;
                        }
                    }
                }
            }
        }
        return w;
    }

    /** The step for {@code net}, or empty when it is outside this step's scope (see the class comment). */
    public static Optional<TrainingStep> forNetwork(MultiLayerNetwork net, int maxBatch) {
        return forNetwork(net, maxBatch, reason -> { });
    }

    /** As {@link #forNetwork(MultiLayerNetwork, int)}, telling {@code why} the reason when it declines. */
    static Optional<TrainingStep> forNetwork(MultiLayerNetwork net, int maxBatch, java.util.function.Consumer<String> why) {
        MultiLayerConfiguration conf = net.getLayerWiseConfigurations();
        if (TrainingStep.hasFrozenLayer(net)) {
            return declined(why, "a frozen layer (transfer learning)");         // it would update a frozen layer's weights
        }
        // Host memory only: the step reads and writes the parameter buffer from Java.
        if (!"CpuBackend".equals(org.nd4j.linalg.factory.Nd4j.getBackend().getClass().getSimpleName())) {
            return declined(why, "backend " + org.nd4j.linalg.factory.Nd4j.getBackend().getClass().getSimpleName() + ": the step reads host memory, CPU backend only");
        }
        if (net.params() == null || net.params().dataType() != DataType.FLOAT || !FlatUpdate.wholeArray(net.params())
                || net.numParams() > MAX_PARAMS || !conf.getConf(0).isMiniBatch()) {
            return declined(why, net.numParams() > MAX_PARAMS ? String.format(java.util.Locale.ROOT, "%,d parameters, more than %,d (DL4J's native kernels pay off there)", net.numParams(), MAX_PARAMS) : "parameters not float32 in one array, or minibatch(false)");
        }
        InputPreProcessor first = conf.getInputPreProcess(0);
        if (!(first instanceof FeedForwardToCnnPreProcessor in)) {
            return declined(why, "not an image network (conv nets only)");
        }
        int c = (int) in.getNumChannels();
        int h = (int) in.getInputHeight();
        int w = (int) in.getInputWidth();
        boolean flat = false;
        Sgd sgd = null;
        List<Stage> stages = new ArrayList<>();
        int offset = 0;
        Layer[] layers = net.getLayers();
        for (int i = 0; i < layers.length; i++) {
            org.deeplearning4j.nn.conf.layers.Layer lc = layers[i].conf().getLayer();
            InputPreProcessor pre = conf.getInputPreProcess(i);
            if (i > 0 && pre != null) {
                if (!(pre instanceof CnnToFeedForwardPreProcessor) || flat) {
                    return declined(why, "layer " + i + ": an input preprocessor other than one flatten");
                }
                flat = true;
            }
            if (lc.getIDropout() != null) {
                return declined(why, "layer " + i + " has dropout");
            }
            if (lc instanceof BaseLayer base) {
                if (!(base.getIUpdater() instanceof Sgd s) || !s.equals(base.getBiasUpdater()) || (sgd != null && !sgd.equals(s))
                        || base.getGradientNormalization() != null && base.getGradientNormalization() != GradientNormalization.None
                        || base.getConstraints() != null && !base.getConstraints().isEmpty() || base.getWeightNoise() != null
                        || !base.getRegularizationBias().isEmpty()) {
                    return declined(why, "layer " + i + ": not plain SGD with the network's rate (or gradient normalisation, constraints, weight noise, a bias regulariser)");
                }
                sgd = s;
            }
            double l2 = 0;
            double l1 = 0;
            if (lc instanceof BaseLayer base) {
                for (Regularization r : base.getRegularization()) {
                    if (r instanceof L2Regularization l) {
                        l2 += l.getL2().valueAt(0, 0);
                        if (!(l.getL2() instanceof org.nd4j.linalg.schedule.FixedSchedule)) {
                            return declined(why, "layer " + i + ": a scheduled L2");
                        }
                    } else if (r instanceof L1Regularization l) {
                        l1 += l.getL1().valueAt(0, 0);
                        if (!(l.getL1() instanceof org.nd4j.linalg.schedule.FixedSchedule)) {
                            return declined(why, "layer " + i + ": a scheduled L1");
                        }
                    } else {
                        return declined(why, "layer " + i + ": a regulariser other than L1/L2");
                    }
                }
            }
            Stage stage;
            if (lc instanceof ConvolutionLayer cl && lc.getClass() == ConvolutionLayer.class && !flat) {
                Optional<ActivationKind> kind = ActivationKind.of(cl.getActivationFn());
                if (kind.isEmpty() || !cl.hasBias() || cl.getConvolutionMode() != ConvolutionMode.Truncate || cl.getPadding()[0] != 0
                        || cl.getPadding()[1] != 0 || cl.getDilation()[0] != 1 || cl.getDilation()[1] != 1 || cl.getCnn2dDataFormat() != CNN2DFormat.NCHW
                        || cl.getNIn() != c) {
                    return declined(why, "layer " + i + ": convolution with 'same' padding, dilation, no bias or activation " + cl.getActivationFn());
                }
                int kH = cl.getKernelSize()[0];
                int kW = cl.getKernelSize()[1];
                int sH = cl.getStride()[0];
                int sW = cl.getStride()[1];
                int oC = (int) cl.getNOut();
                int oH = (h - kH) / sH + 1;
                int oW = (w - kW) / sW + 1;
                // DL4J's convolution parameters: the bias first, then W [nOut, nIn, kH, kW] in 'c' order.
                stage = new Stage("conv", c, h, w, oC, oH, oW, kH, kW, sH, sW, kind.get(), offset + oC, offset, l2, l1);
                offset += oC + oC * c * kH * kW;
                c = oC;
                h = oH;
                w = oW;
            } else if (lc instanceof SubsamplingLayer sl && lc.getClass() == SubsamplingLayer.class && !flat) {
                if (sl.getPoolingType() != PoolingType.MAX || sl.getConvolutionMode() != ConvolutionMode.Truncate || sl.getPadding()[0] != 0
                        || sl.getPadding()[1] != 0 || sl.getDilation()[0] != 1 || sl.getDilation()[1] != 1 || sl.getCnn2dDataFormat() != CNN2DFormat.NCHW) {
                    return declined(why, "layer " + i + ": pooling other than max with 'valid' padding");
                }
                int kH = sl.getKernelSize()[0];
                int kW = sl.getKernelSize()[1];
                int sH = sl.getStride()[0];
                int sW = sl.getStride()[1];
                int oH = (h - kH) / sH + 1;
                int oW = (w - kW) / sW + 1;
                stage = new Stage("pool", c, h, w, c, oH, oW, kH, kW, sH, sW, ActivationKind.IDENTITY, 0, 0, 0, 0);
                h = oH;
                w = oW;
            } else if ((lc.getClass() == DenseLayer.class || lc.getClass() == OutputLayer.class) && flat) {
                org.deeplearning4j.nn.conf.layers.FeedForwardLayer ff = (org.deeplearning4j.nn.conf.layers.FeedForwardLayer) lc;
                boolean last = i == layers.length - 1;
                ActivationKind kind;
                if (last) {
                    OutputLayer out = (OutputLayer) lc;
                    if (!(out.getActivationFn() instanceof ActivationSoftmax) || !(out.getLossFn() instanceof LossMCXENT loss)
                            || loss.getWeights() != null || !out.hasBias()) {
                        return declined(why, "the output layer is not softmax with cross-entropy and bias");
                    }
                    kind = ActivationKind.IDENTITY;
                } else {
                    if (!(lc instanceof DenseLayer d) || !d.hasBias() || d.hasLayerNorm()) {
                        return declined(why, "layer " + i + ": dense without bias or with layer norm");
                    }
                    Optional<ActivationKind> k = ActivationKind.of(d.getActivationFn());
                    if (k.isEmpty()) {
                        return declined(why, "layer " + i + ": activation " + lc);
                    }
                    kind = k.get();
                }
                int nIn = (int) ff.getNIn();
                int nOut = (int) ff.getNOut();
                if (nIn != c * h * w) {
                    return declined(why, "layer " + i + " does not take the previous layer's outputs");
                }
                // Dense parameters: W [nIn, nOut] in 'f' order, then the bias.
                stage = new Stage(last ? "output" : "dense", nIn, 1, 1, nOut, 1, 1, 0, 0, 0, 0, kind, offset, offset + nIn * nOut, l2, l1);
                offset += nIn * nOut + nOut;
                c = nOut;
                h = 1;
                w = 1;
            } else {
                return declined(why, "layer " + i + " is " + lc.getClass().getSimpleName() + " (conv, max pooling, dense and output only)");
            }
            if (lc instanceof BaseLayer && !layoutMatches(net, i, stage)) {
                return declined(why, "layer " + i + ": parameters not in DL4J's flattened layout");
            }
            stages.add(stage);
        }
        if (stages.isEmpty() || !stages.get(stages.size() - 1).type().equals("output") || offset != net.numParams() || sgd == null) {
            return declined(why, "no output layer last, or parameters not contiguous");
        }
        if (net.getFlattenedGradients() == null) {
            net.initGradientsView();
        }
        return FlatUpdate.forNetwork(net, why).map(u -> new SmallConvTrainingStep(net, List.copyOf(stages), u, maxBatch));
    }

    /** Checks that the layer's W and b are the views of the flattened parameters this step assumes. */
    private static boolean layoutMatches(MultiLayerNetwork net, int index, Stage s) {
        INDArray w = net.getLayer(index).getParam("W");
        INDArray b = net.getLayer(index).getParam("b");
        if (w == null || b == null || b.length() != s.outC()) {
            return false;
        }
        FloatBuffer flat = net.params().data().asNioFloat();
        for (int k = 0; k < b.length(); k += Math.max(1, (int) b.length() / 3)) {
            if (Float.compare(b.getFloat(k), flat.get(s.biasOffset() + k)) != 0) {
                return false;
            }
        }
        if (s.type().equals("conv")) {
            long[] shape = w.shape();
            if (shape.length != 4 || shape[0] != s.outC() || shape[1] != s.inC() || shape[2] != s.kH() || shape[3] != s.kW()) {
                return false;
            }
            int[][] probes = {{0, 0, 0, 0}, {s.outC() - 1, s.inC() - 1, s.kH() - 1, s.kW() - 1}, {s.outC() / 2, 0, s.kH() - 1, 0}};
            for (int[] q : probes) {
                int at = s.weightOffset() + ((q[0] * s.inC() + q[1]) * s.kH() + q[2]) * s.kW() + q[3];
                if (Float.compare(w.getFloat(q[0], q[1], q[2], q[3]), flat.get(at)) != 0) {
                    return false;
                }
            }
            return true;
        }
        int rows = s.inC();
        int cols = s.outC();
        if (w.rank() != 2 || w.rows() != rows || w.columns() != cols) {
            return false;
        }
        int[][] probes = {{0, 0}, {rows - 1, 0}, {0, cols - 1}, {rows / 2, cols / 3}, {rows - 1, cols - 1}};
        for (int[] q : probes) {
            if (Float.compare(w.getFloat(q[0], q[1]), flat.get(s.weightOffset() + q[1] * rows + q[0])) != 0) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String kind() {
        return KIND;
    }

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
        for (int r = 0; r < batch; r++) {
            loadSample(set, order[from + r], r);
        }
        paramBuf.get(0, p);
        LayerTimes t = times;
        forward(batch, t);
        long t0 = t == null ? 0 : System.nanoTime();
        Stage out = stages.get(stages.size() - 1);
        int classes = out.outC();
        float[][] z = acts[stages.size()];
        float[][] delta = deltas[stages.size()];
        float[] row = new float[classes];
        double lossSum = 0;
        int correct = 0;
        for (int r = 0; r < batch; r++) {
            int best = softmax(z, r, row);
            int label = set.labels()[order[from + r]];
            for (int j = 0; j < classes; j++) {
                delta[j][r] = j == label ? row[j] - 1f : row[j];
            }
            // DL4J's LossMCXENT clips the softmax output before the log.
            lossSum -= Math.log(Math.min(1 - SOFTMAX_CLIP, Math.max(row[label], SOFTMAX_CLIP)));
            if (best == label) {
                correct++;
            }
        }
        double score = lossSum / batch + regularizationScore();
        if (t != null) {
            t.forward[stages.size() - 1] += System.nanoTime() - t0;
            for (int i = 0; i < stages.size(); i++) {
                Stage s = stages.get(i);
                t.shapes[i] = i == stages.size() - 1 ? "[loss]" : s.type().equals("dense") ? "[" + batch + ", " + s.outC() + "]"
                        : "[" + batch + ", " + s.outC() + ", " + s.outH() + ", " + s.outW() + "]";
            }
        }
        backward(batch, t);
        t0 = t == null ? 0 : System.nanoTime();
        gradientBuf.put(0, g);
        update.apply(batch);       // the parameters in the network's buffer (still p's values), the iteration count
        if (t != null) {
            t.update += System.nanoTime() - t0;
        }
        net.setScore(score);
        return new Outcome(score, correct);
    }

    @Override
    public float[] probabilities(ImageSet set, int from, int to) {
        Stage out = stages.get(stages.size() - 1);
        int classes = out.outC();
        float[] result = new float[(to - from) * classes];
        paramBuf.get(0, p);
        float[] row = new float[classes];
        for (int start = from; start < to; start += maxBatch) {
            int batch = Math.min(maxBatch, to - start);
            for (int r = 0; r < batch; r++) {
                loadSample(set, start + r, r);
            }
            forward(batch, null);
            float[][] z = acts[stages.size()];
            for (int r = 0; r < batch; r++) {
                softmax(z, r, row);
                System.arraycopy(row, 0, result, (start - from + r) * classes, classes);
            }
        }
        return result;
    }

    @Override
    public void timeLayers(LayerTimes times) {
        this.times = times;
    }

    @Override
    public List<String> layerNames() {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < stages.size(); i++) {
            names.add(net.getLayer(i).conf().getLayer().getLayerName());
        }
        return names;
    }

    @Override
    public List<String> layerTypes() {
        List<String> types = new ArrayList<>();
        for (int i = 0; i < stages.size(); i++) {
            types.add(net.getLayer(i).conf().getLayer().getClass().getSimpleName());
        }
        return types;
    }

    /** Sample {@code sample} of {@code set} as element {@code r} of every input row. */
    private void loadSample(ImageSet set, int sample, int r) {
        float[][] in = acts[0];
        float[] all = set.features();
        int base = sample * in.length;
        for (int f = 0; f < in.length; f++) {
            in[f][r] = all[base + f];
        }
    }

    /** Every stage's output; the output layer's logits (with bias) in the last rows. Timed into {@code t.forward} unless null. */
    private void forward(int n, LayerTimes t) {
        for (int i = 0; i < stages.size(); i++) {
            long t0 = t == null ? 0 : System.nanoTime();
            Stage s = stages.get(i);
            float[][] in = acts[i];
            float[][] out = acts[i + 1];
            switch (s.type()) {
                case "conv" -> convForward(s, windows[i], in, out, n);
                case "pool" -> poolForward(s, windows[i], in, out, n);
                default -> denseForward(s, in, out, n);
            }
            if (!s.type().equals("pool") && !s.type().equals("output")) {
                for (float[] r : out) {
                    s.kind().forward(r, n);
                }
            }
            if (t != null) {
                t.forward[i] += System.nanoTime() - t0;
            }
        }
    }

    /** Each output row: its bias, then the weighted input rows of its window in DL4J's weight order. */
    private void convForward(Stage s, int[][] window, float[][] in, float[][] out, int n) {
        int taps = window[0].length;
        int positions = window.length;
        for (int o = 0; o < s.outC(); o++) {
            float bias = p[s.biasOffset() + o];
            int w = s.weightOffset() + o * taps;
            for (int q = 0; q < positions; q++) {
                float[] y = out[o * positions + q];
                java.util.Arrays.fill(y, 0, n, bias);
                RowKernels.accumulate(y, in, window[q], p, w, 1, taps, n);
            }
        }
    }

    /**
     * The window's maximum (Math.max, a vector instruction; a branch per element on which of four wins cost 8x as
     * much). The backward pass finds the winner again.
     */
    private static void poolForward(Stage s, int[][] window, float[][] in, float[][] out, int n) {
        int positions = window.length;
        int inPlane = s.inH() * s.inW();
        for (int c = 0; c < s.inC(); c++) {
            for (int q = 0; q < positions; q++) {
                int[] rows = window[q];
                float[] y = out[c * positions + q];
                System.arraycopy(in[c * inPlane + rows[0]], 0, y, 0, n);
                for (int t = 1; t < rows.length; t++) {
                    float[] x = in[c * inPlane + rows[t]];
                    for (int b = 0; b < n; b++) {
                        y[b] = Math.max(y[b], x[b]);
                    }
                }
            }
        }
    }

    /** Each output row: its bias, then every input row times its weight (W is [nIn, nOut] column-major: contiguous per output). */
    private void denseForward(Stage s, float[][] in, float[][] out, int n) {
        for (int j = 0; j < s.outC(); j++) {
            float[] y = out[j];
            java.util.Arrays.fill(y, 0, n, p[s.biasOffset() + j]);
            RowKernels.accumulate(y, in, null, p, s.weightOffset() + j * s.inC(), 1, s.inC(), n);
        }
    }

    private static int softmax(float[][] z, int r, float[] out) {
        int classes = out.length;
        float max = Float.NEGATIVE_INFINITY;
        int best = 0;
        for (int j = 0; j < classes; j++) {
            if (z[j][r] > max) {
                max = z[j][r];
                best = j;
            }
        }
        double sum = 0;
        for (int j = 0; j < classes; j++) {
            out[j] = (float) Math.exp(z[j][r] - max);
            sum += out[j];
        }
        for (int j = 0; j < classes; j++) {
            out[j] = (float) (out[j] / sum);
        }
        return best;
    }

    /** Summed gradients of every parameter into {@link #g}; deltas[n] holds the output layer's delta. */
    private void backward(int n, LayerTimes t) {
        java.util.Arrays.fill(g, 0f);
        for (int i = stages.size() - 1; i >= 0; i--) {
            long t0 = t == null ? 0 : System.nanoTime();
            Stage s = stages.get(i);
            float[][] delta = deltas[i + 1];
            float[][] in = acts[i];
            float[][] deltaIn = i > 0 ? deltas[i] : null;
            if (deltaIn != null) {
                for (float[] r : deltaIn) {
                    java.util.Arrays.fill(r, 0, n, 0f);
                }
            }
            switch (s.type()) {
                case "conv" -> convBackward(s, windows[i], in, delta, deltaIn, n);
                case "pool" -> poolBackward(s, windows[i], in, acts[i + 1], delta, deltaIn, n);
                default -> denseBackward(s, in, delta, deltaIn, n);
            }
            if (t != null) {
                t.backward[i] += System.nanoTime() - t0;
            }
            if (deltaIn != null) {
                t0 = t == null ? 0 : System.nanoTime();
                Stage below = stages.get(i - 1);
                if (!below.type().equals("pool")) {
                    float[][] a = acts[i];
                    for (int f = 0; f < deltaIn.length; f++) {
                        below.kind().backward(deltaIn[f], a[f], n);
                    }
                }
                if (t != null) {
                    t.backward[i - 1] += System.nanoTime() - t0;     // the derivative of the activation of the layer below
                }
            }
        }
    }

    /**
     * Each output's gradient goes to the first window element equal to the maximum, DL4J's choice among equal ones,
     * found without a branch: {@code max - x} is +0 exactly where x is the maximum (it is never negative), so the
     * bits of {@code -(max - x) >> 31} are a mask, all ones where x is not the maximum; the gradient still to route
     * is kept there and handed on where it is.
     */
    private void poolBackward(Stage s, int[][] window, float[][] in, float[][] out, float[][] delta, float[][] deltaIn, int n) {
        int positions = window.length;
        int inPlane = s.inH() * s.inW();
        float[] left = scratchRow;
        for (int c = 0; c < s.inC(); c++) {
            for (int q = 0; q < positions; q++) {
                int[] rows = window[q];
                float[] y = out[c * positions + q];
                System.arraycopy(delta[c * positions + q], 0, left, 0, n);
                for (int t = 0; t < rows.length; t++) {
                    float[] x = in[c * inPlane + rows[t]];
                    float[] dx = deltaIn[c * inPlane + rows[t]];
                    for (int b = 0; b < n; b++) {
                        int notMax = -Float.floatToRawIntBits(y[b] - x[b]) >> 31;
                        int bits = Float.floatToRawIntBits(left[b]);
                        dx[b] += Float.intBitsToFloat(bits & ~notMax);
                        left[b] = Float.intBitsToFloat(bits & notMax);
                    }
                }
            }
        }
    }

    /**
     * Bias: the sum of the delta row. Weights: {@code dW[i][j] = sum over samples of in[i] * delta[j]}, one row of
     * W's column-major layout per output, accumulated over the batch's samples (the inputs transposed once).
     * Input: {@code deltaIn[i] = sum over j of W[i][j] * delta[j]}.
     */
    private void denseBackward(Stage s, float[][] in, float[][] delta, float[][] deltaIn, int n) {
        int nIn = s.inC();
        int nOut = s.outC();
        for (int i = 0; i < nIn; i++) {
            float[] x = in[i];
            for (int r = 0; r < n; r++) {
                samples[r][i] = x[r];
            }
        }
        for (int j = 0; j < nOut; j++) {
            float[] d = delta[j];
            g[s.biasOffset() + j] = RowKernels.sum(d, n);
            java.util.Arrays.fill(gradientRow, 0, nIn, 0f);
            RowKernels.accumulate(gradientRow, samples, null, d, 0, 1, n, nIn);
            System.arraycopy(gradientRow, 0, g, s.weightOffset() + j * nIn, nIn);
        }
        if (deltaIn != null) {
            for (int i = 0; i < nIn; i++) {
                RowKernels.accumulate(deltaIn[i], delta, null, p, s.weightOffset() + i, nIn, nOut, n);
            }
        }
    }

    /**
     * Per output channel and window element, the products of the delta rows with the input rows that element read,
     * summed lane by lane over the positions, then over the lanes; the bias the same way over the delta rows. The
     * input's gradient: each delta row times its weight added to the input rows of its window.
     */
    private void convBackward(Stage s, int[][] window, float[][] in, float[][] delta, float[][] deltaIn, int n) {
        int taps = window[0].length;
        int positions = window.length;
        float[][] read = new float[positions][];
        float[][] ds = new float[positions][];
        for (int o = 0; o < s.outC(); o++) {
            System.arraycopy(delta, o * positions, ds, 0, positions);
            java.util.Arrays.fill(scratchRow, 0, n, 0f);
            RowKernels.addRows(scratchRow, ds, positions, n);
            g[s.biasOffset() + o] = RowKernels.sum(scratchRow, n);
            int w = s.weightOffset() + o * taps;
            for (int t = 0; t < taps; t++) {
                for (int q = 0; q < positions; q++) {
                    read[q] = in[window[q][t]];
                }
                float[] lane = lanes[t];
                java.util.Arrays.fill(lane, 0, n, 0f);
                RowKernels.accumulateProducts(lane, ds, read, positions, n);
                g[w + t] = RowKernels.sum(lane, n);
            }
            if (deltaIn != null) {
                for (int q = 0; q < positions; q++) {
                    int[] rows = window[q];
                    for (int t = 0; t < taps; t++) {
                        RowKernels.acc1(deltaIn[rows[t]], ds[q], p[w + t], n);
                    }
                }
            }
        }
    }

    /** DL4J's regularisation score: {@code 0.5 * x * sum(w^2) + l1 * sum|w|} over the weights. */
    private double regularizationScore() {
        double score = 0;
        for (Stage s : stages) {
            if (s.l2() == 0 && s.l1() == 0) {
                continue;
            }
            int weights = s.type().equals("conv") ? s.outC() * s.inC() * s.kH() * s.kW() : s.inC() * s.outC();
            double sq = 0;
            double abs = 0;
            for (int k = s.weightOffset(); k < s.weightOffset() + weights; k++) {
                sq += (double) p[k] * p[k];
                abs += Math.abs(p[k]);
            }
            score += 0.5 * s.l2() * sq + s.l1() * abs;
        }
        return score;
    }
}
