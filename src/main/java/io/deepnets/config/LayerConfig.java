package io.deepnets.config;

import java.util.List;
import java.util.Map;

/**
 * One layer of the model, in Keras's vocabulary. Each record validates its own values; {@link ModelConfig}
 * checks that the stack's shapes work.
 */
public sealed interface LayerConfig {

    /** The {@code type} key in the YAML. */
    String type();

    /** Keras's class name, as shown in summaries. */
    String kerasClass();

    /** Output shape for the given input shape; throws with the layer's key path when the layer cannot take it. */
    TensorShape outputShape(String path, TensorShape input);

    /**
     * Parameters for the given input shape, as Keras's {@code count_params()} counts them: trainable ones and, for
     * batch normalisation, the moving mean and variance as well (DL4J holds those in the parameter vector too).
     */
    long params(TensorShape input);

    /** Of {@link #params}, those Keras lists as non-trainable: the moving statistics of batch normalisation. */
    default long nonTrainableParams(TensorShape input) {
        return 0;
    }

    /** The resolved layer, every default filled in, for the saved config. */
    Map<String, Object> toMap();

    /** A fully connected layer: Keras {@code Dense(units, activation, use_bias=True)}. */
    record Dense(int units, Activation activation, Regularizer regularizer, boolean useBias, KernelInitializer kernelInitializer)
            implements LayerConfig {
        public Dense {
            positive("units", units);
            regularizer = regularizer == null ? Regularizer.NONE : regularizer;
            kernelInitializer = kernelInitializer == null ? KernelInitializer.GLOROT_UNIFORM : kernelInitializer;
        }

        public Dense(int units, Activation activation, Regularizer regularizer, boolean useBias) {
            this(units, activation, regularizer, useBias, KernelInitializer.GLOROT_UNIFORM);
        }

        public Dense(int units, Activation activation, Regularizer regularizer) {
            this(units, activation, regularizer, true);
        }

        public Dense(int units, Activation activation) {
            this(units, activation, Regularizer.NONE);
        }

        public String type() {
            return "dense";
        }

        public String kerasClass() {
            return "Dense";
        }

        public TensorShape outputShape(String path, TensorShape input) {
            requireFlat(path, "dense", input);
            return TensorShape.of(units);
        }

        public long params(TensorShape input) {
            return TensorShape.saturatingAdd(TensorShape.saturatingMultiply(input.size(), units), useBias ? units : 0);
        }

        public Map<String, Object> toMap() {
            return withInitializer(withBias(withRegularizer(ConfigMaps.of("type", "dense", "units", units, "activation", activation.keras()), regularizer),
                    useBias), kernelInitializer);
        }
    }

    /** Keras {@code Conv2D(filters, kernel_size, strides, padding, activation, use_bias=True)}. */
    record Conv2D(int filters, int[] kernelSize, int[] strides, Padding padding, Activation activation, Regularizer regularizer,
            boolean useBias, KernelInitializer kernelInitializer) implements LayerConfig {
        public Conv2D {
            positive("filters", filters);
            positivePair("kernel_size", kernelSize);
            positivePair("strides", strides);
            regularizer = regularizer == null ? Regularizer.NONE : regularizer;
            kernelInitializer = kernelInitializer == null ? KernelInitializer.GLOROT_UNIFORM : kernelInitializer;
        }

        public Conv2D(int filters, int[] kernelSize, int[] strides, Padding padding, Activation activation, Regularizer regularizer,
                boolean useBias) {
            this(filters, kernelSize, strides, padding, activation, regularizer, useBias, KernelInitializer.GLOROT_UNIFORM);
        }

        public Conv2D(int filters, int[] kernelSize, int[] strides, Padding padding, Activation activation, Regularizer regularizer) {
            this(filters, kernelSize, strides, padding, activation, regularizer, true);
        }

        public Conv2D(int filters, int[] kernelSize, int[] strides, Padding padding, Activation activation) {
            this(filters, kernelSize, strides, padding, activation, Regularizer.NONE);
        }

        public String type() {
            return "conv2d";
        }

        public String kerasClass() {
            return "Conv2D";
        }

        public TensorShape outputShape(String path, TensorShape input) {
            return windowed(path, "conv2d", "kernel_size", input, kernelSize, strides, padding, filters);
        }

        public long params(TensorShape input) {
            return TensorShape.saturatingAdd(TensorShape.saturatingMultiply(TensorShape.saturatingMultiply((long) kernelSize[0] * kernelSize[1],
                    input.channels()), filters), useBias ? filters : 0);
        }

        public Map<String, Object> toMap() {
            return withInitializer(withBias(withRegularizer(ConfigMaps.of("type", "conv2d", "filters", filters, "kernel_size",
                    List.of(kernelSize[0], kernelSize[1]), "strides", List.of(strides[0], strides[1]), "padding", padding.keras(), "activation",
                    activation.keras()), regularizer), useBias), kernelInitializer);
        }
    }

