package io.deepnets.model;

import io.deepnets.config.ExperimentConfig;
import io.deepnets.config.KernelInitializer;
import io.deepnets.config.LayerConfig;
import io.deepnets.config.ModelConfig;
import io.deepnets.config.OptimizerConfig;
import io.deepnets.config.Regularizer;
import io.deepnets.config.TrainingCallbacks;
import io.deepnets.config.TrainingConfig;
import io.deepnets.config.Padding;
import org.deeplearning4j.nn.api.OptimizationAlgorithm;
import org.deeplearning4j.nn.conf.BackpropType;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.CacheMode;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.GradientNormalization;
import java.util.List;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.graph.PreprocessorVertex;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.SeparableConvolution2D;
import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.AdaDelta;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.RmsProp;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.InverseSchedule;
import org.nd4j.linalg.schedule.ScheduleType;

/**
 * The one place where Keras's model vocabulary becomes DL4J. Every DL4J parameter that has a default is set
 * explicitly, because DL4J's defaults differ from Keras's almost everywhere (see each comment).
 */
public final class KerasModelMapper {
    private KerasModelMapper() {
    }

    /** Builds and initialises a stack's network for {@code config}, its updater state set as Keras starts it. */
    public static MultiLayerNetwork build(ExperimentConfig config) {
        if (config.model().isGraph()) {
            throw new IllegalArgumentException("a graph network builds as a ComputationGraph: use network()");
        }
        NativeRuntime.configure();
        MultiLayerConfiguration conf = configuration(config);
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        Network built = Network.of(net);
        startAsKeras(built, config);
        return net;
    }

    /**
     * Builds and initialises the network for {@code config}: a {@code MultiLayerNetwork} for a stack (so every run
     * folder written before graphs existed reads as before), a {@code ComputationGraph} for a graph.
     */
    public static Network network(ExperimentConfig config) {
        if (!config.model().isGraph()) {
            return Network.of(build(config));
        }
        NativeRuntime.configure();
        ComputationGraph graph = new ComputationGraph(graphConfiguration(config));
        graph.init();
        Network built = Network.of(graph, imageShape(config.model()));
        startAsKeras(built, config);
        return built;
    }

    /** {@code [channels, height, width]} of an image network's input, null for flat input. */
    public static long[] imageShape(ModelConfig model) {
        io.deepnets.config.TensorShape in = model.inputShape();
        return in.isImage() ? new long[] {in.channels(), in.height(), in.width()} : null;
    }

    private static void startAsKeras(Network net, ExperimentConfig config) {
        // Keras starts every optimizer slot at zero; DL4J's RmsProp starts its running average at epsilon.
        if (net.updaterState() != null) {
            net.updaterState().assign(0);
        }
        long expected = config.model().totalParams();
        if (net.numParams() != expected) {
            throw new IllegalStateException("mapping error: DL4J network has " + net.numParams() + " parameters, Keras counts " + expected);
        }
    }

