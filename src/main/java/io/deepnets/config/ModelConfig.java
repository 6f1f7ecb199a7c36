package io.deepnets.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The network: the shape of one input sample (Keras order) and the ordered layers. The constructor runs
 * shape inference over the stack, so a config whose shapes do not work never reaches training.
 *
 * @param inputShape {@code [784]} for flat input or {@code [height, width, channels]} for images
 * @param layers the layers in order; exactly one {@code output} layer, last
 * @param transfer where the first layers' trained weights come from and how many of them are frozen; null when the
 *     network is trained from scratch
 */
public record ModelConfig(TensorShape inputShape, List<LayerConfig> layers, Transfer transfer) {

    /**
     * Transfer learning, resolved: the first {@code baseLayers} layers are the base network's (same config, its trained
     * weights), the first {@code frozen} of them are frozen (Keras {@code trainable = False}, run in inference mode as
     * Keras's recommended {@code base(x, training=False)}), and the layers after them are new.
     *
     * @param base the base network's model.zip, absolute
     * @param baseSha256 that file's SHA-256 when the config was resolved: the weights the run starts from, for its
     *     provenance, checked again when they are copied
     * @param baseLayers how many of {@code layers} come from the base
     * @param frozen how many leading layers are frozen, at most {@code baseLayers}
     */
    public record Transfer(String base, String baseSha256, int baseLayers, int frozen) {
        public Transfer {
            if (base == null || base.isBlank()) {
                throw new ConfigException("model.transfer.base", "is required (the base network's model.zip)");
            }
            if (baseSha256 == null || !baseSha256.matches("[0-9a-f]{64}")) {
                throw new ConfigException("model.transfer.base_sha256", "expected the SHA-256 of the base model.zip (64 hex digits), got '"
                        + baseSha256 + "'");
            }
            if (baseLayers < 1) {
                throw new ConfigException("model.transfer.base_layers", "expected a positive integer, got " + baseLayers);
            }
            if (frozen < 0 || frozen > baseLayers) {
                throw new ConfigException("model.transfer.frozen", "expected 0.." + baseLayers + " (the layers taken from the base), got " + frozen);
            }
        }

        Map<String, Object> toMap() {
            return ConfigMaps.of("base", base, "base_sha256", baseSha256, "base_layers", baseLayers, "frozen", frozen);
        }
    }

    public ModelConfig(TensorShape inputShape, List<LayerConfig> layers) {
        this(inputShape, layers, null);
    }
    /**
     * The most values one array may hold here: DL4J M2.1 indexes parameter views, activations and Java-side
     * buffers with {@code int}, so anything larger overflows (a JVM crash inside libnd4j rather than an error).
     */
    public static final long MAX_VALUES = Integer.MAX_VALUE;

    public ModelConfig {
        layers = List.copyOf(layers);
        if (inputShape.dims().size() != 1 && inputShape.dims().size() != 3) {
            throw new ConfigException("model.input_shape", "expected [features] or [height, width, channels], got " + inputShape.dims());
        }
        for (int i = 0; i < inputShape.dims().size(); i++) {
            if (inputShape.dims().get(i) < 1) {
                throw new ConfigException("model.input_shape[" + i + "]", "expected a positive integer, got " + inputShape.dims().get(i));
            }
        }
        if (layers.isEmpty()) {
            throw new ConfigException("model.layers", "expected at least one layer, ending with an output layer");
        }
        for (int i = 0; i < layers.size(); i++) {
            boolean last = i == layers.size() - 1;
            boolean isOutput = layers.get(i) instanceof LayerConfig.Output;
            if (isOutput != last) {
                throw new ConfigException(layerPath(last ? i : i), last
                        ? "the last layer must be of type output, got " + layers.get(i).type()
                        : "an output layer must be the last layer");
            }
        }
        if (inputShape.size() > MAX_VALUES) {
            throw new ConfigException("model.input_shape", inputShape.dims() + " is " + count(inputShape.size())
                    + " values per sample, more than DL4J can index (at most " + count(MAX_VALUES) + ")");
        }
        if (transfer != null && transfer.baseLayers() >= layers.size()) {
            throw new ConfigException("model.transfer.base_layers", transfer.baseLayers() + " base layers leave no output layer of its own among the "
                    + layers.size() + " layers");
        }
        List<TensorShape> outs = shapes(inputShape, layers);
        long total = 0;
        TensorShape in = inputShape;
        for (int i = 0; i < layers.size(); i++) {
            if (outs.get(i).size() > MAX_VALUES) {
                throw new ConfigException(layerPath(i), "its output " + outs.get(i) + " is " + count(outs.get(i).size())
                        + " values per sample, more than DL4J can index (at most " + count(MAX_VALUES) + ")");
            }
            long params = layers.get(i).params(in);
            total = TensorShape.saturatingAdd(total, params);
            if (total > MAX_VALUES) {
                throw new ConfigException(layerPath(i), "the network would have " + (total == Long.MAX_VALUE ? "more than 9e18" : count(total))
                        + " parameters, more than DL4J can hold in its parameter vector (at most " + count(MAX_VALUES) + ")");
            }
            in = outs.get(i);
        }
    }

