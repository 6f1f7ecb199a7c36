package io.deepnets.engine;

import static io.deepnets.engine.TrainingStep.declined;

import io.deepnets.data.ImageSet;
import io.deepnets.engine.kernels.ActivationKind;
import io.deepnets.engine.kernels.OneDnnAdd;
import io.deepnets.engine.kernels.OneDnnBatchNorm;
import io.deepnets.engine.kernels.OneDnnConvolution;
import io.deepnets.engine.kernels.OneDnnInnerProduct;
import io.deepnets.engine.kernels.OneDnnMaxPooling;
import io.deepnets.engine.kernels.OneDnnPrimitives;
import io.deepnets.engine.kernels.OneDnnRelu;
import io.deepnets.engine.update.FlatUpdate;
import io.deepnets.eval.BatchPredictor;
import io.deepnets.model.KerasCategoricalCrossentropy;
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
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
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
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;

/**
 * The engine's training step for stacks and graphs, image networks and dense ones (convolution, depthwise too, zero
 * padding, batch normalisation, ReLU or linear activation layers, max, average and global average pooling, dropout,
 * dense, {@code add}, {@code concatenate}, softmax output; a frozen base below trainable layers) through oneDNN's own primitives,
 * each made once per layer and batch size ({@link OneDnnConvolution} with the ReLU fused, {@link OneDnnBatchNorm},
 * {@link OneDnnRelu}, {@link OneDnnMaxPooling} with its workspace, {@link OneDnnAdd}, {@link OneDnnInnerProduct}),
 * the activations in oneDNN's blocked layout wherever every stage around them takes it ({@link #chooseLayouts}) and a
 * ReLU computed by the batch norm or add before it ({@link #fuse}), on arrays allocated once per batch size;
 * DL4J's dropout ops in DL4J's order for the masks (the same random numbers on the same elements as DL4J's
 * {@code fit}); softmax and the cross-entropy on the host (plus DL4J's L1/L2 term); then the
 * {@link FlatUpdate} of whatever optimizer the network trains with.
 *
 * <p>Why: DL4J's layers wrap each op in workspace scopes, a copy of the pre-activation for the cache, a fresh
 * input-gradient array, permutes and validation, and libnd4j's ops under them build their oneDNN primitives anew on
 * every call. Measured with {@code bench --profile} (README, "Performance"), the MNIST CNN's step went from ~180 ms
 * through DL4J's {@code fit} to ~95 ms with libnd4j's ops called directly, and to ~50 ms with oneDNN's primitives
 * kept. The MLPs had a step of their own (one OpenBLAS sgemm per product on the parameter buffer, 2.8-3.3 ms a step);
 * here, on oneDNN's inner product with the activation as a post-op, they take 1.4-1.7 ms ({@code DenseNetworkStepTest}).
 * The arithmetic is DL4J's: the parameter and gradient arrays are the network's own views, and
 * {@code OneDnnTrainingStepTest} compares losses, parameters and updater state step by step with DL4J's {@code fit},
 * with DL4J's oneDNN helpers and without them (its built-in im2col convolution).
 */
final class OneDnnTrainingStep implements SelfTimedStep, BatchPredictor {
    static final String KIND = "deepnets-onednn";

    private final org.deeplearning4j.nn.api.Model net;
    private final List<Stage> stages;
    /** Each stage's inputs (stage indices; -1 is the network's input), in the order DL4J runs them. */
    private final int[][] sources;
    /** How many stages read each stage's output: where more than one, their gradients are summed. */
    private final int[] consumers;
    /** The backward pass's gradient arrays, shared by the stages (each lives only until the stage below has read it). */
    private final GradientBuffers gradients = new GradientBuffers();
    private final FlatUpdate update;
    private final int classes;
    /** The shape of one example's input: [channels, height, width], or [features] for a dense network. */
    private final long[] inputShape;
    private final Slots inputs = new Slots();
    /** The largest training batch so far, 0 before the first: validation runs in chunks of it. */
    private int largestBatch;
    /** Where the profiler counts this step's layer times; null unless profiled. */
    private LayerTimes times;
    /** Each stage's name (the layer's or, in a graph, the vertex's) and type, for profiles. */
    final List<String> names = new ArrayList<>();
    final List<String> types = new ArrayList<>();
    /** Each stage's output layout ("nchw", or oneDNN's blocked "nChw16c" or "nChw8c"), and for a fused ReLU where it is computed. */
    final List<String> layouts = new ArrayList<>();

    private OneDnnTrainingStep(org.deeplearning4j.nn.api.Model net, List<Stage> stages, List<int[]> sources, FlatUpdate update,
            int classes, long[] inputShape, List<String> names, List<String> types) {
        this.net = net;
        this.names.addAll(names);
        this.types.addAll(types);
        this.stages = stages;
        this.sources = sources.toArray(new int[0][]);
        this.consumers = new int[stages.size()];
        stages.forEach(s -> s.gradients = gradients);
        for (int[] in : this.sources) {
            for (int j : in) {
                if (j >= 0) {
                    consumers[j]++;
                }
            }
        }
        this.update = update;
        this.classes = classes;
        this.inputShape = inputShape;
        fuse();
        chooseLayouts();
    }

    /**
     * Work saved by looking at neighbours: a batch normalisation or an {@code add} whose output only a ReLU layer reads
     * computes that ReLU in its own pass (one pass over the activations fewer).
     */
    private void fuse() {
        boolean fusion = !"off".equals(System.getProperty(FUSION_SWITCH));
        for (int c = 0; c < stages.size(); c++) {
            if (fusion && stages.get(c) instanceof ReluStage r && r.shape.length == 3 && sources[c][0] >= 0 && consumers[sources[c][0]] == 1) {
                Stage before = stages.get(sources[c][0]);
                if (before instanceof BatchNormStage b) {
                    b.fusedRelu = true;
                    r.fused = true;
                } else if (before instanceof AddStage a) {
                    a.fusedRelu = true;
                    r.fused = true;
                }
            }
        }
    }

    /** The system property that, set to {@code off}, keeps a ReLU layer apart from the batch norm or add before it (for comparisons). */
    static final String FUSION_SWITCH = "deepnets.onednn.fuse";

    /** The step for {@code net}, or empty (with the reason told to {@code why}) for a network it does not compute. */
    static Optional<TrainingStep> forNetwork(MultiLayerNetwork net, int classes, Consumer<String> why) {
        return FlatUpdate.forNetwork(net, why).flatMap(u -> build(net, u, classes, why)).map(s -> s);
    }

    /**
     * The forward pass of this step as a predictor for {@code net} (validation, test evaluation), or empty for a
     * network it does not compute; the optimizer does not matter here.
     */
    static Optional<BatchPredictor> inferenceFor(MultiLayerNetwork net, int classes) {
        if (net.params() == null || net.params().dataType() != org.nd4j.linalg.api.buffer.DataType.FLOAT) {
            return Optional.empty();
        }
        if (net.getFlattenedGradients() == null) {
            net.initGradientsView();     // the stages hold the gradient views too; inference never writes them
        }
        return build(net, null, classes, r -> { }).map(s -> s);
    }