    /**
     * Keras {@code DepthwiseConv2D(kernel_size, strides, padding, depth_multiplier=1, activation, use_bias=True)}: each
     * input channel convolved with {@code depth_multiplier} kernels of its own, giving channels x depth_multiplier maps.
     */
    record DepthwiseConv2D(int[] kernelSize, int[] strides, Padding padding, int depthMultiplier, Activation activation,
            Regularizer regularizer, boolean useBias) implements LayerConfig {
        public DepthwiseConv2D {
            positivePair("kernel_size", kernelSize);
            positivePair("strides", strides);
            positive("depth_multiplier", depthMultiplier);
            regularizer = regularizer == null ? Regularizer.NONE : regularizer;
        }

        public String type() {
            return "depthwise_conv2d";
        }

        public String kerasClass() {
            return "DepthwiseConv2D";
        }

        public TensorShape outputShape(String path, TensorShape input) {
            TensorShape out = windowed(path, "depthwise_conv2d", "kernel_size", input, kernelSize, strides, padding, -1);
            return TensorShape.of(out.height(), out.width(), (int) Math.min(Integer.MAX_VALUE, (long) input.channels() * depthMultiplier));
        }

        public long params(TensorShape input) {
            long maps = (long) input.channels() * depthMultiplier;
            return TensorShape.saturatingAdd(TensorShape.saturatingMultiply((long) kernelSize[0] * kernelSize[1], maps), useBias ? maps : 0);
        }

        public Map<String, Object> toMap() {
            return withBias(withRegularizer(ConfigMaps.of("type", "depthwise_conv2d", "kernel_size", List.of(kernelSize[0], kernelSize[1]),
                    "strides", List.of(strides[0], strides[1]), "padding", padding.keras(), "depth_multiplier", depthMultiplier,
                    "activation", activation.keras()), regularizer, "depthwise_regularizer"), useBias);
        }
    }

    /**
     * Keras {@code SeparableConv2D(filters, kernel_size, strides, padding, depth_multiplier=1, activation, use_bias=True)}:
     * a depthwise convolution followed by a 1x1 convolution to {@code filters} maps, one bias per output map.
     */
    record SeparableConv2D(int filters, int[] kernelSize, int[] strides, Padding padding, int depthMultiplier, Activation activation,
            Regularizer regularizer, boolean useBias) implements LayerConfig {
        public SeparableConv2D {
            positive("filters", filters);
            positivePair("kernel_size", kernelSize);
            positivePair("strides", strides);
            positive("depth_multiplier", depthMultiplier);
            regularizer = regularizer == null ? Regularizer.NONE : regularizer;
        }

        public String type() {
            return "separable_conv2d";
        }

        public String kerasClass() {
            return "SeparableConv2D";
        }

        public TensorShape outputShape(String path, TensorShape input) {
            return windowed(path, "separable_conv2d", "kernel_size", input, kernelSize, strides, padding, filters);
        }

        public long params(TensorShape input) {
            long maps = (long) input.channels() * depthMultiplier;
            long depthwise = TensorShape.saturatingMultiply((long) kernelSize[0] * kernelSize[1], maps);
            return TensorShape.saturatingAdd(TensorShape.saturatingAdd(depthwise, TensorShape.saturatingMultiply(maps, filters)), useBias ? filters : 0);
        }

        public Map<String, Object> toMap() {
            return withBias(withRegularizer(ConfigMaps.of("type", "separable_conv2d", "filters", filters, "kernel_size",
                    List.of(kernelSize[0], kernelSize[1]), "strides", List.of(strides[0], strides[1]), "padding", padding.keras(),
                    "depth_multiplier", depthMultiplier, "activation", activation.keras()), regularizer, "depthwise_regularizer",
                    "pointwise_regularizer"), useBias);
        }
    }