    /**
     * The graph: one DL4J vertex per Keras layer under the layer's own name, the network's input named
     * {@link ModelConfig#INPUT}. Keras's {@code Add} is DL4J's {@code ElementWiseVertex(Add)}, {@code Concatenate} along
     * the channels a {@code MergeVertex} (DL4J joins along dimension 1, the channels of NCHW and the features of flat
     * input), {@code Flatten} a preprocessor vertex.
     */
    public static ComputationGraphConfiguration graphConfiguration(ExperimentConfig config) {
        ModelConfig model = config.model();
        ComputationGraphConfiguration.GraphBuilder g = common(config).graphBuilder().addInputs(ModelConfig.INPUT);
        List<io.deepnets.config.TensorShape> ins = model.inputShapes();
        for (int i = 0; i < model.layers().size(); i++) {
            LayerConfig layer = model.layers().get(i);
            String name = model.layerNames().get(i);
            String[] inputs = model.inputs().get(i).toArray(String[]::new);
            org.deeplearning4j.nn.conf.graph.GraphVertex vertex = null;
            if (layer instanceof LayerConfig.Add) {
                vertex = new ElementWiseVertex(ElementWiseVertex.Op.Add);
            } else if (layer instanceof LayerConfig.Concatenate) {
                vertex = new MergeVertex();
            } else if (layer instanceof LayerConfig.Flatten && !ins.get(i).isImage()) {
                // Keras's Flatten of an already flat input changes nothing.
                vertex = new org.deeplearning4j.nn.conf.graph.ScaleVertex(1.0);
            } else if (layer instanceof LayerConfig.Flatten) {
                io.deepnets.config.TensorShape img = ins.get(i);
                vertex = new PreprocessorVertex(new CnnToFeedForwardPreProcessor(img.height(), img.width(), img.channels()));
            }
            if (vertex != null) {
                // A vertex inside the frozen base is frozen too: DL4J skips the backward pass of frozen vertices whose
                // inputs are all frozen, and an unfrozen add between them would wait for errors that never come.
                g.addVertex(name, model.isFrozen(i) ? new org.deeplearning4j.nn.conf.graph.FrozenVertex(vertex) : vertex, inputs);
            } else {
                org.deeplearning4j.nn.conf.layers.Layer mapped = layer(layer, ins.get(i));
                g.addLayer(name, frozen(model, i, mapped), inputs);
            }
        }
        g.setOutputs(model.layerNames().get(model.layers().size() - 1));
        io.deepnets.config.TensorShape in = model.inputShape();
        g.setInputTypes(in.isImage() ? InputType.convolutional(in.height(), in.width(), in.channels(), CNN2DFormat.NCHW) : InputType.feedForward(in.size()));
        g.backpropType(BackpropType.Standard);
        return g.build();
    }

    public static MultiLayerConfiguration configuration(ExperimentConfig config) {
        NeuralNetConfiguration.ListBuilder list = common(config).list();
        int index = 0;
        java.util.List<io.deepnets.config.TensorShape> inputs = config.model().inputShapes();
        for (int i = 0; i < config.model().layers().size(); i++) {
            if (i > 1 && config.model().layers().get(i - 1) instanceof LayerConfig.Flatten && config.model().layers().get(i) instanceof LayerConfig.BatchNormalization
                    && inputs.get(i - 1).isImage()) {
                // DL4J's batch norm takes image input as it comes (per channel); after a Keras Flatten it must see the
                // flat vector (per feature), so the flattening is made explicit instead of left to the next dense layer.
                io.deepnets.config.TensorShape img = inputs.get(i - 1);
                list.inputPreProcessor(index, new org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor(img.height(), img.width(),
                        img.channels()));
            }
            org.deeplearning4j.nn.conf.layers.Layer mapped = layer(config.model().layers().get(i), inputs.get(i));
            if (mapped != null) {
                // The Keras name (conv2d_1, or the config's own), as a graph's vertices are named: feature maps and
                // profiles name a stack's layers as the summary does.
                mapped.setLayerName(config.model().layerNames().get(i));
                // Keras trainable=False on the base, run as base(x, training=False): DL4J's FrozenLayer neither updates
                // the layer nor runs it in training mode (no dropout, batch norm on its moving statistics).
                list.layer(index++, frozen(config.model(), i, mapped));
            }
        }
        ModelConfig model = config.model();
        boolean flatFirst = model.layers().size() > 1 && model.layers().get(0) instanceof LayerConfig.Flatten
                && model.layers().get(1) instanceof LayerConfig.BatchNormalization;
        list.setInputType(model.inputShape().isImage() && !flatFirst
                // data rows arrive flat (C*H*W, channels-first), as the readers store them
                ? InputType.convolutionalFlat(model.inputShape().height(), model.inputShape().width(), model.inputShape().channels())
                // flat input, or Flatten then batch norm (which must see features, not channels)
                : InputType.feedForward(model.inputShape().size()));
        list.backpropType(BackpropType.Standard);
        return list.build();
    }