    private static Optional<OneDnnTrainingStep> build(MultiLayerNetwork net, FlatUpdate update, int classes, Consumer<String> why) {
        MultiLayerConfiguration conf = net.getLayerWiseConfigurations();
        long[] inputShape;
        if (conf.getInputPreProcess(0) instanceof FeedForwardToCnnPreProcessor in) {
            inputShape = new long[] {in.getNumChannels(), in.getInputHeight(), in.getInputWidth()};
        } else if (conf.getInputPreProcess(0) == null && conf.getConf(0).getLayer() instanceof org.deeplearning4j.nn.conf.layers.FeedForwardLayer ff) {
            inputShape = new long[] {ff.getNIn()};     // a dense network reads the flattened rows as they come
        } else {
            return declined(why, "layer 0: an input pre-processor other than DL4J's rows-to-images one");
        }
        Optional<String> noOneDnn = OneDnnPrimitives.unavailable();
        if (noOneDnn.isPresent()) {
            return declined(why, noOneDnn.get());
        }
        long[] shape = inputShape;
        List<Stage> stages = new ArrayList<>();
        List<int[]> inputs = new ArrayList<>();
        Layer[] layers = net.getLayers();
        for (int i = 0; i < layers.length; i++) {
            InputPreProcessor pre = conf.getInputPreProcess(i);
            if (i > 0 && pre != null) {
                if (!(pre instanceof CnnToFeedForwardPreProcessor f) || shape.length != 3 || f.getFormat() != CNN2DFormat.NCHW) {
                    return declined(why, "layer " + i + ": an input pre-processor other than one NCHW flatten");
                }
                shape = new long[] {shape[0] * shape[1] * shape[2]};
            }
            boolean last = i == layers.length - 1;
            Layer layer = layers[i];
            boolean frozen = layer instanceof org.deeplearning4j.nn.layers.FrozenLayer;
            if (layer instanceof org.deeplearning4j.nn.layers.FrozenLayerWithBackprop) {
                return declined(why, "layer " + i + ": a frozen layer that passes gradients on (FrozenLayerWithBackprop)");
            }
            if (frozen && i > 0 && !stages.get(i - 1).frozen) {
                return declined(why, "layer " + i + ": a frozen layer above a trainable one (only a frozen base at the bottom)");
            }
            int[] zeroPad = i > 0 && stages.get(i - 1) instanceof ZeroPadStage z ? z.padding : null;
            Optional<Stage> stage = layerStage(frozen ? ((org.deeplearning4j.nn.layers.FrozenLayer) layer).getUnderlying() : layer, "layer " + i, shape,
                    i == 0 || stages.get(i - 1).frozen, last, zeroPad, why);
            if (stage.isEmpty()) {
                return Optional.empty();
            }
            stage.get().frozen = frozen;
            stages.add(stage.get());
            inputs.add(new int[] {i - 1});
            shape = stage.get().outShape;
        }
        List<String> names = new ArrayList<>();
        List<String> types = new ArrayList<>();
        for (Layer l : layers) {
            names.add(l.conf().getLayer().getLayerName());
            types.add(l.conf().getLayer().getClass().getSimpleName());
        }
        return Optional.of(new OneDnnTrainingStep(net, stages, inputs, update, classes, inputShape, names, types));
    }

    /**
     * The step for a graph (DL4J's {@code ComputationGraph}): its layer vertices as the stack's stages, {@code add} and
     * {@code concatenate} as stages of their own, a flatten pre-processor vertex as a change of shape; run in DL4J's
     * topological order, the gradients of a vertex that feeds several others summed.
     */
    static Optional<TrainingStep> forGraph(org.deeplearning4j.nn.graph.ComputationGraph graph, long[] imageShape, int classes, Consumer<String> why) {
        return FlatUpdate.forNetwork(graph, why).flatMap(u -> buildGraph(graph, imageShape, u, classes, why)).map(s -> s);
    }

    /** The forward pass of this step as a predictor for a graph, or empty for a graph it does not compute. */
    static Optional<BatchPredictor> inferenceFor(org.deeplearning4j.nn.graph.ComputationGraph graph, long[] imageShape, int classes) {
        if (graph.params() == null || graph.params().dataType() != DataType.FLOAT) {
            return Optional.empty();
        }
        if (graph.getFlattenedGradients() == null) {
            graph.initGradientsView();
        }
        return buildGraph(graph, imageShape, null, classes, r -> { }).map(s -> s);
    }

    private static Optional<OneDnnTrainingStep> buildGraph(org.deeplearning4j.nn.graph.ComputationGraph graph, long[] imageShape,
            FlatUpdate update, int classes, Consumer<String> why) {
        if (imageShape == null || imageShape.length != 3 || graph.getNumInputArrays() != 1 || graph.getNumOutputArrays() != 1) {
            return declined(why, "not an image network with one input and one output");
        }
        Optional<String> noOneDnn = OneDnnPrimitives.unavailable();
        if (noOneDnn.isPresent()) {
            return declined(why, noOneDnn.get());
        }
        org.deeplearning4j.nn.graph.vertex.GraphVertex[] vertices = graph.getVertices();
        java.util.Map<Integer, Integer> node = new HashMap<>();      // vertex index -> stage index (the input: -1)
        java.util.Map<Integer, long[]> shapes = new HashMap<>();
        List<Stage> stages = new ArrayList<>();
        List<int[]> inputs = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<String> types = new ArrayList<>();
        int[] order = graph.topologicalSortOrder();
        for (int k = 0; k < order.length; k++) {
            org.deeplearning4j.nn.graph.vertex.GraphVertex v = vertices[order[k]];
            if (v.isInputVertex()) {
                node.put(v.getVertexIndex(), -1);
                shapes.put(v.getVertexIndex(), imageShape.clone());
                continue;
            }
            org.deeplearning4j.nn.graph.vertex.VertexIndices[] from = v.getInputVertices();
            int[] in = new int[from.length];
            long[][] inShapes = new long[from.length][];
            for (int j = 0; j < from.length; j++) {
                in[j] = node.get(from[j].getVertexIndex());
                inShapes[j] = shapes.get(from[j].getVertexIndex());
            }
            String where = "vertex " + v.getVertexName();
            org.deeplearning4j.nn.conf.graph.GraphVertex vc = graph.getConfiguration().getVertices().get(v.getVertexName());
            boolean frozen = false;
            if (vc instanceof org.deeplearning4j.nn.conf.graph.FrozenVertex fv) {
                vc = fv.getUnderlying();
                frozen = true;
            }
            Stage stage;
            if (v instanceof org.deeplearning4j.nn.graph.vertex.impl.LayerVertex lv) {
                long[] shape = inShapes[0];
                InputPreProcessor pre = lv.getLayerPreProcessor();
                if (pre != null) {
                    if (!(pre instanceof CnnToFeedForwardPreProcessor f) || shape.length != 3 || f.getFormat() != CNN2DFormat.NCHW) {
                        return declined(why, where + ": an input pre-processor other than one NCHW flatten");
                    }
                    shape = new long[] {shape[0] * shape[1] * shape[2]};
                }
                boolean last = k == order.length - 1;
                Layer layer = lv.getLayer();
                if (layer instanceof org.deeplearning4j.nn.layers.FrozenLayerWithBackprop) {
                    return declined(why, where + ": a frozen layer that passes gradients on (FrozenLayerWithBackprop)");
                }
                frozen = layer instanceof org.deeplearning4j.nn.layers.FrozenLayer;
                int[] zeroPad = in[0] >= 0 && stages.get(in[0]) instanceof ZeroPadStage z ? z.padding : null;
                Optional<Stage> s = layerStage(frozen ? ((org.deeplearning4j.nn.layers.FrozenLayer) layer).getUnderlying() : layer, where, shape,
                        in[0] < 0 || stages.get(in[0]).frozen, last, zeroPad, why);
                if (s.isEmpty()) {
                    return Optional.empty();
                }
                stage = s.get();
            } else if (vc instanceof org.deeplearning4j.nn.conf.graph.ElementWiseVertex e) {
                if (e.getOp() != org.deeplearning4j.nn.conf.graph.ElementWiseVertex.Op.Add || from.length != 2
                        || !java.util.Arrays.equals(inShapes[0], inShapes[1])) {
                    return declined(why, where + ": an element-wise vertex other than the sum of two inputs of one shape");
                }
                stage = new AddStage(inShapes[0]);
            } else if (vc instanceof org.deeplearning4j.nn.conf.graph.MergeVertex mv) {
                for (long[] sh : inShapes) {
                    if (sh.length != 3 || sh[1] != inShapes[0][1] || sh[2] != inShapes[0][2]) {
                        return declined(why, where + ": a merge other than maps of one size along the channels");
                    }
                }
                if (mv.getMergeAxis() != 1) {
                    return declined(why, where + ": a merge along an axis other than the channels");
                }
                stage = new ConcatStage(inShapes);
            } else if (vc instanceof org.deeplearning4j.nn.conf.graph.PreprocessorVertex pv && pv.getPreProcessor() instanceof CnnToFeedForwardPreProcessor f
                    && f.getFormat() == CNN2DFormat.NCHW && inShapes[0].length == 3) {
                stage = new IdentityStage(new long[] {inShapes[0][0] * inShapes[0][1] * inShapes[0][2]});
            } else {
                return declined(why, where + ": " + (vc == null ? v.getClass().getSimpleName() : vc.getClass().getSimpleName()) + " is not computed by this step");
            }
            node.put(v.getVertexIndex(), stages.size());
            shapes.put(v.getVertexIndex(), stage.outShape);
            if (frozen) {
                for (int j : in) {
                    if (j >= 0 && !stages.get(j).frozen) {
                        return declined(why, where + ": a frozen vertex reading a trainable one (only a frozen base at the bottom)");
                    }
                }
            }
            stage.frozen = frozen;
            stages.add(stage);
            inputs.add(in);
            names.add(v.getVertexName());
            types.add(v instanceof org.deeplearning4j.nn.graph.vertex.impl.LayerVertex lv ? lv.getLayer().conf().getLayer().getClass().getSimpleName()
                    : stage instanceof AddStage ? "Add" : stage instanceof ConcatStage ? "Concatenate" : "Flatten");
        }
        if (stages.isEmpty() || !(stages.get(stages.size() - 1) instanceof DenseStage d) || !d.output) {
            return declined(why, "the last vertex is not the output layer");
        }
        for (int j = 0; j < stages.size(); j++) {
            if (stages.get(j) instanceof ZeroPadStage) {
                // Its stage passes the unpadded maps on: the one convolution reading it pads them itself.
                int readers = 0;
                boolean byConvolution = true;
                for (int c = 0; c < inputs.size(); c++) {
                    for (int from : inputs.get(c)) {
                        if (from == j) {
                            readers++;
                            byConvolution &= stages.get(c) instanceof ConvStage;
                        }
                    }
                }
                if (readers != 1 || !byConvolution) {
                    return declined(why, "vertex " + names.get(j) + ": zero padding read by something other than one 'valid' convolution");
                }
            }
        }
        return Optional.of(new OneDnnTrainingStep(graph, stages, inputs, update, classes, imageShape.clone(), names, types));
    }