    /** Keras {@code ZeroPadding2D(padding=((top, bottom), (left, right)))}: rows and columns of zeros around each map. */
    record ZeroPadding2D(int top, int bottom, int left, int right) implements LayerConfig {
        public ZeroPadding2D {
            if (top < 0 || bottom < 0 || left < 0 || right < 0) {
                throw new ConfigException("padding", "expected amounts of zero rows and columns of at least 0, got " + List.of(top, bottom, left, right));
            }
        }

        public String type() {
            return "zero_padding2d";
        }

        public String kerasClass() {
            return "ZeroPadding2D";
        }

        public TensorShape outputShape(String path, TensorShape input) {
            if (!input.isImage()) {
                throw new ConfigException(path, "zero_padding2d expects an image input (height, width, channels) but gets " + input);
            }
            return TensorShape.of((int) Math.min(Integer.MAX_VALUE, (long) input.height() + top + bottom),
                    (int) Math.min(Integer.MAX_VALUE, (long) input.width() + left + right), input.channels());
        }

        public long params(TensorShape input) {
            return 0;
        }

        public Map<String, Object> toMap() {
            return ConfigMaps.of("type", "zero_padding2d", "padding", List.of(List.of(top, bottom), List.of(left, right)));
        }
    }

    /**
     * A layer that joins the outputs of several layers ({@code inputs}); Keras's merge layers. Its output shape
     * follows from all of its inputs' shapes.
     */
    sealed interface Merge extends LayerConfig {
        /** The joined shape; {@code names} are the input layers' names, in order, for the error message. */
        TensorShape outputShape(String path, List<TensorShape> inputs, List<String> names);

        default TensorShape outputShape(String path, TensorShape input) {
            throw new ConfigException(path, type() + " joins two or more layers; give it inputs: [a, b, ...]");
        }

        default long params(TensorShape input) {
            return 0;
        }
    }

    /** Keras {@code Add()}: the element-wise sum of its inputs, which must have one shape. */
    record Add() implements Merge {
        public String type() {
            return "add";
        }

        public String kerasClass() {
            return "Add";
        }

        public TensorShape outputShape(String path, List<TensorShape> inputs, List<String> names) {
            for (int i = 1; i < inputs.size(); i++) {
                if (!inputs.get(i).equals(inputs.get(0))) {
                    throw new ConfigException(path, "add needs inputs of one shape, but '" + names.get(0) + "' gives " + inputs.get(0)
                            + " and '" + names.get(i) + "' gives " + inputs.get(i));
                }
            }
            return inputs.get(0);
        }

        public Map<String, Object> toMap() {
            return ConfigMaps.of("type", "add");
        }
    }

    /** Keras {@code Concatenate(axis=-1)}: its inputs side by side along the channels (the features of flat inputs). */
    record Concatenate() implements Merge {
        public String type() {
            return "concatenate";
        }

        public String kerasClass() {
            return "Concatenate";
        }

        public TensorShape outputShape(String path, List<TensorShape> inputs, List<String> names) {
            TensorShape first = inputs.get(0);
            long total = 0;
            for (int i = 0; i < inputs.size(); i++) {
                TensorShape in = inputs.get(i);
                boolean fits = first.isImage() ? in.isImage() && in.height() == first.height() && in.width() == first.width() : in.isFlat();
                if (!fits) {
                    throw new ConfigException(path, "concatenate joins along the channels, so " + (first.isImage() ? "heights and widths" : "ranks")
                            + " must match, but '" + names.get(0) + "' gives " + first + " and '" + names.get(i) + "' gives " + in);
                }
                total += first.isImage() ? in.channels() : in.size();
            }
            int joined = (int) Math.min(Integer.MAX_VALUE, total);
            return first.isImage() ? TensorShape.of(first.height(), first.width(), joined) : TensorShape.of(joined);
        }