    private static String count(long n) {
        return String.format(java.util.Locale.ROOT, "%,d", n);
    }

    static String layerPath(int i) {
        return "model.layers[" + i + "]";
    }

    private static List<TensorShape> shapes(TensorShape input, List<LayerConfig> layers) {
        List<TensorShape> out = new ArrayList<>();
        TensorShape shape = input;
        for (int i = 0; i < layers.size(); i++) {
            shape = layers.get(i).outputShape(layerPath(i), shape);
            out.add(shape);
        }
        return out;
    }

    /** The output shape of each layer, in order. */
    public List<TensorShape> outputShapes() {
        return shapes(inputShape, layers);
    }

    /** The input shape of each layer, in order. */
    public List<TensorShape> inputShapes() {
        List<TensorShape> ins = new ArrayList<>();
        ins.add(inputShape);
        List<TensorShape> outs = outputShapes();
        ins.addAll(outs.subList(0, outs.size() - 1));
        return ins;
    }

    /** Trainable parameters of each layer as Keras counts them. */
    public List<Long> layerParams() {
        List<TensorShape> ins = inputShapes();
        List<Long> params = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            params.add(layers.get(i).params(ins.get(i)));
        }
        return params;
    }

    public long totalParams() {
        return layerParams().stream().mapToLong(Long::longValue).sum();
    }

    /** Whether layer {@code i} is frozen (taken from the base network and not trained). */
    public boolean isFrozen(int i) {
        return transfer != null && i < transfer.frozen();
    }

    /** Parameters of each layer that training leaves alone: a frozen layer's all, batch normalisation's moving statistics. */
    public List<Long> layerNonTrainableParams() {
        List<TensorShape> ins = inputShapes();
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            out.add(isFrozen(i) ? layers.get(i).params(ins.get(i)) : layers.get(i).nonTrainableParams(ins.get(i)));
        }
        return out;
    }

    public long nonTrainableParams() {
        return layerNonTrainableParams().stream().mapToLong(Long::longValue).sum();
    }

    /**
     * The layers' names as the summary shows them: the Keras class in snake case numbered per class from 1
     * ({@code conv2d_1, conv2d_2, max_pooling2d_1}); {@code model.freeze} may name one.
     */
    public List<String> layerNames() {
        Map<String, Integer> counters = new LinkedHashMap<>();
        List<String> names = new ArrayList<>();
        for (LayerConfig layer : layers) {
            String base = layer.kerasClass().replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
            names.add(base + "_" + counters.merge(base, 1, Integer::sum));
        }
        return names;
    }

    /** Number of classes: the output layer's units. */
    public int classes() {
        return ((LayerConfig.Output) layers.get(layers.size() - 1)).units();
    }

    Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("input_shape", inputShape.dims());
        m.put("layers", layers.stream().map(LayerConfig::toMap).toList());
        if (transfer != null) {
            m.put("transfer", transfer.toMap());
        }
        return m;
    }
}
