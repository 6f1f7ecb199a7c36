package io.deepnets.train;

import static io.deepnets.train.TrainingStep.declined;

import io.deepnets.data.ImageSet;
import io.deepnets.eval.BatchPredictor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.dropout.Dropout;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnnPreProcessor;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.params.ConvolutionParamInitializer;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.deeplearning4j.optimize.solvers.BaseOptimizer;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.api.ops.random.impl.DropOutInverted;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;

/**
 * The training step of the image networks (convolution, batch normalisation, ReLU or linear activation layers, max
 * and global average pooling, dropout, dense, softmax output) through oneDNN's own primitives, each made once per
 * layer and batch size ({@link OneDnnConvolution} with the ReLU fused, {@link OneDnnBatchNorm}, {@link OneDnnRelu},
 * {@link OneDnnMaxPooling} with its workspace, {@link OneDnnInnerProduct}), on arrays allocated once per batch size;
 * DL4J's dropout ops in DL4J's order for the masks (the same random numbers on the same elements as DL4J's
 * {@code fit}); softmax and the cross-entropy on the host (plus DL4J's L1/L2 term); then the
 * {@link io.deepnets.engine.FlatUpdate} of whatever optimizer the network trains with.
 *
 * <p>Why: DL4J's layers wrap each op in workspace scopes, a copy of the pre-activation for the cache, a fresh
 * input-gradient array, permutes and validation, and libnd4j's ops under them build their oneDNN primitives anew on
 * every call. Measured with {@code bench --profile} (README, "Performance"), the MNIST CNN's step went from ~180 ms
 * through DL4J's {@code fit} to ~95 ms with libnd4j's ops called directly, and to ~50 ms with oneDNN's primitives
 * kept. The arithmetic is DL4J's: the parameter and gradient arrays are the network's own views, and
 * {@code ConvOpsTrainingStepTest} compares losses, parameters and updater state step by step with DL4J's {@code fit},
 * with DL4J's oneDNN helpers and without them (its built-in im2col convolution).
 */
final class ConvOpsTrainingStep implements TrainingStep, BatchPredictor {
    static final String KIND = "deepnets-conv-ops";

    private final MultiLayerNetwork net;
    private final List<Stage> stages;
    private final io.deepnets.engine.FlatUpdate update;
    private final int classes;
    private final int[] inputShape;
    private final Slots inputs = new Slots();
    /** Nanoseconds per layer (forward with the loss on the output layer, backward) and of the update; null unless profiled. */
    long[][] timings;
    /** The output shape of each layer in the last profiled step. */
    String[] shapes;

    private ConvOpsTrainingStep(MultiLayerNetwork net, List<Stage> stages, io.deepnets.engine.FlatUpdate update, int classes, int[] inputShape) {
        this.net = net;
        this.stages = stages;
        this.update = update;
        this.classes = classes;
        this.inputShape = inputShape;
    }

    /** The step for {@code net}, or empty (with the reason told to {@code why}) for a network it does not compute. */
    static Optional<TrainingStep> forNetwork(MultiLayerNetwork net, int classes, Consumer<String> why) {
        if (TrainingStep.hasFrozenLayer(net)) {
            return declined(why, "a frozen layer (transfer learning)");
        }
        if (!(net.getLayerWiseConfigurations().getInputPreProcess(0) instanceof FeedForwardToCnnPreProcessor)) {
            return declined(why, "not an image network (conv nets only)");
        }
        StringBuilder updateWhy = new StringBuilder();
        Optional<io.deepnets.engine.FlatUpdate> update = io.deepnets.engine.FlatUpdate.forNetwork(net, r -> updateWhy.append(r));
        if (update.isEmpty()) {
            return declined(why, updateWhy.toString());
        }
        return build(net, update.get(), classes, why).map(s -> s);
    }

    /**
     * The forward pass of this step as a predictor for {@code net} (validation, test evaluation), or empty for a
     * network it does not compute; the optimizer does not matter here.
     */
    static Optional<BatchPredictor> inferenceFor(MultiLayerNetwork net, int classes) {
        if (TrainingStep.hasFrozenLayer(net) || net.params() == null || net.params().dataType() != org.nd4j.linalg.api.buffer.DataType.FLOAT) {
            return Optional.empty();
        }
        if (net.getFlattenedGradients() == null) {
            net.initGradientsView();     // the stages hold the gradient views too; inference never writes them
        }
        return build(net, null, classes, r -> { }).map(s -> s);
    }