        public Map<String, Object> toMap() {
            return ConfigMaps.of("type", "concatenate");
        }
    }

    /** Keras {@code MaxPooling2D(pool_size, strides, padding)}; strides default to the pool size, as in Keras. */
    record MaxPool2D(int[] poolSize, int[] strides, Padding padding) implements LayerConfig {
        public MaxPool2D {
            positivePair("pool_size", poolSize);
            positivePair("strides", strides);
        }

        public String type() {
            return "max_pool2d";
        }

        public String kerasClass() {
            return "MaxPooling2D";
        }

        public TensorShape outputShape(String path, TensorShape input) {
            return windowed(path, "max_pool2d", "pool_size", input, poolSize, strides, padding, -1);
        }

        public long params(TensorShape input) {
            return 0;
        }

        public Map<String, Object> toMap() {
            return ConfigMaps.of("type", "max_pool2d", "pool_size", List.of(poolSize[0], poolSize[1]), "strides", List.of(strides[0], strides[1]),
                    "padding", padding.keras());
        }
    }

    /**
     * Keras {@code BatchNormalization(momentum=0.99, epsilon=1e-3, center=True, scale=True)} over the channel axis of
     * an image or the features of a flat input. {@code momentum} is Keras's meaning: moving = momentum * moving +
     * (1 - momentum) * batch statistic.
     */
    record BatchNormalization(double momentum, double epsilon) implements LayerConfig {
        public BatchNormalization {
            if (!(momentum >= 0.0 && momentum < 1.0)) {
                throw new ConfigException("momentum", "expected a value in [0, 1), got " + momentum);
            }
            if (!(epsilon > 0.0)) {
                throw new ConfigException("epsilon", "expected a positive value, got " + epsilon);
            }
        }

        public String type() {
            return "batch_normalization";
        }

        public String kerasClass() {
            return "BatchNormalization";
        }

        public TensorShape outputShape(String path, TensorShape input) {
            return input;
        }

        /** gamma, beta, moving mean and moving variance per channel (per feature for flat input). */
        public long params(TensorShape input) {
            return 4L * channels(input);
        }

        public long nonTrainableParams(TensorShape input) {
            return 2L * channels(input);
        }

        private static long channels(TensorShape input) {
            return input.isImage() ? input.channels() : input.size();
        }

        public Map<String, Object> toMap() {
            return ConfigMaps.of("type", "batch_normalization", "momentum", momentum, "epsilon", epsilon);
        }
    }

    /** Keras {@code AveragePooling2D(pool_size, strides, padding)}; with 'same' the padding is left out of each mean, as in Keras. */
    record AvgPool2D(int[] poolSize, int[] strides, Padding padding) implements LayerConfig {
        public AvgPool2D {
            positivePair("pool_size", poolSize);
            positivePair("strides", strides);
        }

        public String type() {
            return "average_pooling2d";
        }

        public String kerasClass() {
            return "AveragePooling2D";
        }

        public TensorShape outputShape(String path, TensorShape input) {
            return windowed(path, "average_pooling2d", "pool_size", input, poolSize, strides, padding, -1);
        }

        public long params(TensorShape input) {
            return 0;
        }

        public Map<String, Object> toMap() {
            return ConfigMaps.of("type", "average_pooling2d", "pool_size", List.of(poolSize[0], poolSize[1]),
                    "strides", List.of(strides[0], strides[1]), "padding", padding.keras());
        }
    }

    /** Keras {@code GlobalAveragePooling2D()}: the mean of each channel, giving a flat vector of the channels. */
    record GlobalAvgPool2D() implements LayerConfig {
        public String type() {
            return "global_average_pooling2d";
        }

        public String kerasClass() {
            return "GlobalAveragePooling2D";
        }

        public TensorShape outputShape(String path, TensorShape input) {
            if (!input.isImage()) {
                throw new ConfigException(path, "global_average_pooling2d expects an image input (height, width, channels) but gets " + input);
            }
            return TensorShape.of(input.channels());
        }

        public long params(TensorShape input) {
            return 0;
        }

        public Map<String, Object> toMap() {
            return ConfigMaps.of("type", "global_average_pooling2d");
        }
    }

