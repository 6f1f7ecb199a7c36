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
 */
public record ModelConfig(TensorShape inputShape, List<LayerConfig> layers) {
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

    /** Number of classes: the output layer's units. */
    public int classes() {
        return ((LayerConfig.Output) layers.get(layers.size() - 1)).units();
    }

    Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("input_shape", inputShape.dims());
        m.put("layers", layers.stream().map(LayerConfig::toMap).toList());
        return m;
    }
}