    private static Optional<ConvOpsTrainingStep> build(MultiLayerNetwork net, io.deepnets.engine.FlatUpdate update, int classes, Consumer<String> why) {
        MultiLayerConfiguration conf = net.getLayerWiseConfigurations();
        if (!(conf.getInputPreProcess(0) instanceof FeedForwardToCnnPreProcessor in)) {
            return declined(why, "not an image network (conv nets only)");
        }
        Optional<String> noOneDnn = OneDnnPrimitives.unavailable();
        if (noOneDnn.isPresent()) {
            return declined(why, noOneDnn.get());
        }
        long[] shape = {in.getNumChannels(), in.getInputHeight(), in.getInputWidth()};
        List<Stage> stages = new ArrayList<>();
        boolean flat = false;
        Layer[] layers = net.getLayers();
        for (int i = 0; i < layers.length; i++) {
            org.deeplearning4j.nn.conf.layers.Layer lc = layers[i].conf().getLayer();
            InputPreProcessor pre = conf.getInputPreProcess(i);
            if (i > 0 && pre != null) {
                if (!(pre instanceof CnnToFeedForwardPreProcessor f) || flat || f.getFormat() != CNN2DFormat.NCHW) {
                    return declined(why, "layer " + i + ": an input pre-processor other than one NCHW flatten");
                }
                flat = true;
            }
            boolean last = i == layers.length - 1;
            if (lc instanceof DropoutLayer d && lc.getClass() == DropoutLayer.class) {
                if (!(d.getIDropout() instanceof Dropout dropout) || d.getIDropout().getClass() != Dropout.class) {
                    return declined(why, "layer " + i + ": dropout other than plain (inverted) dropout");
                }
                stages.add(new DropoutStage(dropout));
                continue;
            }
            if (lc.getIDropout() != null) {
                return declined(why, "layer " + i + ": dropout on a layer's input (only dropout layers are supported)");
            }
            if (lc instanceof ConvolutionLayer c && lc.getClass() == ConvolutionLayer.class && !flat) {
                Optional<ActivationKind> kind = ActivationKind.of(c.getActivationFn());
                boolean valid = c.getConvolutionMode() == ConvolutionMode.Truncate || c.getConvolutionMode() == ConvolutionMode.Strict;
                if (kind.isEmpty() || kind.get() != ActivationKind.RELU && kind.get() != ActivationKind.IDENTITY || !c.hasBias()
                        || c.getDilation()[0] != 1 || c.getDilation()[1] != 1 || c.getCnn2dDataFormat() != CNN2DFormat.NCHW
                        || !valid && c.getConvolutionMode() != ConvolutionMode.Same || valid && (c.getPadding()[0] != 0 || c.getPadding()[1] != 0)) {
                    return declined(why, "layer " + i + ": a convolution other than NCHW, biased, undilated, 'valid' or 'same', ReLU or linear");
                }
                ConvStage s = new ConvStage(layers[i], c, shape, kind.get() == ActivationKind.RELU, stages.isEmpty());
                stages.add(s);
                shape = s.outShape;
            } else if (lc instanceof BatchNormalization b && lc.getClass() == BatchNormalization.class && !flat) {
                if (b.isLockGammaBeta() || b.isUseLogStd() || b.getCnn2DFormat() != CNN2DFormat.NCHW || !b.isMinibatch()) {
                    return declined(why, "layer " + i + ": batch normalisation other than NCHW with trained gamma and beta and the variance kept");
                }
                stages.add(new BatchNormStage(layers[i], b, shape));
            } else if (lc instanceof ActivationLayer a && lc.getClass() == ActivationLayer.class && !flat) {
                Optional<ActivationKind> kind = ActivationKind.of(a.getActivationFn());
                if (kind.isEmpty() || kind.get() != ActivationKind.RELU && kind.get() != ActivationKind.IDENTITY) {
                    return declined(why, "layer " + i + ": an activation layer other than ReLU or linear");
                }
                stages.add(kind.get() == ActivationKind.RELU ? new ReluStage(shape) : new IdentityStage());
            } else if (lc instanceof GlobalPoolingLayer g && lc.getClass() == GlobalPoolingLayer.class && !flat) {
                if (g.getPoolingType() != PoolingType.AVG || !g.isCollapseDimensions() || g.getPoolingDimensions() != null
                        && !java.util.Arrays.equals(g.getPoolingDimensions(), new int[] {2, 3})) {
                    return declined(why, "layer " + i + ": global pooling other than the average over height and width");
                }
                stages.add(new GlobalAveragePoolStage(shape));
                shape = new long[] {shape[0]};
                flat = true;
            } else if (lc instanceof SubsamplingLayer p && lc.getClass() == SubsamplingLayer.class && !flat) {
                boolean valid = p.getConvolutionMode() == ConvolutionMode.Truncate || p.getConvolutionMode() == ConvolutionMode.Strict;
                if (p.getPoolingType() != PoolingType.MAX || p.getDilation()[0] != 1 || p.getDilation()[1] != 1
                        || p.getCnn2dDataFormat() != CNN2DFormat.NCHW || !valid || p.getPadding()[0] != 0 || p.getPadding()[1] != 0) {
                    return declined(why, "layer " + i + ": pooling other than NCHW max pooling with 'valid' padding");
                }
                MaxPoolStage s = new MaxPoolStage(p, shape);
                stages.add(s);
                shape = s.outShape;
            } else if (flat && (lc.getClass() == DenseLayer.class || lc.getClass() == OutputLayer.class)) {
                org.deeplearning4j.nn.conf.layers.FeedForwardLayer ff = (org.deeplearning4j.nn.conf.layers.FeedForwardLayer) lc;
                long nIn = shape[0] * (shape.length == 3 ? shape[1] * shape[2] : 1);
                if (ff.getNIn() != nIn) {
                    return declined(why, "layer " + i + ": input size " + ff.getNIn() + " where " + nIn + " arrive");
                }
                if (last) {
                    OutputLayer o = (OutputLayer) lc;
                    if (!(o.getActivationFn() instanceof ActivationSoftmax) || o.getLossFn() == null || o.getLossFn().getClass() != LossMCXENT.class
                            || ((LossMCXENT) o.getLossFn()).getWeights() != null || !o.hasBias()) {
                        return declined(why, "the output layer is not softmax with unweighted cross-entropy");
                    }
                    stages.add(new DenseStage(layers[i], nIn, ff.getNOut(), false, true));
                } else {
                    Optional<ActivationKind> kind = ActivationKind.of(ff.getActivationFn());
                    if (kind.isEmpty() || kind.get() != ActivationKind.RELU && kind.get() != ActivationKind.IDENTITY || !((DenseLayer) lc).hasBias()
                            || ((DenseLayer) lc).hasLayerNorm()) {
                        return declined(why, "layer " + i + ": a dense layer other than biased ReLU or linear");
                    }
                    stages.add(new DenseStage(layers[i], nIn, ff.getNOut(), kind.get() == ActivationKind.RELU, false));
                }
                shape = new long[] {ff.getNOut()};
            } else {
                return declined(why, "layer " + i + ": " + lc.getClass().getSimpleName() + (flat ? " after flatten" : "") + " is not computed by this step");
            }
            if (last != (lc instanceof OutputLayer)) {
                return declined(why, "the last layer is not the output layer");
            }
        }
        int[] input = {(int) in.getNumChannels(), (int) in.getInputHeight(), (int) in.getInputWidth()};
        return Optional.of(new ConvOpsTrainingStep(net, stages, update, classes, input));
    }