    /**
     * The stage of one DL4J layer with input {@code shape} ([c, h, w], or [n] after flatten or global pooling), or
     * empty with the reason ({@code where} names the layer). {@code first}: its input is the network's or a frozen layer's (no input
     * gradient); {@code last}: the network's output layer.
     */
    private static Optional<Stage> layerStage(Layer layer, String where, long[] shape, boolean first, boolean last, int[] zeroPad, Consumer<String> why) {
        org.deeplearning4j.nn.conf.layers.Layer lc = layer.conf().getLayer();
        boolean flat = shape.length == 1;
        if (zeroPad != null && !(lc instanceof ConvolutionLayer c && (lc.getClass() == ConvolutionLayer.class || lc.getClass() == DepthwiseConvolution2D.class)
                && (c.getConvolutionMode() == ConvolutionMode.Truncate || c.getConvolutionMode() == ConvolutionMode.Strict)
                && c.getPadding()[0] == 0 && c.getPadding()[1] == 0)) {
            return declined(why, where + ": zero padding read by something other than one 'valid' convolution");
        }
        if (lc instanceof org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer z && lc.getClass() == org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer.class
                && !flat) {
            if (z.getDataFormat() != CNN2DFormat.NCHW) {
                return declined(why, where + ": zero padding other than NCHW");
            }
            return Optional.of(new ZeroPadStage(z.getPadding(), shape));
        }
        if (last != (lc instanceof OutputLayer)) {
            return declined(why, "the last layer is not the output layer");
        }
        if (lc instanceof DropoutLayer d && lc.getClass() == DropoutLayer.class) {
            if (!(d.getIDropout() instanceof Dropout dropout) || d.getIDropout().getClass() != Dropout.class) {
                return declined(why, where + ": dropout other than plain (inverted) dropout");
            }
            return Optional.of(new DropoutStage(dropout, shape));
        }
        if (lc.getIDropout() != null) {
            return declined(why, where + ": dropout on a layer's input (only dropout layers are supported)");
        }
        if (lc instanceof DepthwiseConvolution2D d && lc.getClass() == DepthwiseConvolution2D.class && d.getDepthMultiplier() != 1) {
            return declined(why, where + ": a depthwise convolution with a depth multiplier other than 1");
        }
        if (lc instanceof ConvolutionLayer c && (lc.getClass() == ConvolutionLayer.class || lc.getClass() == DepthwiseConvolution2D.class) && !flat) {
            Optional<ActivationKind> kind = ActivationKind.of(c.getActivationFn());
            boolean valid = c.getConvolutionMode() == ConvolutionMode.Truncate || c.getConvolutionMode() == ConvolutionMode.Strict;
            if (kind.isEmpty() || c.getDilation()[0] != 1 || c.getDilation()[1] != 1 || c.getCnn2dDataFormat() != CNN2DFormat.NCHW
                    || !valid && c.getConvolutionMode() != ConvolutionMode.Same || valid && (c.getPadding()[0] != 0 || c.getPadding()[1] != 0)) {
                return declined(why, where + ": a convolution other than NCHW, undilated, 'valid' or 'same', with ReLU, tanh, sigmoid or none");
            }
            if (zeroPad != null) {
                long[] k = {c.getKernelSize()[0], c.getKernelSize()[1]};
                long[] st = {c.getStride()[0], c.getStride()[1]};
                for (int d = 0; d < 2; d++) {
                    long out = (shape[1 + d] - k[d]) / st[d] + 1;
                    if ((out - 1) * st[d] + k[d] < shape[1 + d] - zeroPad[2 * d + 1]) {
                        return declined(why, where + ": zero padding whose last rows or columns the convolution does not reach");
                    }
                }
            }
            return Optional.of(new ConvStage(layer, c, shape, kind.get(), first, zeroPad));
        }
        if (lc instanceof BatchNormalization b && lc.getClass() == BatchNormalization.class && !flat) {
            if (b.isLockGammaBeta() || b.isUseLogStd() || b.getCnn2DFormat() != CNN2DFormat.NCHW || !b.isMinibatch()) {
                return declined(why, where + ": batch normalisation other than NCHW with trained gamma and beta and the variance kept");
            }
            return Optional.of(new BatchNormStage(layer, b, shape));
        }
        if (lc instanceof ActivationLayer a && lc.getClass() == ActivationLayer.class) {
            Optional<ActivationKind> kind = ActivationKind.of(a.getActivationFn());
            if (kind.isEmpty() || kind.get() != ActivationKind.RELU && kind.get() != ActivationKind.IDENTITY) {
                return declined(why, where + ": an activation layer other than ReLU or linear");
            }
            return Optional.of(kind.get() == ActivationKind.RELU ? new ReluStage(shape) : new IdentityStage(shape));
        }
        if (lc instanceof GlobalPoolingLayer g && lc.getClass() == GlobalPoolingLayer.class && !flat) {
            if (g.getPoolingType() != PoolingType.AVG || !g.isCollapseDimensions() || g.getPoolingDimensions() != null
                    && !java.util.Arrays.equals(g.getPoolingDimensions(), new int[] {2, 3})) {
                return declined(why, where + ": global pooling other than the average over height and width");
            }
            return Optional.of(new GlobalAveragePoolStage(shape));
        }
        if (lc instanceof SubsamplingLayer p && lc.getClass() == SubsamplingLayer.class && !flat) {
            boolean valid = p.getConvolutionMode() == ConvolutionMode.Truncate || p.getConvolutionMode() == ConvolutionMode.Strict;
            boolean average = p.getPoolingType() == PoolingType.AVG && !p.isAvgPoolIncludePadInDivisor();
            if (p.getPoolingType() != PoolingType.MAX && !average || p.getDilation()[0] != 1 || p.getDilation()[1] != 1
                    || p.getCnn2dDataFormat() != CNN2DFormat.NCHW || !valid && p.getConvolutionMode() != ConvolutionMode.Same
                    || p.getPadding()[0] != 0 || p.getPadding()[1] != 0) {
                return declined(why, where + ": pooling other than NCHW max or average pooling (padding outside the divisor) with 'valid' or 'same' padding");
            }
            return Optional.of(new MaxPoolStage(p, shape));
        }
        if (flat && (lc.getClass() == DenseLayer.class || lc.getClass() == OutputLayer.class)) {
            org.deeplearning4j.nn.conf.layers.FeedForwardLayer ff = (org.deeplearning4j.nn.conf.layers.FeedForwardLayer) lc;
            long nIn = shape[0];
            if (ff.getNIn() != nIn) {
                return declined(why, where + ": input size " + ff.getNIn() + " where " + nIn + " arrive");
            }
            if (last) {
                OutputLayer o = (OutputLayer) lc;
                boolean plain = o.getLossFn() != null && o.getLossFn().getClass() == LossMCXENT.class && ((LossMCXENT) o.getLossFn()).getWeights() == null;
                if (!(o.getActivationFn() instanceof ActivationSoftmax) || !(plain || o.getLossFn() instanceof KerasCategoricalCrossentropy)
                        || !o.hasBias()) {
                    return declined(why, "the output layer is not softmax with unweighted cross-entropy");
                }
                return Optional.of(new DenseStage(layer, nIn, ff.getNOut(), ActivationKind.IDENTITY, true,
                        KerasCategoricalCrossentropy.smoothingOf(o.getLossFn())));
            }
            Optional<ActivationKind> kind = ActivationKind.of(ff.getActivationFn());
            if (kind.isEmpty() || !((DenseLayer) lc).hasBias() || ((DenseLayer) lc).hasLayerNorm()) {
                return declined(why, where + ": a dense layer other than biased, with ReLU, tanh, sigmoid or none");
            }
            return Optional.of(new DenseStage(layer, nIn, ff.getNOut(), kind.get(), false));
        }
        return declined(why, where + ": " + lc.getClass().getSimpleName() + (flat ? " after flatten" : "") + " is not computed by this step");
    }