    /**
     * Layer {@code i} as DL4J trains it: a frozen layer of the base in DL4J's {@code FrozenLayer} (no update, inference
     * mode, no gradient below it).
     */
    private static org.deeplearning4j.nn.conf.layers.Layer frozen(ModelConfig model, int i, org.deeplearning4j.nn.conf.layers.Layer mapped) {
        return model.isFrozen(i) ? new FrozenLayer(mapped) : mapped;
    }

    /** What every network shares, stack or graph: every DL4J default that differs from Keras's, set. */
    private static NeuralNetConfiguration.Builder common(ExperimentConfig config) {
        TrainingConfig.Swa swa = config.training().swa();
        IUpdater updater = updater(config.optimizer(), config.training().schedule(),
                swa == null ? -1 : swa.firstEpoch(config.training().epochs()), swa == null ? 0 : swa.learningRate());
        return new NeuralNetConfiguration.Builder()
                .seed(config.seed())
                .dataType(DataType.FLOAT)                                    // Keras trains in float32
                .weightInit(WeightInit.XAVIER_UNIFORM)                       // Keras glorot_uniform; DL4J's default XAVIER is Gaussian
                .biasInit(0.0)                                               // Keras zeros
                .updater(updater)
                .biasUpdater(updater)
                .l1(0).l2(0).l1Bias(0).l2Bias(0)                             // Keras layers have no regularisers unless asked
                .optimizationAlgo(OptimizationAlgorithm.STOCHASTIC_GRADIENT_DESCENT)
                .miniBatch(true)                                             // loss is the batch MEAN, as in Keras
                .gradientNormalization(GradientNormalization.None)
                .trainingWorkspaceMode(WorkspaceMode.ENABLED)
                .inferenceWorkspaceMode(WorkspaceMode.ENABLED)
                // Keeps each conv layer's pre-activation from the forward pass for its backward pass instead of
                // recomputing the convolution (CIFAR-10 net: 43 against 48-60 ms per step here).
                .cacheMode(CacheMode.DEVICE)
                .convolutionMode(ConvolutionMode.Truncate);
    }

    /** Index of each config layer's DL4J layer, -1 for Flatten (which has none). */
    public static int[] dl4jIndices(ModelConfig model) {
        int[] out = new int[model.layers().size()];
        int index = 0;
        for (int i = 0; i < out.length; i++) {
            out[i] = model.layers().get(i) instanceof LayerConfig.Flatten ? -1 : index++;
        }
        return out;
    }