    @Override
    public Outcome fit(ImageSet set, int[] order, int from, int to) {
        int m = to - from;
        INDArray x = input(m);
        int size = set.featureSize();
        java.nio.FloatBuffer rows = x.data().asNioFloat();
        for (int r = 0; r < m; r++) {
            rows.put(r * size, set.features(), order[from + r] * size, size);
        }
        int iteration = BaseOptimizer.getIterationCount(net);
        int epoch = BaseOptimizer.getEpochCount(net);
        long[][] t = timings;
        int n = stages.size();
        for (int i = 0; i < n; i++) {
            long t0 = t == null ? 0 : System.nanoTime();
            x = stages.get(i).forward(x, true, iteration, epoch);
            if (t != null) {
                t[0][i] += System.nanoTime() - t0;
                shapes[i] = i == n - 1 ? "[loss]" : java.util.Arrays.toString(x.shape());
            }
        }
        long t0 = t == null ? 0 : System.nanoTime();
        Outcome outcome = ((DenseStage) stages.get(n - 1)).softmaxLossAndDelta(labels(set, order, from, to));
        double regularization = update.regularizationScore();
        if (regularization != 0) {
            // DL4J's score adds the regularisation term of the parameters the forward pass used (Keras's loss too).
            outcome = new Outcome(outcome.loss() + regularization, outcome.correct());
        }
        if (t != null) {
            t[0][n - 1] += System.nanoTime() - t0;
        }
        INDArray eps = null;
        for (int i = n - 1; i >= 0; i--) {
            t0 = t == null ? 0 : System.nanoTime();
            eps = stages.get(i).backward(eps, i > 0);
            if (t != null) {
                t[1][i] += System.nanoTime() - t0;
            }
        }
        t0 = t == null ? 0 : System.nanoTime();
        update.apply(m);
        if (t != null) {
            t[2][0] += System.nanoTime() - t0;
        }
        return outcome;
    }