    /** Keras {@code GlobalMaxPooling2D()}: the largest value of each channel, giving a flat vector of the channels. */
    record GlobalMaxPool2D() implements LayerConfig {
        public String type() {
            return "global_max_pooling2d";
        }

        public String kerasClass() {
            return "GlobalMaxPooling2D";
        }

        public TensorShape outputShape(String path, TensorShape input) {
            if (!input.isImage()) {
                throw new ConfigException(path, "global_max_pooling2d expects an image input (height, width, channels) but gets " + input);
            }
            return TensorShape.of(input.channels());
        }

        public long params(TensorShape input) {
            return 0;
        }

        public Map<String, Object> toMap() {
            return ConfigMaps.of("type", "global_max_pooling2d");
        }
    }

    /** Keras {@code Activation(name)}: the function alone, typically after batch normalisation. */
    record ActivationLayer(Activation activation) implements LayerConfig {
        public ActivationLayer {
            if (activation == Activation.SOFTMAX) {
                throw new ConfigException("activation", "softmax belongs to the output layer; expected one of relu, tanh, sigmoid, elu, selu, softplus, linear");
            }
        }

        public String type() {
            return "activation";
        }

        public String kerasClass() {
            return "Activation";
        }

        public TensorShape outputShape(String path, TensorShape input) {
            return input;
        }

        public long params(TensorShape input) {
            return 0;
        }

        public Map<String, Object> toMap() {
            return ConfigMaps.of("type", "activation", "activation", activation.keras());
        }
    }

    /** Keras {@code Dropout(rate)}: {@code rate} is the probability of DROPPING a unit during training. */
    record Dropout(double rate) implements LayerConfig {
        public Dropout {
            if (!(rate >= 0.0 && rate < 1.0)) {
                throw new ConfigException("rate", "expected a drop probability in [0, 1), got " + rate);
            }
        }

        public String type() {
            return "dropout";
        }

        public String kerasClass() {
            return "Dropout";
        }

        public TensorShape outputShape(String path, TensorShape input) {
            return input;
        }

        public long params(TensorShape input) {
            return 0;
        }

        public Map<String, Object> toMap() {
            return ConfigMaps.of("type", "dropout", "rate", rate);
        }
    }

    /** Keras {@code Flatten()}: an image to a vector of height x width x channels. */
    record Flatten() implements LayerConfig {
        public String type() {
            return "flatten";
        }

        public String kerasClass() {
            return "Flatten";
        }

        public TensorShape outputShape(String path, TensorShape input) {
            if (input.size() > ModelConfig.MAX_VALUES) {
                throw new ConfigException(path, "flattening " + input + " gives " + String.format(java.util.Locale.ROOT, "%,d", input.size())
                        + " values per sample, more than DL4J can index (at most " + String.format(java.util.Locale.ROOT, "%,d", ModelConfig.MAX_VALUES)
                        + "); add pooling or strides before it");
            }
            return TensorShape.of((int) input.size());
        }

        public long params(TensorShape input) {
            return 0;
        }

        public Map<String, Object> toMap() {
            return ConfigMaps.of("type", "flatten");
        }
    }

    /**
     * The classifier: Keras {@code Dense(units, activation='softmax')} trained with categorical cross-entropy.
     * It must be the last layer.
     */
    record Output(int units, Activation activation, String loss, Regularizer regularizer, KernelInitializer kernelInitializer,
            double labelSmoothing) implements LayerConfig {
        public Output(int units, Activation activation, String loss) {
            this(units, activation, loss, Regularizer.NONE);
        }

        public Output(int units, Activation activation, String loss, Regularizer regularizer) {
            this(units, activation, loss, regularizer, KernelInitializer.GLOROT_UNIFORM, 0.0);
        }

        public Output {
            regularizer = regularizer == null ? Regularizer.NONE : regularizer;
            kernelInitializer = kernelInitializer == null ? KernelInitializer.GLOROT_UNIFORM : kernelInitializer;
            if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) {
                throw new ConfigException("label_smoothing", "expected a number in [0, 1] (Keras's CategoricalCrossentropy(label_smoothing)), got "
                        + labelSmoothing);
            }
            positive("units", units);
            if (activation != Activation.SOFTMAX) {
                throw new ConfigException("activation", "the output layer supports 'softmax' (with categorical_crossentropy), got '" + activation.keras() + "'");
            }
            if (!"categorical_crossentropy".equals(loss)) {
                throw new ConfigException("loss", "expected 'categorical_crossentropy', got '" + loss + "'");
            }
        }