    @Override
    public Outcome fit(ImageSet set, int[] order, int from, int to) {
        int m = to - from;
        INDArray x = batch(set, order, from, to);
        int iteration = BaseOptimizer.getIterationCount(net);
        int epoch = BaseOptimizer.getEpochCount(net);
        LayerTimes t = times;
        int n = stages.size();
        INDArray[] outs = forward(x, true, iteration, epoch, t);
        long t0 = t == null ? 0 : System.nanoTime();
        Outcome outcome = ((DenseStage) stages.get(n - 1)).softmaxLossAndDelta(labels(set, order, from, to));
        double regularization = update.regularizationScore();
        if (regularization != 0) {
            // DL4J's score adds the regularisation term of the parameters the forward pass used (Keras's loss too).
            outcome = new Outcome(outcome.loss() + regularization, outcome.correct());
        }
        if (t != null) {
            t.forward[n - 1] += System.nanoTime() - t0;
        }
        INDArray[] grads = new INDArray[n];
        int[] received = new int[n];
        for (int i = n - 1; i >= 0; i--) {
            if (i < n - 1 && grads[i] == null || stages.get(i).frozen) {
                continue;       // frozen, or nothing below the network's output depends on it
            }
            t0 = t == null ? 0 : System.nanoTime();
            int[] in = sources[i];
            boolean[] need = new boolean[in.length];
            for (int k = 0; k < in.length; k++) {
                need[k] = in[k] >= 0 && !stages.get(in[k]).frozen;
            }
            INDArray eps = grads[i];
            if (eps != null && stages.get(i).writesGradientInPlace() && sharedWithPending(grads, i)) {
                // Copy on write: a sum still to be completed (or another stage's gradient) reads this buffer too.
                eps = gradients.take(eps.shape()).assign(eps);
            }
            INDArray[] gradIn = stages.get(i).backwardAll(eps, need);
            if (t != null) {
                t.backward[i] += System.nanoTime() - t0;
            }
            for (int k = 0; k < in.length; k++) {
                int j = in[k];
                if (!need[k]) {
                    continue;       // the network's input, or a frozen stage's output
                }
                if (consumers[j] == 1) {
                    grads[j] = gradIn[k];
                } else if (received[j]++ == 0) {
                    // A stage read by several: its gradient is the sum. The first contribution is held as it is (a
                    // stage that would change it in place before the sum is made gets a copy, above); the second
                    // makes the sum in a buffer of its own, one pass where a copy then an add were two.
                    grads[j] = gradIn[k];
                } else if (received[j] == 2) {
                    INDArray sum = gradients.take(grads[j].shape());
                    Nd4j.getExecutioner().exec(new org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp(grads[j], gradIn[k], sum));
                    grads[j] = sum;
                } else {
                    grads[j].addi(gradIn[k]);
                }
            }
            grads[i] = null;
            gradients.releaseAllBut(grads, i);
        }
        t0 = t == null ? 0 : System.nanoTime();
        update.apply(m);
        if (t != null) {
            t.update += System.nanoTime() - t0;
        }
        return outcome;
    }

    /**
     * The training-mode forward pass of {@link #fit} alone: each batch normalisation normalises by the batch's own
     * statistics, which are returned; no gradient is taken and no weight or moving statistic changes.
     */
    @Override
    public Optional<List<BatchStatistics>> batchNormStatistics(ImageSet set, int[] order, int from, int to) {
        INDArray x = batch(set, order, from, to);
        forward(x, true, BaseOptimizer.getIterationCount(net), BaseOptimizer.getEpochCount(net), null);
        List<BatchStatistics> out = new ArrayList<>();
        for (Stage stage : stages) {
            if (stage instanceof BatchNormStage bn && !bn.frozen) {
                out.add(new BatchStatistics(bn.layer, bn.batchMean.toFloatVector(), bn.batchVar.toFloatVector()));
            }
        }
        return Optional.of(out);
    }

    /** Rows {@code order[from..to)} of {@code set} copied into the input array for their batch size. */
    private INDArray batch(ImageSet set, int[] order, int from, int to) {
        int m = to - from;
        largestBatch = Math.max(largestBatch, m);
        INDArray x = input(m);
        int size = set.featureSize();
        java.nio.FloatBuffer rows = x.data().asNioFloat();
        for (int r = 0; r < m; r++) {
            rows.put(r * size, set.features(), order[from + r] * size, size);
        }
        return x;
    }

    /** Whether a gradient not yet used, other than stage {@code i}'s own, lives in stage {@code i}'s gradient buffer. */
    private static boolean sharedWithPending(INDArray[] grads, int i) {
        long address = grads[i].data().address();
        for (int j = 0; j < i; j++) {
            if (grads[j] != null && grads[j].data().address() == address) {
                return true;
            }
        }
        return false;
    }

    /** Every stage's output for input {@code x}, in order (timed into {@code t}'s first row when profiling). */
    private INDArray[] forward(INDArray x, boolean training, int iteration, int epoch, LayerTimes t) {
        int n = stages.size();
        INDArray[] outs = new INDArray[n];
        for (int i = 0; i < n; i++) {
            int[] in = sources[i];
            INDArray[] args = new INDArray[in.length];
            for (int k = 0; k < in.length; k++) {
                args[k] = in[k] < 0 ? x : outs[in[k]];
            }
            long t0 = t == null ? 0 : System.nanoTime();
            outs[i] = stages.get(i).forwardAll(args, training && !stages.get(i).frozen, iteration, epoch);
            if (t != null) {
                t.forward[i] += System.nanoTime() - t0;
                t.shapes[i] = i == n - 1 ? "[loss]" : java.util.Arrays.toString(outs[i].shape()) + (outs[i].rank() == 4 ? " " + layouts.get(i) : "");
            }
        }
        return outs;
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
        return inputs.get(m, b -> new INDArray[] {Nd4j.createUninitialized(DataType.FLOAT, withBatch(b, inputShape))})[0];
    }

    @Override
    public List<String> layerNames() {
        return names;
    }

    @Override
    public List<String> layerTypes() {
        return types;
    }

    @Override
    public void timeLayers(LayerTimes times) {
        this.times = times;
    }