    private static int[] labels(ImageSet set, int[] order, int from, int to) {
        int[] labels = new int[to - from];
        for (int r = 0; r < labels.length; r++) {
            labels[r] = set.labels()[order[from + r]];
        }
        return labels;
    }

    /** The input array for a batch of {@code m}, kept per batch size (a fresh ND4J array per batch costs ~1 ms here). */
    private INDArray input(int m) {
        return inputs.get(m, b -> new INDArray[] {Nd4j.createUninitialized(DataType.FLOAT, b, inputShape[0], inputShape[1], inputShape[2])})[0];
    }

    /** Starts (or restarts) counting {@link #timings}: one entry per layer, in the network's layer order. */
    void startTimings() {
        timings = new long[][] {new long[stages.size()], new long[stages.size()], new long[1]};
        shapes = new String[stages.size()];
    }

    @Override
    public float[] probabilities(ImageSet set, int from, int to) {
        int size = set.featureSize();
        float[] result = new float[(to - from) * classes];
        int maxBatch = 256;
        for (int start = from; start < to; start += maxBatch) {
            int m = Math.min(maxBatch, to - start);
            INDArray x = input(m);
            x.data().asNioFloat().put(0, set.features(), start * size, m * size);
            for (Stage s : stages) {
                x = s.forward(x, false, 0, 0);
            }
            float[] p = ((DenseStage) stages.get(stages.size() - 1)).softmax(m);
            System.arraycopy(p, 0, result, (start - from) * classes, m * classes);
        }
        return result;
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
        stages.forEach(Stage::close);
    }

    /** One layer's forward and backward computation on arrays kept per batch size. */
    private abstract static class Stage {
        /** Forward from {@code in} (training: dropout on, the input kept for the backward pass; iteration and epoch for a scheduled dropout rate). */
        abstract INDArray forward(INDArray in, boolean training, int iteration, int epoch);

        /** Backward from the gradient at the output; returns the gradient at the input when {@code needInput}. */
        abstract INDArray backward(INDArray eps, boolean needInput);

        /** Frees native resources the stage holds beyond ND4J's arrays. */
        void close() {
        }
    }

    /** The arrays of one stage for one batch size, made on first use. */
    private static final class Slots {
        private final Map<Long, INDArray[]> byBatch = new HashMap<>();

        INDArray[] get(long batch, java.util.function.LongFunction<INDArray[]> make) {
            return byBatch.computeIfAbsent(batch, make::apply);
        }
    }

    private static long[] withBatch(long batch, long[] shape) {
        long[] s = new long[shape.length + 1];
        s[0] = batch;
        System.arraycopy(shape, 0, s, 1, shape.length);
        return s;
    }

    /**
     * Convolution with bias and ReLU/linear through {@link OneDnnConvolution} (oneDNN's primitives, made once per
     * batch size), weights in DL4J's [out, in, kH, kW]; the first layer computes no input gradient.
     */
    private static final class ConvStage extends Stage {
        final long[] outShape;
        private final long[] inShape;
        private final INDArray weights;
        private final INDArray bias;
        private final INDArray weightGrad;
        private final INDArray biasGrad;
        private final OneDnnConvolution convolution;
        private final Slots slots = new Slots();
        private final Slots gradSlots = new Slots();
        private INDArray input;
        private INDArray[] slot;