        public String type() {
            return "output";
        }

        public String kerasClass() {
            return "Dense";
        }

        public TensorShape outputShape(String path, TensorShape input) {
            requireFlat(path, "output", input);
            return TensorShape.of(units);
        }

        public long params(TensorShape input) {
            return TensorShape.saturatingAdd(TensorShape.saturatingMultiply(input.size(), units), units);
        }

        public Map<String, Object> toMap() {
            return withEntry(withInitializer(withRegularizer(ConfigMaps.of("type", "output", "units", units, "activation", activation.keras(),
                    "loss", loss), regularizer), kernelInitializer), "label_smoothing", labelSmoothing, labelSmoothing > 0);
        }
    }

    /** The layer's weight penalty; none for layers without weights. */
    default Regularizer weightRegularizer() {
        return this instanceof Dense d ? d.regularizer() : this instanceof Conv2D c ? c.regularizer()
                : this instanceof DepthwiseConv2D dw ? dw.regularizer() : this instanceof SeparableConv2D sc ? sc.regularizer()
                : this instanceof Output o ? o.regularizer() : Regularizer.NONE;
    }

    /** {@code m} with {@code key: value} added where it differs from Keras's default ({@code written}). */
    private static Map<String, Object> withEntry(Map<String, Object> m, String key, Object value, boolean written) {
        if (!written) {
            return m;
        }
        Map<String, Object> copy = new java.util.LinkedHashMap<>(m);
        copy.put(key, value);
        return copy;
    }

    private static Map<String, Object> withInitializer(Map<String, Object> m, KernelInitializer init) {
        return withEntry(m, "kernel_initializer", init.keras(), init != KernelInitializer.GLOROT_UNIFORM);
    }

    private static Map<String, Object> withBias(Map<String, Object> m, boolean useBias) {
        return withEntry(m, "use_bias", false, !useBias);
    }

    private static Map<String, Object> withRegularizer(Map<String, Object> m, Regularizer r) {
        return withRegularizer(m, r, "kernel_regularizer");
    }

    private static Map<String, Object> withRegularizer(Map<String, Object> m, Regularizer r, String... keys) {
        if (!r.isNone()) {
            Map<String, Object> copy = new java.util.LinkedHashMap<>(m);
            for (String key : keys) {
                copy.put(key, r.toMap());
            }
            return copy;
        }
        return m;
    }

    private static void positive(String key, int value) {
        if (value < 1) {
            throw new ConfigException(key, "expected a positive integer, got " + value);
        }
    }

    private static void positivePair(String key, int[] pair) {
        if (pair == null || pair.length != 2 || pair[0] < 1 || pair[1] < 1) {
            throw new ConfigException(key, "expected two positive integers, got " + (pair == null ? "nothing" : java.util.Arrays.toString(pair)));
        }
    }

    private static void requireFlat(String path, String type, TensorShape input) {
        if (!input.isFlat()) {
            throw new ConfigException(path, type + " expects a flat input but gets " + input + "; add a flatten layer before it");
        }
    }

    private static TensorShape windowed(String path, String type, String windowKey, TensorShape input, int[] window, int[] strides,
            Padding padding, int channelsOut) {
        if (!input.isImage()) {
            throw new ConfigException(path, type + " expects an image input (height, width, channels) but gets " + input);
        }
        int h = padding.outputSize(input.height(), window[0], strides[0]);
        int w = padding.outputSize(input.width(), window[1], strides[1]);
        if (h < 1 || w < 1) {
            throw new ConfigException(path + "." + windowKey, window[0] + "x" + window[1] + " is larger than its input "
                    + input.height() + "x" + input.width() + " with padding 'valid'");
        }
        return TensorShape.of(h, w, channelsOut > 0 ? channelsOut : input.channels());
    }

}