    @Override
    public float[] probabilities(ImageSet set, int from, int to) {
        int size = set.featureSize();
        float[] result = new float[(to - from) * classes];
        // In chunks of the training batch: the stages' arrays for it are there already (a larger chunk would make a
        // second, larger set of every stage's arrays).
        int maxBatch = largestBatch > 0 ? largestBatch : 256;
        for (int start = from; start < to; start += maxBatch) {
            int m = Math.min(maxBatch, to - start);
            INDArray x = input(m);
            x.data().asNioFloat().put(0, set.features(), start * size, m * size);
            forward(x, false, 0, 0, null);
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
        stages.forEach(Stage::releaseArrays);
        inputs.release();
        gradients.close();
    }

    /** One layer's forward and backward computation on arrays kept per batch size. */
    private abstract static class Stage {
        /** The output's shape per example. */
        long[] outShape;
        /**
         * Part of a frozen base (DL4J's {@code FrozenLayer} or {@code FrozenVertex}, Keras's {@code trainable=False}
         * called with {@code training=False}): run in inference mode (batch norm on its moving statistics, no
         * dropout), never run backward (no gradient for its parameters, none below it); its parameters keep their
         * values because DL4J gives them the no-op updater and a gradient nobody writes.
         */
        boolean frozen;

        /** Forward from {@code in} (training: dropout on, the input kept for the backward pass; iteration and epoch for a scheduled dropout rate). */
        abstract INDArray forward(INDArray in, boolean training, int iteration, int epoch);

        /** Backward from the gradient at the output; returns the gradient at the input when {@code needInput}. */
        abstract INDArray backward(INDArray eps, boolean needInput);

        /** Forward from the stage's inputs (one, but for the merges). */
        INDArray forwardAll(INDArray[] in, boolean training, int iteration, int epoch) {
            return forward(in[0], training, iteration, epoch);
        }

        /** Backward to each input ({@code need[k]}: whether input k wants its gradient). */
        INDArray[] backwardAll(INDArray eps, boolean[] need) {
            return new INDArray[] {backward(eps, need[0])};
        }

        /**
         * Whether the backward pass changes the incoming gradient in place (a ReLU's backward pass on it, a dropout
         * mask); the step then hands it a copy where another pending gradient shares the buffer. True unless a stage
         * knows better.
         */
        boolean writesGradientInPlace() {
            return true;
        }

        /** How the layouts of this stage's inputs and output relate (the default: all plain). */
        LayoutRule layoutRule() {
            return LayoutRule.PLAIN;
        }

        /**
         * The layouts chosen for its inputs ({@code inTags}) and output ({@code outTag}), oneDNN format tags, told once
         * before the first forward pass (a stage with oneDNN primitives makes them for these layouts).
         */
        void layouts(int[] inTags, int outTag) {
        }

        private final java.util.List<Slots> arrays = new java.util.ArrayList<>();
        /** Where the backward pass's gradient arrays come from (set by the step). */
        GradientBuffers gradients;

        /** Arrays kept per batch size, freed with the step. */
        final Slots newSlots() {
            Slots slots = new Slots();
            arrays.add(slots);
            return slots;
        }

        final void releaseArrays() {
            arrays.forEach(Slots::release);
        }

        /** Frees native resources the stage holds beyond ND4J's arrays. */
        void close() {
        }
    }

    /**
     * How a stage's layouts are tied: {@code FREE} (a convolution: its primitives take each layout as it comes),
     * {@code SAME} (inputs and output in one layout: element-wise and per-channel stages, pooling, the merges),
     * {@code PLAIN} (NCHW in and out: dropout, whose masks are DL4J's element for element, and dense layers reading a
     * flattened map in NCHW order), {@code ANY_IN} (global pooling: any input, a flat output).
     */
    private enum LayoutRule { FREE, SAME, PLAIN, ANY_IN }

    /**
     * Chooses each activation's layout: oneDNN's blocked one ({@link OneDnnPrimitives#blocked()}) wherever every
     * stage that writes or reads it can work on it, so that a convolution, its batch normalisation, ReLU, the residual
     * add and the next convolution pass their activations on without the reorders (a pass over the data each way)
     * that NCHW between layers costs, and batch normalisation runs oneDNN's JIT kernel instead of its generic one.
     * Activations tied by a {@code SAME} stage form one group (union-find); a group is blocked when each of its
     * activations has a multiple of the block's channels and no {@code PLAIN} stage touches it. The network's input
     * stays NCHW.
     */
    private void chooseLayouts() {
        int n = stages.size();
        Optional<OneDnnPrimitives.Blocked> blocked = OneDnnPrimitives.blocked();
        int plain = org.bytedeco.dnnl.global.dnnl.dnnl_nchw;
        int[] group = new int[n + 1];           // activation n: the network's input
        for (int i = 0; i <= n; i++) {
            group[i] = i;
        }
        boolean[] eligible = new boolean[n + 1];
        for (int i = 0; i < n; i++) {
            eligible[i] = blocked.isPresent() && blocked.get().fits(stages.get(i).outShape);
        }
        for (int i = 0; i < n; i++) {
            LayoutRule rule = stages.get(i).layoutRule();
            for (int j : sources[i]) {
                int a = j < 0 ? n : j;
                if (rule == LayoutRule.SAME) {
                    group[root(group, a)] = root(group, i);
                } else if (rule == LayoutRule.PLAIN) {
                    eligible[a] = false;
                }
            }
            if (rule == LayoutRule.PLAIN || rule == LayoutRule.ANY_IN) {
                eligible[i] = false;
            }
        }
        boolean[] groupBlocked = new boolean[n + 1];
        java.util.Arrays.fill(groupBlocked, true);
        for (int i = 0; i <= n; i++) {
            groupBlocked[root(group, i)] &= eligible[i];
        }
        for (int i = 0; i < n; i++) {
            int[] in = new int[sources[i].length];
            for (int k = 0; k < in.length; k++) {
                int a = sources[i][k] < 0 ? n : sources[i][k];
                in[k] = groupBlocked[root(group, a)] ? blocked.get().tag() : plain;
            }
            boolean outBlocked = groupBlocked[root(group, i)];
            stages.get(i).layouts(in, outBlocked ? blocked.get().tag() : plain);
            String layout = outBlocked ? "nChw" + blocked.get().channels() + "c" : "nchw";
            if (stages.get(i) instanceof ReluStage r && r.fused) {
                layout += ", in " + names.get(sources[i][0]);
            }
            layouts.add(layout);
        }
    }

    private static int root(int[] group, int i) {
        while (group[i] != i) {
            group[i] = group[group[i]];
            i = group[i];
        }
        return i;
    }

    /** The channel block of a blocked layout tag, 1 for NCHW. */
    private static int channelBlock(int tag) {
        return OneDnnPrimitives.blocked().filter(b -> b.tag() == tag).map(OneDnnPrimitives.Blocked::channels).orElse(1);
    }

    /**
     * The arrays of one stage, made on first use for the largest batch asked for so far; a smaller batch (an epoch's
     * last, a validation set's remainder) gets views of their first rows, so that each stage holds one set of arrays
     * whatever the batch sizes. Every array has the batch first, and its first rows are one contiguous block in NCHW
     * and in the blocked layouts alike (the batch is their outermost dimension).
     */
    private static final class Slots {
        private INDArray[] full;
        private final Map<Long, INDArray[]> views = new HashMap<>();

        INDArray[] get(long batch, java.util.function.LongFunction<INDArray[]> make) {
            if (full == null || batch > full[0].size(0)) {
                release();
                full = make.apply(batch);
                views.put(batch, full);
            }
            return views.computeIfAbsent(batch, b -> {
                INDArray[] v = new INDArray[full.length];
                for (int k = 0; k < v.length; k++) {
                    v[k] = full[k].get(NDArrayIndex.interval(0, b));
                }
                return v;
            });
        }

        /** Frees the native memory now rather than when Java's collector gets to the arrays. */
        void release() {
            if (full != null) {
                OneDnnPrimitives.free(java.util.Arrays.asList(full));
            }
            full = null;
            views.clear();
        }
    }

    /**
     * The gradient arrays of a backward pass. A stage's input gradient lives only until the stage below it has read
     * it (or it has been added into a sum), so the arrays are handed out from a shared pool and taken back after each
     * stage: a chain of layers needs two or three at a time, a residual network a few more, where an array per stage
     * (as the stages' outputs have) doubled the memory of training (PyTorch's autograd frees them the same way). Each
     * is a view of the smallest free buffer that holds it, so one pool serves every batch size.
     */
    private static final class GradientBuffers {
        private final List<INDArray> free = new ArrayList<>();
        /** The buffers handed out, by their data's address (every view of one shares it). */
        private final Map<Long, INDArray> inUse = new HashMap<>();
        private final List<INDArray> all = new ArrayList<>();

        INDArray take(long[] shape) {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            INDArray best = null;
            for (INDArray f : free) {
                if (f.length() >= n && (best == null || f.length() < best.length())) {
                    best = f;
                }
            }
            if (best == null) {
                best = Nd4j.createUninitialized(DataType.FLOAT, n);
                all.add(best);
            } else {
                free.remove(best);
            }
            inUse.put(best.data().address(), best);
            return Nd4j.create(best.data(), shape, Nd4j.getStrides(shape, 'c'), 0, 'c');
        }

        /** Takes back every buffer handed out that none of {@code pending[0..below)} (gradients not yet used) shares. */
        void releaseAllBut(INDArray[] pending, int below) {
            if (inUse.isEmpty()) {
                return;
            }
            java.util.Set<Long> live = new java.util.HashSet<>();
            for (int j = 0; j < below; j++) {
                if (pending[j] != null) {
                    live.add(pending[j].data().address());
                }
            }
            for (java.util.Iterator<Map.Entry<Long, INDArray>> it = inUse.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<Long, INDArray> e = it.next();
                if (!live.contains(e.getKey())) {
                    free.add(e.getValue());
                    it.remove();
                }
            }
        }

        void close() {
            OneDnnPrimitives.free(all);
            all.clear();
            free.clear();
            inUse.clear();
        }
    }

    /**
     * The layer's view of the network's flattened gradient; a frozen layer has none (DL4J gives it no gradient), so
     * an array of its own that its stage, never run backward, does not write either.
     */
    private static INDArray gradientView(Layer layer) {
        INDArray view = layer.getGradientsViewArray();
        return view != null ? view : Nd4j.zeros(DataType.FLOAT, 1, Math.max(1, layer.numParams()));
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
        private final long[] inShape;
        private final INDArray weights;
        private final INDArray bias;
        private final INDArray weightGrad;
        private final INDArray biasGrad;
        /** Made by {@link #layouts} for the layouts chosen. */
        private OneDnnConvolution convolution;
        /** Builds the convolution for the input and output layouts chosen. */
        private final java.util.function.BiFunction<Integer, Integer, OneDnnConvolution> make;
        private final Slots slots = newSlots();
        private INDArray input;
        private INDArray[] slot;

        /**
         * {@code zeroPad}: the [top, bottom, left, right] rows and columns of a zero-padding layer just before it
         * (whose stage passes its input on unpadded), computed here as the convolution's own padding; else null.
         */
        ConvStage(Layer layer, ConvolutionLayer c, long[] paddedShape, ActivationKind activation, boolean first, int[] zeroPad) {
            long[] inShape = zeroPad == null ? paddedShape
                    : new long[] {paddedShape[0], paddedShape[1] - zeroPad[0] - zeroPad[1], paddedShape[2] - zeroPad[2] - zeroPad[3]};
            this.inShape = inShape;
            boolean depthwise = c instanceof DepthwiseConvolution2D;
            Map<String, INDArray> grads = (depthwise ? org.deeplearning4j.nn.params.DepthwiseConvolutionParamInitializer.getInstance()
                    : ConvolutionParamInitializer.getInstance()).getGradientsFromFlattened(layer.conf(), gradientView(layer));
            this.weights = layer.getParam(ConvolutionParamInitializer.WEIGHT_KEY);
            boolean hasBias = c.hasBias();
            this.bias = hasBias ? layer.getParam(ConvolutionParamInitializer.BIAS_KEY).reshape(c.getNOut()) : null;
            this.weightGrad = grads.get(ConvolutionParamInitializer.WEIGHT_KEY);
            this.biasGrad = hasBias ? grads.get(ConvolutionParamInitializer.BIAS_KEY).reshape(c.getNOut()) : null;
            int[] kernel = c.getKernelSize();
            int[] stride = c.getStride();
            boolean same = c.getConvolutionMode() == ConvolutionMode.Same;
            long oH = same ? (paddedShape[1] + stride[0] - 1) / stride[0] : (paddedShape[1] - kernel[0]) / stride[0] + 1;
            long oW = same ? (paddedShape[2] + stride[1] - 1) / stride[1] : (paddedShape[2] - kernel[1]) / stride[1] + 1;
            this.outShape = new long[] {c.getNOut(), oH, oW};
            // DL4J's 'same' (ConvolutionUtils.getSameModeTopLeftPadding): half the missing rows/columns before, the rest after.
            int[] pad = same ? new int[] {(int) (((oH - 1) * stride[0] + kernel[0] - inShape[1]) / 2), (int) (((oW - 1) * stride[1] + kernel[1] - inShape[2]) / 2)}
                    : zeroPad != null ? new int[] {zeroPad[0], zeroPad[2]} : new int[] {0, 0};
            this.make = (srcTag, dstTag) -> new OneDnnConvolution(inShape, outShape, kernel, stride, pad, activation, !first, hasBias, srcTag, dstTag,
                    depthwise);
            this.activated = activation != ActivationKind.IDENTITY;
        }

        /** Whether a ReLU (or other activation) is computed in the convolution, its backward pass in place on the gradient. */
        private final boolean activated;

        @Override
        boolean writesGradientInPlace() {
            return activated;
        }

        @Override
        LayoutRule layoutRule() {
            return LayoutRule.FREE;
        }

        @Override
        void layouts(int[] inTags, int outTag) {
            convolution = make.apply(inTags[0], outTag);
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
            INDArray gradIn = needInput ? gradients.take(withBatch(input.size(0), inShape)) : null;
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
        private final long[] inShape;
        /** Made by {@link #layouts} for the layouts chosen. */
        private OneDnnMaxPooling pooling;
        private final java.util.function.IntFunction<OneDnnMaxPooling> make;
        private final Slots slots = newSlots();
        private INDArray[] slot;

        MaxPoolStage(SubsamplingLayer p, long[] inShape) {
            this.inShape = inShape;
            int[] kernel = p.getKernelSize();
            int[] stride = p.getStride();
            boolean same = p.getConvolutionMode() == ConvolutionMode.Same;
            long oH = same ? (inShape[1] + stride[0] - 1) / stride[0] : (inShape[1] - kernel[0]) / stride[0] + 1;
            long oW = same ? (inShape[2] + stride[1] - 1) / stride[1] : (inShape[2] - kernel[1]) / stride[1] + 1;
            this.outShape = new long[] {inShape[0], oH, oW};
            // DL4J's 'same' (ConvolutionUtils.getSameModeTopLeftPadding): half the missing rows/columns before, the rest after.
            int[] pad = same ? new int[] {(int) Math.max(0, ((oH - 1) * stride[0] + kernel[0] - inShape[1]) / 2),
                (int) Math.max(0, ((oW - 1) * stride[1] + kernel[1] - inShape[2]) / 2)} : new int[] {0, 0};
            boolean average = p.getPoolingType() == PoolingType.AVG;
            this.make = tag -> new OneDnnMaxPooling(inShape, outShape, kernel, stride, pad, average, tag);
        }

        @Override
        LayoutRule layoutRule() {
            return LayoutRule.SAME;
        }

        @Override
        void layouts(int[] inTags, int outTag) {
            pooling = make.apply(outTag);
        }

        @Override
        boolean writesGradientInPlace() {
            return false;
        }

        @Override
        INDArray forward(INDArray in, boolean training, int iteration, int epoch) {
            slot = slots.get(in.size(0), b -> new INDArray[] {Nd4j.createUninitialized(DataType.FLOAT, withBatch(b, outShape))});
            pooling.forward(in, slot[0], training);
            return slot[0];
        }

        @Override
        INDArray backward(INDArray eps, boolean needInput) {
            INDArray gradIn = gradients.take(withBatch(eps.size(0), inShape));
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
        private final Slots slots = newSlots();
        private INDArray[] slot;

        DropoutStage(Dropout dropout, long[] shape) {
            this.dropout = dropout;
            this.outShape = shape;
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
        /** The output layer's Keras label smoothing s; 0 for plain cross-entropy and for hidden layers. */
        private final double labelSmoothing;
        private final OneDnnInnerProduct product;
        private final Slots slots = newSlots();
        private INDArray input;
        private long[] inputShape;
        private INDArray[] slot;

        DenseStage(Layer layer, long nIn, long nOut, ActivationKind activation, boolean output) {
            this(layer, nIn, nOut, activation, output, 0.0);
        }

        DenseStage(Layer layer, long nIn, long nOut, ActivationKind activation, boolean output, double labelSmoothing) {
            this.labelSmoothing = labelSmoothing;
            Map<String, INDArray> grads = DefaultParamInitializer.getInstance().getGradientsFromFlattened(layer.conf(), gradientView(layer));
            this.weights = layer.getParam(DefaultParamInitializer.WEIGHT_KEY);
            this.bias = layer.getParam(DefaultParamInitializer.BIAS_KEY);
            this.weightGrad = grads.get(DefaultParamInitializer.WEIGHT_KEY);
            this.biasGrad = grads.get(DefaultParamInitializer.BIAS_KEY);
            this.nIn = nIn;
            this.nOut = nOut;
            this.output = output;
            this.outShape = new long[] {nOut};
            this.product = new OneDnnInnerProduct(nIn, nOut, activation, true);
        }

        @Override
        INDArray forward(INDArray in, boolean training, int iteration, int epoch) {
            long m = in.size(0);
            inputShape = in.shape();
            input = in;
            slot = slots.get(m, b -> new INDArray[] {Nd4j.createUninitialized(DataType.FLOAT, b, nOut), Nd4j.createUninitialized(DataType.FLOAT, b, nOut)});
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
         * clipped at 1e-10 before the log), the argmax hits, and {@code softmax - y} as this layer's output gradient: y
         * the one-hot label or, with Keras's label smoothing s, {@link KerasCategoricalCrossentropy}'s float labels
         * {@code (float) (1 - s) + (float) (s / K)} for the label and {@code (float) (s / K)} elsewhere.
         */
        Outcome softmaxLossAndDelta(int[] labels) {
            int m = labels.length;
            int k = (int) nOut;
            float[] p = softmax(m);
            double loss = 0;
            int correct = 0;
            // Without smoothing y is exactly the one-hot label (on = 1, off = 0): the terms and subtractions of 0 are skipped.
            float off = (float) (labelSmoothing / k);
            float on = (float) (1 - labelSmoothing) + off;
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
                for (int j = 0; j < k; j++) {
                    float y = j == labels[r] ? on : off;
                    if (y != 0f) {
                        loss -= y * Math.log(Math.min(Math.max(p[r * k + j], 1e-10), 1.0 - 1e-10));
                        p[r * k + j] -= y;
                    }
                }
            }
            slot[1].data().asNioFloat().put(0, p);
            return new Outcome(loss / m, correct);
        }

        @Override
        INDArray backward(INDArray eps, boolean needInput) {
            INDArray gradIn = needInput ? gradients.take(new long[] {input.size(0), nIn}) : null;
            product.backward(input, weights, slot[0], output ? slot[1] : eps, weightGrad, biasGrad, gradIn);
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
        private final Layer layer;
        private final INDArray batchMean;
        private final INDArray batchVar;
        private final float keep;
        private final double epsilon;
        /** Made by {@link #layouts} for the layouts chosen. */
        private OneDnnBatchNorm norm;
        private final Slots slots = newSlots();
        private INDArray input;

        BatchNormStage(Layer layer, BatchNormalization conf, long[] shape) {
            this.layer = layer;
            this.shape = shape;
            Map<String, INDArray> grads = org.deeplearning4j.nn.params.BatchNormalizationParamInitializer.getInstance()
                    .getGradientsFromFlattened(layer.conf(), gradientView(layer));
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
            this.epsilon = conf.getEps();
            this.outShape = shape;
        }

        @Override
        LayoutRule layoutRule() {
            return LayoutRule.SAME;
        }

        /** Whether the ReLU stage that alone reads this one's output is computed here, in the same pass. */
        boolean fusedRelu;

        @Override
        void layouts(int[] inTags, int outTag) {
            norm = new OneDnnBatchNorm(shape, epsilon, outTag, fusedRelu);
        }

        @Override
        boolean writesGradientInPlace() {
            return false;       // oneDNN's backward pass reads diff_dst (a fused ReLU through its workspace)
        }

        @Override
        INDArray forward(INDArray in, boolean training, int iteration, int epoch) {
            INDArray[] slot = slots.get(in.size(0), b -> new INDArray[] {Nd4j.createUninitialized(DataType.FLOAT, withBatch(b, shape))});
            input = in;
            norm.forward(in, gamma, beta, training ? batchMean : movingMean, training ? batchVar : movingVar, slot[0], training);
            return slot[0];
        }

        @Override
        INDArray backward(INDArray eps, boolean needInput) {
            INDArray gradIn = gradients.take(withBatch(input.size(0), shape));
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
        private OneDnnRelu relu;
        private final Slots slots = newSlots();
        private INDArray out;

        ReluStage(long[] shape) {
            this.shape = shape;
            this.outShape = shape;
        }

        @Override
        LayoutRule layoutRule() {
            return LayoutRule.SAME;
        }

        @Override
        void layouts(int[] inTags, int outTag) {
            relu = shape.length == 3 ? new OneDnnRelu(shape, outTag) : new OneDnnRelu(shape);
        }

        /** Whether the batch normalisation or the add before it computes this ReLU (then it passes its input and gradient on). */
        boolean fused;

        @Override
        INDArray forward(INDArray in, boolean training, int iteration, int epoch) {
            if (fused) {
                return in;
            }
            out = slots.get(in.size(0), b -> new INDArray[] {Nd4j.createUninitialized(DataType.FLOAT, withBatch(b, shape))})[0];
            relu.forward(in, out, training);
            return out;
        }

        @Override
        INDArray backward(INDArray eps, boolean needInput) {
            if (!fused) {
                relu.backward(out, eps);
            }
            return eps;
        }

        @Override
        boolean writesGradientInPlace() {
            return !fused;
        }

        @Override
        void close() {
            relu.close();
        }
    }

    /**
     * Keras's {@code ZeroPadding2D} (DL4J's {@code ZeroPaddingLayer}) before a 'valid' convolution, which computes the
     * padding as its own (oneDNN pads with zeros, as the layer does): this stage passes the unpadded maps and their
     * gradient on untouched; {@link #outShape} is the padded shape, which the convolution's output size follows.
     */
    private static final class ZeroPadStage extends IdentityStage {
        /** [top, bottom, left, right]. */
        final int[] padding;

        ZeroPadStage(int[] padding, long[] shape) {
            super(new long[] {shape[0], shape[1] + padding[0] + padding[1], shape[2] + padding[2] + padding[3]});
            this.padding = padding.clone();
        }
    }

    /** A linear activation layer: nothing to compute either way. */
    private static class IdentityStage extends Stage {
        /** Passes its input on, seen as {@code shape} (an activation layer's or, for a flatten vertex, the flat one). */
        IdentityStage(long[] shape) {
            this.outShape = shape;
        }

        @Override
        LayoutRule layoutRule() {
            return LayoutRule.SAME;     // a flatten's flat output cannot be blocked, so its input stays NCHW too
        }

        @Override
        INDArray forward(INDArray in, boolean training, int iteration, int epoch) {
            return in;
        }

        @Override
        INDArray backward(INDArray eps, boolean needInput) {
            return eps;
        }

        @Override
        boolean writesGradientInPlace() {
            return false;
        }
    }

    /**
     * Keras's GlobalAveragePooling2D (DL4J's {@code GlobalPoolingLayer} AVG, dimensions collapsed): each channel's mean
     * over height and width, [batch, channels] out; backward, each output gradient divided by height times width
     * and spread over its channel's map.
     */
    private static final class GlobalAveragePoolStage extends Stage {
        private final long[] inShape;
        private final Slots slots = newSlots();
        private float[] heap = new float[0];

        /** The channel block of the input's layout (1: NCHW). */
        private int block = 1;

        GlobalAveragePoolStage(long[] inShape) {
            this.inShape = inShape;
            this.outShape = new long[] {inShape[0]};
        }

        @Override
        LayoutRule layoutRule() {
            return LayoutRule.ANY_IN;
        }

        @Override
        boolean writesGradientInPlace() {
            return false;
        }

        @Override
        void layouts(int[] inTags, int outTag) {
            block = channelBlock(inTags[0]);
        }

        @Override
        INDArray forward(INDArray in, boolean training, int iteration, int epoch) {
            long m = in.size(0);
            INDArray[] slot = slots.get(m, b -> new INDArray[] {Nd4j.createUninitialized(DataType.FLOAT, b, inShape[0])});
            int maps = (int) (m * inShape[0]);
            int area = (int) (inShape[1] * inShape[2]);
            if (heap.length < maps * area) {
                heap = new float[maps * area];
            }
            in.data().asNioFloat().get((int) in.offset(), heap, 0, maps * area);
            float[] means = new float[maps];
            if (block == 1) {
                for (int k = 0; k < maps; k++) {
                    float sum = 0;
                    for (int j = k * area, end = j + area; j < end; j++) {
                        sum += heap[j];
                    }
                    means[k] = sum / area;
                }
            } else {
                // Blocked: map k's pixels lie block apart in its group of channels; summed in the same pixel order.
                for (int g = 0; g < maps / block; g++) {
                    int base = g * area * block;
                    for (int p = 0; p < area; p++) {
                        for (int c = 0, at = base + p * block; c < block; c++) {
                            means[g * block + c] += heap[at + c];
                        }
                    }
                }
                for (int k = 0; k < maps; k++) {
                    means[k] /= area;
                }
            }
            slot[0].data().asNioFloat().put(0, means);
            return slot[0];
        }

        @Override
        INDArray backward(INDArray eps, boolean needInput) {
            long m = eps.size(0);
            INDArray gradIn = gradients.take(withBatch(m, inShape));
            int maps = (int) (m * inShape[0]);
            int area = (int) (inShape[1] * inShape[2]);
            float[] e = eps.reshape(maps).toFloatVector();
            if (block == 1) {
                for (int k = 0; k < maps; k++) {
                    java.util.Arrays.fill(heap, k * area, (k + 1) * area, e[k] / area);
                }
            } else {
                for (int g = 0; g < maps / block; g++) {
                    int base = g * area * block;
                    for (int p = 0; p < area; p++) {
                        for (int c = 0, at = base + p * block; c < block; c++) {
                            heap[at + c] = e[g * block + c] / area;
                        }
                    }
                }
            }
            gradIn.data().asNioFloat().put(0, heap, 0, maps * area);
            return gradIn;
        }
    }

    /**
     * Keras's {@code add} (DL4J's {@code ElementWiseVertex} Add) of two inputs: their sum forward; backward, the
     * output's gradient to both (one buffer, copied only where a stage below would change it in place).
     */
    private static final class AddStage extends Stage {
        private final Slots slots = newSlots();

        AddStage(long[] shape) {
            this.outShape = shape;
        }

        @Override
        LayoutRule layoutRule() {
            return LayoutRule.SAME;
        }

        @Override
        INDArray forward(INDArray in, boolean training, int iteration, int epoch) {
            throw new IllegalStateException("add takes two inputs");
        }

        @Override
        INDArray backward(INDArray eps, boolean needInput) {
            throw new IllegalStateException("add has two inputs");
        }

        /** Whether the ReLU stage that alone reads the sum is computed here (oneDNN's add with a ReLU post-op). */
        boolean fusedRelu;
        /** oneDNN's add for maps (null for flat inputs, which ND4J adds), and the fused ReLU's backward pass. */
        private OneDnnAdd add;
        private OneDnnRelu relu;
        private INDArray out;

        @Override
        void layouts(int[] inTags, int outTag) {
            if (outShape.length == 3) {
                add = new OneDnnAdd(outShape, outTag, fusedRelu);
                relu = fusedRelu ? new OneDnnRelu(outShape, outTag) : null;
            }
        }

        @Override
        INDArray forwardAll(INDArray[] in, boolean training, int iteration, int epoch) {
            INDArray[] slot = slots.get(in[0].size(0), b -> new INDArray[] {Nd4j.createUninitialized(DataType.FLOAT, withBatch(b, outShape))});
            if (add != null) {
                add.forward(in[0], in[1], slot[0]);
            } else {
                Nd4j.getExecutioner().exec(new org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp(in[0], in[1], slot[0]));
            }
            out = slot[0];
            return out;
        }

        @Override
        void close() {
            if (add != null) {
                add.close();
            }
            if (relu != null) {
                relu.close();
            }
        }

        @Override
        boolean writesGradientInPlace() {
            return fusedRelu;
        }

        @Override
        INDArray[] backwardAll(INDArray eps, boolean[] need) {
            if (fusedRelu) {
                relu.backward(out, eps);        // in place: the gradient passes where the sum was above 0
            }
            // The one gradient to both inputs: a stage below that would change it in place while the other still
            // needs it gets a copy (the step's copy on write).
            return new INDArray[] {need[0] ? eps : null, need[1] ? eps : null};
        }
    }

    /**
     * Keras's {@code concatenate} along the channels (DL4J's {@code MergeVertex}) of NCHW inputs of one height and
     * width: each example's channel blocks one after another forward; backward, the output's gradient cut back into
     * the inputs' blocks.
     */
    private static final class ConcatStage extends Stage {
        private final long[][] inShapes;
        private final Slots slots = newSlots();

        ConcatStage(long[][] inShapes) {
            this.inShapes = inShapes;
            long c = 0;
            for (long[] sh : inShapes) {
                c += sh[0];
            }
            this.outShape = new long[] {c, inShapes[0][1], inShapes[0][2]};
        }

        @Override
        LayoutRule layoutRule() {
            return LayoutRule.SAME;     // each input's channels a multiple of the block: its blocks lie together as in NCHW
        }

        @Override
        boolean writesGradientInPlace() {
            return false;
        }

        @Override
        INDArray forward(INDArray in, boolean training, int iteration, int epoch) {
            throw new IllegalStateException("concatenate takes its inputs together");
        }

        @Override
        INDArray backward(INDArray eps, boolean needInput) {
            throw new IllegalStateException("concatenate has several inputs");
        }

        private INDArray[] slot(long m) {
            return slots.get(m, b -> new INDArray[] {Nd4j.createUninitialized(DataType.FLOAT, withBatch(b, outShape))});
        }

        @Override
        INDArray forwardAll(INDArray[] in, boolean training, int iteration, int epoch) {
            long m = in[0].size(0);
            INDArray out = slot(m)[0];
            int area = (int) (outShape[1] * outShape[2]);
            int total = (int) outShape[0] * area;
            java.nio.FloatBuffer dst = out.data().asNioFloat();
            int offset = 0;
            for (int k = 0; k < in.length; k++) {
                int block = (int) inShapes[k][0] * area;
                java.nio.FloatBuffer src = in[k].data().asNioFloat();
                int base = (int) in[k].offset();
                for (int r = 0; r < m; r++) {
                    dst.put(r * total + offset, src, base + r * block, block);
                }
                offset += block;
            }
            return out;
        }

        @Override
        INDArray[] backwardAll(INDArray eps, boolean[] need) {
            long m = eps.size(0);
            int area = (int) (outShape[1] * outShape[2]);
            int total = (int) outShape[0] * area;
            java.nio.FloatBuffer src = eps.data().asNioFloat();
            int base = (int) eps.offset();
            INDArray[] grads = new INDArray[inShapes.length];
            int offset = 0;
            for (int k = 0; k < inShapes.length; k++) {
                int block = (int) inShapes[k][0] * area;
                if (need[k]) {
                    grads[k] = gradients.take(withBatch(m, inShapes[k]));
                    java.nio.FloatBuffer dst = grads[k].data().asNioFloat();
                    for (int r = 0; r < m; r++) {
                        dst.put(r * block, src, base + r * total + offset, block);
                    }
                }
                offset += block;
            }
            return grads;
        }
    }
}