        ConvStage(Layer layer, ConvolutionLayer c, long[] inShape, boolean relu, boolean first) {
            this.inShape = inShape;
            Map<String, INDArray> grads = ConvolutionParamInitializer.getInstance().getGradientsFromFlattened(layer.conf(), layer.getGradientsViewArray());
            this.weights = layer.getParam(ConvolutionParamInitializer.WEIGHT_KEY);
            this.bias = layer.getParam(ConvolutionParamInitializer.BIAS_KEY).reshape(c.getNOut());
            this.weightGrad = grads.get(ConvolutionParamInitializer.WEIGHT_KEY);
            this.biasGrad = grads.get(ConvolutionParamInitializer.BIAS_KEY).reshape(c.getNOut());
            int[] kernel = c.getKernelSize();
            int[] stride = c.getStride();
            boolean same = c.getConvolutionMode() == ConvolutionMode.Same;
            long oH = same ? (inShape[1] + stride[0] - 1) / stride[0] : (inShape[1] - kernel[0]) / stride[0] + 1;
            long oW = same ? (inShape[2] + stride[1] - 1) / stride[1] : (inShape[2] - kernel[1]) / stride[1] + 1;
            this.outShape = new long[] {c.getNOut(), oH, oW};
            // DL4J's 'same' (ConvolutionUtils.getSameModeTopLeftPadding): half the missing rows/columns before, the rest after.
            int[] pad = same ? new int[] {(int) (((oH - 1) * stride[0] + kernel[0] - inShape[1]) / 2), (int) (((oW - 1) * stride[1] + kernel[1] - inShape[2]) / 2)}
                    : new int[] {0, 0};
            this.convolution = new OneDnnConvolution(inShape, outShape, kernel, stride, pad, relu, !first);
        }

        @Override
        INDArray forward(INDArray in, boolean training, int iteration, int epoch) {
            long m = in.size(0);
            slot = slots.get(m, b -> new INDArray[] {Nd4j.createUninitialized(DataType.FLOAT, withBatch(b, outShape))});
            input = in;
            convolution.forward(in, weights, bias, slot[0], training);
            return slot[0];
        }

        @Override
        INDArray backward(INDArray eps, boolean needInput) {
            INDArray gradIn = needInput ? gradSlots.get(input.size(0), b -> new INDArray[] {Nd4j.createUninitialized(DataType.FLOAT, withBatch(b, inShape))})[0] : null;
            convolution.backward(input, weights, slot[0], eps, weightGrad, biasGrad, gradIn);
            return gradIn;
        }

        @Override
        void close() {
            convolution.close();
        }
    }

    /** Max pooling through {@link OneDnnMaxPooling}: the backward pass reads where the forward pass found each maximum. */
    private static final class MaxPoolStage extends Stage {
        final long[] outShape;
        private final long[] inShape;
        private final OneDnnMaxPooling pooling;
        private final Slots slots = new Slots();
        private final Slots gradSlots = new Slots();
        private INDArray[] slot;

        MaxPoolStage(SubsamplingLayer p, long[] inShape) {
            this.inShape = inShape;
            int[] kernel = p.getKernelSize();
            int[] stride = p.getStride();
            this.outShape = new long[] {inShape[0], (inShape[1] - kernel[0]) / stride[0] + 1, (inShape[2] - kernel[1]) / stride[1] + 1};
            this.pooling = new OneDnnMaxPooling(inShape, outShape, kernel, stride);
        }

        @Override
        INDArray forward(INDArray in, boolean training, int iteration, int epoch) {
            slot = slots.get(in.size(0), b -> new INDArray[] {Nd4j.createUninitialized(DataType.FLOAT, withBatch(b, outShape))});
            pooling.forward(in, slot[0], training);
            return slot[0];
        }

        @Override
        INDArray backward(INDArray eps, boolean needInput) {
            INDArray gradIn = gradSlots.get(eps.size(0), b -> new INDArray[] {Nd4j.createUninitialized(DataType.FLOAT, withBatch(b, inShape))})[0];
            pooling.backward(eps, gradIn);
            return gradIn;
        }

        @Override
        void close() {
            pooling.close();
        }
    }