    /**
     * The DL4J layer for one Keras layer taking input of shape {@code in}, or null for Flatten (DL4J inserts a
     * preprocessor instead) and the merge layers (vertices of a graph).
     */
    static org.deeplearning4j.nn.conf.layers.Layer layer(LayerConfig layer, io.deepnets.config.TensorShape in) {
        if (layer instanceof LayerConfig.Dense d) {
            return initialized(regularized(new DenseLayer.Builder(), d.regularizer()), d.kernelInitializer()).nOut(d.units()).activation(activation(d.activation())).hasBias(d.useBias())
                    .build();
        }
        if (layer instanceof LayerConfig.DepthwiseConv2D c) {
            // Keras DepthwiseConv2D: depth_multiplier kernels per input channel, channels x depth_multiplier maps (DL4J's
            // nOut, which it checks against its own product).
            return window(regularized(new DepthwiseConvolution2D.Builder(), c.regularizer())
                    .nOut((long) in.channels() * c.depthMultiplier())
                    .depthMultiplier(c.depthMultiplier()).dataFormat(CNN2DFormat.NCHW), c.kernelSize(), c.strides(), c.padding(), c.activation(), c.useBias())
                    .build();
        }
        if (layer instanceof LayerConfig.SeparableConv2D c) {
            // Keras SeparableConv2D: the depthwise kernels, then a 1x1 convolution to filters maps and one bias per map;
            // DL4J's SeparableConvolution2D holds the same three arrays (W, pW, b).
            return window(regularized(new SeparableConvolution2D.Builder(), c.regularizer())
                    .nOut(c.filters())
                    .depthMultiplier(c.depthMultiplier()).dataFormat(CNN2DFormat.NCHW), c.kernelSize(), c.strides(), c.padding(), c.activation(), c.useBias())
                    .build();
        }
        if (layer instanceof LayerConfig.ZeroPadding2D z) {
            return new ZeroPaddingLayer.Builder(z.top(), z.bottom(), z.left(), z.right()).dataFormat(CNN2DFormat.NCHW).build();
        }
        if (layer instanceof LayerConfig.Merge) {
            return null;
        }
        if (layer instanceof LayerConfig.Conv2D c) {
            return window(initialized(regularized(new ConvolutionLayer.Builder(), c.regularizer()), c.kernelInitializer()).nOut(c.filters()).dataFormat(CNN2DFormat.NCHW), c.kernelSize(), c.strides(),
                    c.padding(), c.activation(), c.useBias()).build();
        }
        if (layer instanceof LayerConfig.MaxPool2D p) {
            return new SubsamplingLayer.Builder(PoolingType.MAX)
                    .kernelSize(p.poolSize()[0], p.poolSize()[1])       // DL4J defaults to 1x1
                    .stride(p.strides()[0], p.strides()[1])             // Keras: strides default to pool_size
                    .padding(0, 0)
                    .convolutionMode(mode(p.padding()))
                    .dataFormat(CNN2DFormat.NCHW)
                    .build();
        }
        if (layer instanceof LayerConfig.AvgPool2D p) {
            return new SubsamplingLayer.Builder(PoolingType.AVG)
                    .kernelSize(p.poolSize()[0], p.poolSize()[1])
                    .stride(p.strides()[0], p.strides()[1])
                    .padding(0, 0)
                    .convolutionMode(mode(p.padding()))
                    // Keras averages only the pixels inside the image at the borders of 'same' padding.
                    .avgPoolIncludePadInDivisor(false)
                    .dataFormat(CNN2DFormat.NCHW)
                    .build();
        }
        if (layer instanceof LayerConfig.GlobalAvgPool2D) {
            // Keras GlobalAveragePooling2D: one mean per channel, a flat [channels] output (DL4J collapses the dims too).
            return new GlobalPoolingLayer.Builder(PoolingType.AVG).collapseDimensions(true).build();
        }
        if (layer instanceof LayerConfig.GlobalMaxPool2D) {
            // Keras GlobalMaxPooling2D: one maximum per channel, a flat [channels] output.
            return new GlobalPoolingLayer.Builder(PoolingType.MAX).collapseDimensions(true).build();
        }
        if (layer instanceof LayerConfig.BatchNormalization b) {
            // Keras momentum m updates moving = m * moving + (1 - m) * batch, DL4J's decay has the same meaning; DL4J's
            // defaults (decay 0.9, eps 1e-5) are Keras's 0.99 and 1e-3 here. gamma = 1, beta = 0 as Keras starts them;
            // lockGammaBeta(false): both are trained (Keras center=True, scale=True). One difference stays: DL4J moves
            // the variance with the biased batch variance, TensorFlow's fused kernel with the Bessel-corrected one, a
            // factor m / (m - 1) for m values per channel and batch (1.000015 for 64 images of 32x32 maps).
            return new BatchNormalization.Builder()
                    .decay(b.momentum())
                    .eps(b.epsilon())
                    .gamma(1.0)                                         // DL4J initialises the trained gamma/beta from these
                    .beta(0.0)
                    .lockGammaBeta(false)
                    .minibatch(true)
                    // DL4J's default stores log(std) instead of the variance; the variance is what Keras keeps.
                    .useLogStd(false)
                    .dataFormat(CNN2DFormat.NCHW)
                    .build();
        }
        if (layer instanceof LayerConfig.ActivationLayer a) {
            return new ActivationLayer.Builder().activation(activation(a.activation())).build();
        }
        if (layer instanceof LayerConfig.Dropout d) {
            // Keras Dropout(rate) drops with probability rate; DL4J's argument is the RETAIN probability.
            // A DropoutLayer keeps the Keras layer order: dropout applies to what the next layer receives.
            return new DropoutLayer.Builder(1.0 - d.rate()).build();
        }
        if (layer instanceof LayerConfig.Output o) {
            // Keras's label smoothing is a loss of our own (DL4J's MCXENT has none); without it, DL4J's MCXENT as always.
            OutputLayer.Builder builder = o.labelSmoothing() > 0 ? new OutputLayer.Builder().lossFunction(new KerasCategoricalCrossentropy(o.labelSmoothing()))
                    : new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT);
            return initialized(regularized(builder, o.regularizer()), o.kernelInitializer())
                    .nOut(o.units()).activation(Activation.SOFTMAX).hasBias(true).build();
        }
        // Flatten: setInputType inserts a CnnToFeedForwardPreProcessor before the next layer.
        return null;
    }

    /**
     * A convolution's window as Keras gives it, every DL4J default overridden: kernel size (DL4J's is 5x5), strides,
     * no explicit padding (Keras's 'valid'/'same' is the convolution mode), no dilation, the activation, the bias (each
     * builder sets NCHW itself: DL4J's builders declare the data format each on their own).
     */
    private static <B extends ConvolutionLayer.BaseConvBuilder<B>> B window(B builder, int[] kernel, int[] strides, Padding padding,
            io.deepnets.config.Activation a, boolean bias) {
        return builder.kernelSize(kernel[0], kernel[1]).stride(strides[0], strides[1]).padding(0, 0).dilation(1, 1)
                .convolutionMode(mode(padding)).activation(activation(a)).hasBias(bias);
    }

    /**
     * Keras's {@code kernel_regularizer} on a layer's weights. Keras adds {@code l2 * sum(w^2)} to the loss (gradient
     * {@code 2 * l2 * w}); DL4J's L2 adds {@code 0.5 * x * sum(w^2)} (gradient {@code x * w}), so x = 2 * l2. L1 has
     * the same form in both ({@code l1 * sum|w|}). Biases are never penalised, as in Keras. Never weightDecay:
     * that is decoupled from the loss (AdamW's meaning), not Keras's l2.
     */
    @SuppressWarnings("unchecked")
    static <B extends org.deeplearning4j.nn.conf.layers.BaseLayer.Builder<B>> B regularized(B builder, Regularizer r) {
        if (r.isNone()) {
            // The network-wide l1(0)/l2(0) stand, as before regularisers existed: with zero settings on every layer the
            // MNIST CNN's fit measured 10-30% slower (bench, four alternating rounds against the previous build);
            // the cause inside DL4J was not pinned down (its updater still has one block either way).
            return builder;
        }
        return builder.l1(r.l1()).l2(2 * r.l2()).l1Bias(0).l2Bias(0);
    }

    /**
     * Keras's {@code kernel_initializer}: the default {@code glorot_uniform} is the network-wide {@code XAVIER_UNIFORM}
     * (so networks that do not name one start as they always did); any other is {@link KerasVarianceScaling}, Keras's
     * own formula, which DL4J's built-in schemes do not match (uncut normals, a strided convolution's fan-out).
     */
    static <B extends org.deeplearning4j.nn.conf.layers.BaseLayer.Builder<B>> B initialized(B builder, KernelInitializer init) {
        return init == KernelInitializer.GLOROT_UNIFORM ? builder : builder.weightInit(new KerasVarianceScaling(init));
    }

    /** Keras 'valid' = DL4J Truncate; Keras 'same' = DL4J Same (output = ceil(input / stride)). */
    static ConvolutionMode mode(Padding padding) {
        return padding == Padding.SAME ? ConvolutionMode.Same : ConvolutionMode.Truncate;
    }

    static Activation activation(io.deepnets.config.Activation a) {
        return switch (a) {
            case LINEAR -> Activation.IDENTITY;
            case RELU -> Activation.RELU;
            case SIGMOID -> Activation.SIGMOID;
            case TANH -> Activation.TANH;
            case SOFTMAX -> Activation.SOFTMAX;
            case ELU -> Activation.ELU;
            case SELU -> Activation.SELU;
            case SOFTPLUS -> Activation.SOFTPLUS;
        };
    }

    /**
     * Keras's legacy per-batch decay {@code lr / (1 + decay * iteration)} is DL4J's
     * {@code InverseSchedule(ITERATION, lr, gamma = decay, power = 1)}.
     */
    public static ISchedule learningRateSchedule(double learningRate, double decay) {
        return new InverseSchedule(ScheduleType.ITERATION, learningRate, decay, 1.0);
    }

    static IUpdater updater(OptimizerConfig optimizer) {
        return updater(optimizer, null);
    }

    /**
     * The updater, with Keras's learning-rate schedule as DL4J's (the config allows a schedule only without the
     * legacy decay, and never for Adadelta).
     */
    static IUpdater updater(OptimizerConfig optimizer, TrainingCallbacks.Schedule schedule) {
        return updater(optimizer, schedule, -1, 0);
    }

    /**
     * As {@link #updater(OptimizerConfig, TrainingCallbacks.Schedule)}, the rate held at {@code swaRate} from 0-based
     * epoch {@code swaEpoch} on (stochastic weight averaging; -1 for none).
     */
    static IUpdater updater(OptimizerConfig optimizer, TrainingCallbacks.Schedule schedule, int swaEpoch, double swaRate) {
        if (schedule != null || swaEpoch >= 0) {
            ISchedule s = new KerasLearningRateSchedule(schedule, optimizer.learningRate(), swaEpoch, swaRate);
            if (optimizer instanceof OptimizerConfig.RmsProp r) {
                return RmsProp.builder().learningRateSchedule(s).rmsDecay(r.rho()).epsilon(r.epsilon()).build();
            }
            if (optimizer instanceof OptimizerConfig.Adam a) {
                return Adam.builder().learningRateSchedule(s).beta1(a.beta1()).beta2(a.beta2()).epsilon(a.epsilon()).build();
            }
            if (optimizer instanceof OptimizerConfig.Sgd g) {
                return g.nesterov() ? new Nesterovs(s, g.momentum()) : g.momentum() > 0 ? new ClassicalMomentum(s, g.momentum()) : new Sgd(s);
            }
        }
        if (optimizer instanceof OptimizerConfig.RmsProp r) {
            // DL4J's RmsProp defaults are lr 0.1, decay 0.95, eps 1e-8: all three set from Keras's values.
            RmsProp.Builder b = RmsProp.builder().learningRate(r.learningRate()).rmsDecay(r.rho()).epsilon(r.epsilon());
            return (r.decay() > 0 ? b.learningRateSchedule(learningRateSchedule(r.learningRate(), r.decay())) : b).build();
        }
        if (optimizer instanceof OptimizerConfig.Adadelta a) {
            // DL4J's AdaDelta has no learning rate; its step equals Keras's with learning_rate 1.0 (enforced by the config).
            return AdaDelta.builder().rho(a.rho()).epsilon(a.epsilon()).build();
        }
        if (optimizer instanceof OptimizerConfig.Adam a) {
            Adam.Builder b = Adam.builder().learningRate(a.learningRate()).beta1(a.beta1()).beta2(a.beta2()).epsilon(a.epsilon());
            return (a.decay() > 0 ? b.learningRateSchedule(learningRateSchedule(a.learningRate(), a.decay())) : b).build();
        }
        OptimizerConfig.Sgd s = (OptimizerConfig.Sgd) optimizer;
        if (s.nesterov()) {
            return s.decay() > 0 ? new Nesterovs(learningRateSchedule(s.learningRate(), s.decay()), s.momentum())
                    : new Nesterovs(s.learningRate(), s.momentum());
        }
        if (s.momentum() > 0) {
            // Keras's classical momentum, which DL4J lacks (its Nesterovs is the other kind): an updater of our own.
            return s.decay() > 0 ? new ClassicalMomentum(learningRateSchedule(s.learningRate(), s.decay()), s.momentum())
                    : new ClassicalMomentum(s.learningRate(), s.momentum());
        }
        return s.decay() > 0 ? new Sgd(learningRateSchedule(s.learningRate(), s.decay())) : new Sgd(s.learningRate());
    }
}