    /**
     * A dropout layer: DL4J's {@link Dropout#applyDropout} op for op (a mask of ones, libnd4j's {@code DropOutInverted}
     * on it from ND4J's random stream, the product), so the same random numbers land on the same elements as in
     * DL4J's {@code fit}; but on a mask and an output kept per batch size, where DL4J allocates a fresh mask on every
     * call (without workspaces: new native memory, its pages faulted in on first touch).
     */
    private static final class DropoutStage extends Stage {
        private final Dropout dropout;
        private final Slots slots = new Slots();
        private INDArray[] slot;

        DropoutStage(Dropout dropout) {
            this.dropout = dropout;
        }

        @Override
        INDArray forward(INDArray in, boolean training, int iteration, int epoch) {
            if (!training) {
                return in;
            }
            slot = slots.get(in.size(0), b -> new INDArray[] {Nd4j.createUninitialized(DataType.FLOAT, in.shape()),
                    Nd4j.createUninitialized(DataType.FLOAT, in.shape())});
            double p = dropout.getPSchedule() != null ? dropout.getPSchedule().valueAt(iteration, epoch) : dropout.getP();
            INDArray mask = slot[1].assign(1.0);
            Nd4j.getExecutioner().exec(new DropOutInverted(mask, mask, p));
            Nd4j.getExecutioner().exec(new MulOp(in, mask, slot[0]));
            return slot[0];
        }

        @Override
        INDArray backward(INDArray eps, boolean needInput) {
            Nd4j.getExecutioner().exec(new MulOp(eps, slot[1], eps));
            return eps;
        }
    }

    /**
     * A dense layer ({@code x W + b}, W in DL4J's [nIn, nOut] 'f' order) with ReLU or no activation, or the softmax
     * output layer, whose loss gradient {@code softmax - onehot} is set by {@link #softmaxLossAndDelta}. A 4-d input
     * (after flatten) is read as [batch, c*h*w] in 'c' order, as DL4J's {@code CnnToFeedForwardPreProcessor} does.
     */
    private static final class DenseStage extends Stage {
        private final INDArray weights;
        private final INDArray bias;
        private final INDArray weightGrad;
        private final INDArray biasGrad;
        private final long nIn;
        private final long nOut;
        private final boolean output;
        private final OneDnnInnerProduct product;
        private final Slots slots = new Slots();
        private INDArray input;
        private long[] inputShape;
        private INDArray[] slot;

        DenseStage(Layer layer, long nIn, long nOut, boolean relu, boolean output) {
            Map<String, INDArray> grads = DefaultParamInitializer.getInstance().getGradientsFromFlattened(layer.conf(), layer.getGradientsViewArray());
            this.weights = layer.getParam(DefaultParamInitializer.WEIGHT_KEY);
            this.bias = layer.getParam(DefaultParamInitializer.BIAS_KEY);
            this.weightGrad = grads.get(DefaultParamInitializer.WEIGHT_KEY);
            this.biasGrad = grads.get(DefaultParamInitializer.BIAS_KEY);
            this.nIn = nIn;
            this.nOut = nOut;
            this.output = output;
            this.product = new OneDnnInnerProduct(nIn, nOut, relu, true);
        }

        @Override
        INDArray forward(INDArray in, boolean training, int iteration, int epoch) {
            long m = in.size(0);
            inputShape = in.shape();
            input = in;
            slot = slots.get(m, b -> new INDArray[] {Nd4j.createUninitialized(DataType.FLOAT, b, nOut), Nd4j.createUninitialized(DataType.FLOAT, b, nIn),
                    Nd4j.createUninitialized(DataType.FLOAT, b, nOut)});
            product.forward(in, weights, bias, slot[0], training);
            return slot[0];
        }

        /** Softmax of the last forward pass's output, row by row (max subtracted, summed in float as libnd4j's softmax:
         * scratch's double-sum softmax moved the helpers-on comparison beyond float rounding). */
        float[] softmax(int m) {
            float[] p = slot[0].reshape(m * nOut).toFloatVector();
            int k = (int) nOut;
            for (int r = 0; r < m; r++) {
                float max = Float.NEGATIVE_INFINITY;
                for (int j = 0; j < k; j++) {
                    max = Math.max(max, p[r * k + j]);
                }
                float sum = 0;
                for (int j = 0; j < k; j++) {
                    float e = (float) Math.exp(p[r * k + j] - max);
                    p[r * k + j] = e;
                    sum += e;
                }
                for (int j = 0; j < k; j++) {
                    p[r * k + j] /= sum;
                }
            }
            return p;
        }

        /**
         * The batch-mean cross-entropy of the last forward pass as DL4J's {@code LossMCXENT} scores it (probabilities
         * clipped at 1e-10 before the log), the argmax hits, and {@code softmax - onehot} as this layer's output gradient.
         */
        Outcome softmaxLossAndDelta(int[] labels) {
            int m = labels.length;
            int k = (int) nOut;
            float[] p = softmax(m);
            double loss = 0;
            int correct = 0;
            for (int r = 0; r < m; r++) {
                int argmax = 0;
                for (int j = 1; j < k; j++) {
                    if (p[r * k + j] > p[r * k + argmax]) {
                        argmax = j;
                    }
                }
                if (argmax == labels[r]) {
                    correct++;
                }
                loss -= Math.log(Math.min(Math.max(p[r * k + labels[r]], 1e-10), 1.0 - 1e-10));
                p[r * k + labels[r]] -= 1f;
            }
            slot[2].data().asNioFloat().put(0, p);
            return new Outcome(loss / m, correct);
        }

        @Override
        INDArray backward(INDArray eps, boolean needInput) {
            INDArray gradIn = needInput ? slot[1] : null;
            product.backward(input, weights, slot[0], output ? slot[2] : eps, weightGrad, biasGrad, gradIn);
            return gradIn == null || inputShape.length == 2 ? gradIn : gradIn.reshape('c', inputShape);
        }

        @Override
        void close() {
            product.close();
        }
    }

    /**
     * Batch normalisation through {@link OneDnnBatchNorm}: in training the batch's statistics normalise and DL4J's
     * "gradient" of the moving statistics is set as DL4J's layer sets it, {@code (moving - batch) * (1 - decay)}, which
     * the no-op updater then subtracts ({@code moving = decay * moving + (1 - decay) * batch}, Keras's momentum); in
     * inference the moving statistics normalise.
     */
    private static final class BatchNormStage extends Stage {
        private final long[] shape;
        private final INDArray gamma;
        private final INDArray beta;
        private final INDArray movingMean;
        private final INDArray movingVar;
        private final INDArray gammaGrad;
        private final INDArray betaGrad;
        private final INDArray movingMeanGrad;
        private final INDArray movingVarGrad;
        private final INDArray batchMean;
        private final INDArray batchVar;
        private final float keep;
        private final OneDnnBatchNorm norm;
        private final Slots slots = new Slots();
        private INDArray input;

        BatchNormStage(Layer layer, BatchNormalization conf, long[] shape) {
            this.shape = shape;
            Map<String, INDArray> grads = org.deeplearning4j.nn.params.BatchNormalizationParamInitializer.getInstance()
                    .getGradientsFromFlattened(layer.conf(), layer.getGradientsViewArray());
            long c = shape[0];
            this.gamma = layer.getParam("gamma").reshape(c);
            this.beta = layer.getParam("beta").reshape(c);
            this.movingMean = layer.getParam("mean").reshape(c);
            this.movingVar = layer.getParam("var").reshape(c);
            this.gammaGrad = grads.get("gamma").reshape(c);
            this.betaGrad = grads.get("beta").reshape(c);
            this.movingMeanGrad = grads.get("mean").reshape(c);
            this.movingVarGrad = grads.get("var").reshape(c);
            this.batchMean = Nd4j.createUninitialized(DataType.FLOAT, c);
            this.batchVar = Nd4j.createUninitialized(DataType.FLOAT, c);
            this.keep = (float) (1.0 - conf.getDecay());
            this.norm = new OneDnnBatchNorm(shape, conf.getEps());
        }

        @Override
        INDArray forward(INDArray in, boolean training, int iteration, int epoch) {
            INDArray[] slot = slots.get(in.size(0), b -> new INDArray[] {Nd4j.createUninitialized(DataType.FLOAT, withBatch(b, shape)),
                    Nd4j.createUninitialized(DataType.FLOAT, withBatch(b, shape))});
            input = in;
            norm.forward(in, gamma, beta, training ? batchMean : movingMean, training ? batchVar : movingVar, slot[0], training);
            return slot[0];
        }

        @Override
        INDArray backward(INDArray eps, boolean needInput) {
            INDArray gradIn = slots.get(input.size(0), b -> null)[1];
            norm.backward(input, gamma, batchMean, batchVar, eps, gradIn, gammaGrad, betaGrad);
            float[] mm = movingMean.toFloatVector();
            float[] mv = movingVar.toFloatVector();
            float[] bm = batchMean.toFloatVector();
            float[] bv = batchVar.toFloatVector();
            for (int i = 0; i < mm.length; i++) {
                mm[i] = (mm[i] - bm[i]) * keep;
                mv[i] = (mv[i] - bv[i]) * keep;
            }
            movingMeanGrad.data().asNioFloat().put((int) movingMeanGrad.offset(), mm);
            movingVarGrad.data().asNioFloat().put((int) movingVarGrad.offset(), mv);
            return gradIn;
        }

        @Override
        void close() {
            norm.close();
        }
    }

    /** A ReLU activation layer through {@link OneDnnRelu}; its backward pass works in place on the incoming gradient. */
    private static final class ReluStage extends Stage {
        private final long[] shape;
        private final OneDnnRelu relu;
        private final Slots slots = new Slots();
        private INDArray out;

        ReluStage(long[] shape) {
            this.shape = shape;
            this.relu = new OneDnnRelu(shape);
        }

        @Override
        INDArray forward(INDArray in, boolean training, int iteration, int epoch) {
            out = slots.get(in.size(0), b -> new INDArray[] {Nd4j.createUninitialized(DataType.FLOAT, withBatch(b, shape))})[0];
            relu.forward(in, out, training);
            return out;
        }

        @Override
        INDArray backward(INDArray eps, boolean needInput) {
            relu.backward(out, eps);
            return eps;
        }

        @Override
        void close() {
            relu.close();
        }
    }

    /** A linear activation layer: nothing to compute either way. */
    private static final class IdentityStage extends Stage {
        @Override
        INDArray forward(INDArray in, boolean training, int iteration, int epoch) {
            return in;
        }

        @Override
        INDArray backward(INDArray eps, boolean needInput) {
            return eps;
        }
    }

    /**
     * Keras's GlobalAveragePooling2D (DL4J's {@code GlobalPoolingLayer} AVG, dimensions collapsed): each channel's mean
     * over height and width, [batch, channels] out; backward, each output gradient divided by height times width
     * and spread over its channel's map.
     */
    private static final class GlobalAveragePoolStage extends Stage {
        private final long[] inShape;
        private final Slots slots = new Slots();
        private float[] heap = new float[0];

        GlobalAveragePoolStage(long[] inShape) {
            this.inShape = inShape;
        }

        @Override
        INDArray forward(INDArray in, boolean training, int iteration, int epoch) {
            long m = in.size(0);
            INDArray[] slot = slots.get(m, b -> new INDArray[] {Nd4j.createUninitialized(DataType.FLOAT, b, inShape[0]),
                    Nd4j.createUninitialized(DataType.FLOAT, withBatch(b, inShape))});
            int maps = (int) (m * inShape[0]);
            int area = (int) (inShape[1] * inShape[2]);
            if (heap.length < maps * area) {
                heap = new float[maps * area];
            }
            in.data().asNioFloat().get((int) in.offset(), heap, 0, maps * area);
            float[] means = new float[maps];
            for (int k = 0; k < maps; k++) {
                float sum = 0;
                for (int j = k * area, end = j + area; j < end; j++) {
                    sum += heap[j];
                }
                means[k] = sum / area;
            }
            slot[0].data().asNioFloat().put(0, means);
            return slot[0];
        }

        @Override
        INDArray backward(INDArray eps, boolean needInput) {
            long m = eps.size(0);
            INDArray gradIn = slots.get(m, b -> null)[1];
            int maps = (int) (m * inShape[0]);
            int area = (int) (inShape[1] * inShape[2]);
            float[] e = eps.reshape(maps).toFloatVector();
            for (int k = 0; k < maps; k++) {
                java.util.Arrays.fill(heap, k * area, (k + 1) * area, e[k] / area);
            }
            gradIn.data().asNioFloat().put(0, heap, 0, maps * area);
            return gradIn;
        }
    }
}
