package io.deepnets.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The network: the shape of one input sample (Keras order) and its layers, each with a name and the layers whose
 * outputs it takes (Keras's functional API). By default a layer takes the layer before it, so a plain list of layers
 * is a stack, as in Keras's {@code Sequential}. The constructor runs shape inference over the graph, so a config whose
 * shapes or connections do not work never reaches training.
 *
 * @param inputShape {@code [784]} for flat input or {@code [height, width, channels]} for images
 * @param layers the layers in order; exactly one {@code output} layer, last
 * @param names each layer's name (null entries, or a null list, take the summary's default names:
 *     {@code conv2d_1, conv2d_2, ...})
 * @param inputs each layer's inputs by name ({@link #INPUT} for the network's input; null entries, or a null list, take
 *     the layer before)
 * @param transfer where the first layers' trained weights come from and how many of them are frozen; null when the
 *     network is trained from scratch
 */
public record ModelConfig(TensorShape inputShape, List<LayerConfig> layers, List<String> names, List<List<String>> inputs, Transfer transfer) {

    /** The name by which layers take the network's input, as Keras's summary names its input layer. */
    public static final String INPUT = "input";

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

    /** A stack: every layer takes the one before it, names are the summary's defaults. */
    public ModelConfig(TensorShape inputShape, List<LayerConfig> layers, Transfer transfer) {
        this(inputShape, layers, null, null, transfer);
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
        boolean wired = inputs != null && inputs.stream().anyMatch(java.util.Objects::nonNull);
        names = resolveNames(layers, names);
        for (int i = 0; i < layers.size(); i++) {
            boolean last = i == layers.size() - 1;
            boolean isOutput = layers.get(i) instanceof LayerConfig.Output;
            String path = !wired ? layerPath(i) : layerPath(i) + " (" + names.get(i) + ")";
            if (isOutput && !last) {
                int other = -1;
                for (int j = i + 1; j < layers.size(); j++) {
                    other = layers.get(j) instanceof LayerConfig.Output && other < 0 ? j : other;
                }
                throw new ConfigException(path, other >= 0
                        ? "a second output layer: the network has one output, its last layer (" + layerPath(other) + " (" + names.get(other) + "))"
                        : "an output layer must be the last layer");
            }
            if (!isOutput && last) {
                throw new ConfigException(path, "the last layer must be of type output, got " + layers.get(i).type());
            }
        }
        inputs = resolveInputs(layers, names, inputs);
        if (inputShape.size() > MAX_VALUES) {
            throw new ConfigException("model.input_shape", inputShape.dims() + " is " + count(inputShape.size())
                    + " values per sample, more than DL4J can index (at most " + count(MAX_VALUES) + ")");
        }
        if (transfer != null && transfer.baseLayers() >= layers.size()) {
            throw new ConfigException("model.transfer.base_layers", transfer.baseLayers() + " base layers leave no output layer of its own among the "
                    + layers.size() + " layers");
        }
        List<TensorShape> outs = shapes(inputShape, layers, names, inputs);
        List<TensorShape> ins = inputShapes(inputShape, names, inputs, outs);
        long total = 0;
        for (int i = 0; i < layers.size(); i++) {
            if (outs.get(i).size() > MAX_VALUES) {
                throw new ConfigException(layerPath(i, names, inputs), "its output " + outs.get(i) + " is " + count(outs.get(i).size())
                        + " values per sample, more than DL4J can index (at most " + count(MAX_VALUES) + ")");
            }
            long params = layers.get(i).params(ins.get(i));
            total = TensorShape.saturatingAdd(total, params);
            if (total > MAX_VALUES) {
                throw new ConfigException(layerPath(i, names, inputs), "the network would have " + (total == Long.MAX_VALUE ? "more than 9e18" : count(total))
                        + " parameters, more than DL4J can hold in its parameter vector (at most " + count(MAX_VALUES) + ")");
            }
        }
    }

    private static final java.util.regex.Pattern NAME = java.util.regex.Pattern.compile("[A-Za-z][A-Za-z0-9_.-]*");

    /** The summary's default names: the Keras class in snake case, numbered per class from 1. */
    static List<String> defaultNames(List<LayerConfig> layers) {
        Map<String, Integer> counters = new LinkedHashMap<>();
        List<String> out = new ArrayList<>();
        for (LayerConfig layer : layers) {
            String base = layer.kerasClass().replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
            out.add(base + "_" + counters.merge(base, 1, Integer::sum));
        }
        return out;
    }

    private static List<String> resolveNames(List<LayerConfig> layers, List<String> given) {
        if (given != null && given.size() != layers.size()) {
            throw new IllegalArgumentException(given.size() + " names for " + layers.size() + " layers");
        }
        List<String> defaults = defaultNames(layers);
        List<String> out = new ArrayList<>();
        Map<String, Integer> seen = new java.util.HashMap<>();
        for (int i = 0; i < layers.size(); i++) {
            String name = given == null || given.get(i) == null ? defaults.get(i) : given.get(i);
            if (!NAME.matcher(name).matches()) {
                throw new ConfigException(layerPath(i) + ".name", "expected a letter followed by letters, digits, '_', '-' or '.', got '" + name + "'");
            }
            if (INPUT.equals(name)) {
                throw new ConfigException(layerPath(i) + ".name", "'" + INPUT + "' names the network's input; choose another name");
            }
            Integer before = seen.put(name, i);
            if (before != null) {
                throw new ConfigException(layerPath(i) + ".name", "'" + name + "' is already the name of " + layerPath(before)
                        + (given == null || given.get(before) == null ? " (its default name)" : "") + "; every layer needs a name of its own");
            }
            out.add(name);
        }
        return List.copyOf(out);
    }

    private static List<List<String>> resolveInputs(List<LayerConfig> layers, List<String> names, List<List<String>> given) {
        if (given != null && given.size() != layers.size()) {
            throw new IllegalArgumentException(given.size() + " input lists for " + layers.size() + " layers");
        }
        Map<String, Integer> index = new java.util.HashMap<>();
        for (int i = 0; i < names.size(); i++) {
            index.put(names.get(i), i);
        }
        List<List<String>> out = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            List<String> in = given == null || given.get(i) == null ? List.of(i == 0 ? INPUT : names.get(i - 1)) : List.copyOf(given.get(i));
            String path = layerPath(i) + " (" + names.get(i) + ")";
            if (in.isEmpty()) {
                throw new ConfigException(path + ".inputs", "expected at least one layer name (or '" + INPUT + "' for the network's input)");
            }
            for (String name : in) {
                if (name.equals(names.get(i))) {
                    throw new ConfigException(path + ".inputs", "'" + name + "' is the layer itself: a cycle; a layer takes earlier layers' outputs");
                }
                Integer at = index.get(name);
                if (at == null && !INPUT.equals(name)) {
                    throw new ConfigException(path + ".inputs", "no layer is named '" + name + "'; the names are " + INPUT + ", "
                            + String.join(", ", names.subList(0, i)) + (i + 1 < names.size() ? ", ..." : ""));
                }
                if (at != null && at > i) {
                    List<String> cycle = cycle(i, at, names, layers, given);
                    throw new ConfigException(path + ".inputs", cycle != null
                            ? "'" + name + "' forms a cycle: " + String.join(" -> ", cycle)
                            : "'" + name + "' comes later (" + layerPath(at) + "); list a layer after the layers it takes, as Keras's functional API builds them");
                }
            }
            if (new java.util.HashSet<>(in).size() != in.size()) {
                throw new ConfigException(path + ".inputs", "names a layer twice: " + in);
            }
            boolean merge = layers.get(i) instanceof LayerConfig.Merge;
            if (merge && in.size() < 2) {
                throw new ConfigException(path + ".inputs", layers.get(i).type() + " joins two or more layers, got " + in);
            }
            if (!merge && in.size() != 1) {
                throw new ConfigException(path + ".inputs", layers.get(i).type() + " takes one input, got " + in
                        + "; join branches first with an add or concatenate layer");
            }
            out.add(in);
        }
        for (int i = 0; i < layers.size() - 1; i++) {
            boolean used = false;
            for (int j = i + 1; j < layers.size() && !used; j++) {
                used = out.get(j).contains(names.get(i));
            }
            if (!used) {
                throw new ConfigException(layerPath(i) + " (" + names.get(i) + ")", "its output goes nowhere: no later layer takes '" + names.get(i)
                        + "' as an input (the network's one output is its last layer)");
            }
        }
        return List.copyOf(out);
    }

    /** The cycle through layer {@code from} when it takes later layer {@code to}'s output, or null when there is none. */
    private static List<String> cycle(int from, int to, List<String> names, List<LayerConfig> layers, List<List<String>> given) {
        List<String> path = new ArrayList<>();
        return walk(to, from, names, given, new java.util.HashSet<>(), path) ? prepend(names.get(from), path) : null;
    }

    private static List<String> prepend(String first, List<String> path) {
        List<String> out = new ArrayList<>();
        out.add(first);
        out.addAll(path);
        return out;
    }

    /** Depth-first from layer {@code at} through its inputs until {@code target}; {@code path} collects the layers walked. */
    private static boolean walk(int at, int target, List<String> names, List<List<String>> given, java.util.Set<Integer> seen, List<String> path) {
        path.add(names.get(at));
        if (at == target) {
            return true;
        }
        if (seen.add(at)) {
            List<String> in = given == null || given.get(at) == null ? (at == 0 ? List.of() : List.of(names.get(at - 1))) : given.get(at);
            for (String name : in) {
                int next = names.indexOf(name);
                if (next >= 0 && walk(next, target, names, given, seen, path)) {
                    return true;
                }
            }
        }
        path.remove(path.size() - 1);
        return false;
    }

    private static String count(long n) {
        return String.format(java.util.Locale.ROOT, "%,d", n);
    }

    static String layerPath(int i) {
        return "model.layers[" + i + "]";
    }

    /** A layer's key path, with its name where the network is a graph (a stack's layers are known by position). */
    private static String layerPath(int i, List<String> names, List<List<String>> inputs) {
        return isGraph(names, inputs) || !names.get(i).matches("[a-z0-9_]+_[0-9]+") ? layerPath(i) + " (" + names.get(i) + ")" : layerPath(i);
    }

    private static boolean isGraph(List<String> names, List<List<String>> inputs) {
        for (int i = 0; i < inputs.size(); i++) {
            if (!inputs.get(i).equals(List.of(i == 0 ? INPUT : names.get(i - 1)))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether the network is a graph: some layer takes another input than the layer before it (a branch, a merge).
     * A stack becomes a DL4J {@code MultiLayerNetwork}, a graph a {@code ComputationGraph}.
     */
    public boolean isGraph() {
        return isGraph(names, inputs);
    }

    private static List<TensorShape> shapes(TensorShape input, List<LayerConfig> layers, List<String> names, List<List<String>> inputs) {
        Map<String, TensorShape> byName = new java.util.HashMap<>();
        byName.put(INPUT, input);
        List<TensorShape> out = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            String path = layerPath(i, names, inputs);
            TensorShape shape;
            if (layers.get(i) instanceof LayerConfig.Merge m) {
                shape = m.outputShape(path, inputs.get(i).stream().map(byName::get).toList(), inputs.get(i));
            } else {
                shape = layers.get(i).outputShape(path, byName.get(inputs.get(i).get(0)));
            }
            byName.put(names.get(i), shape);
            out.add(shape);
        }
        return out;
    }

    /** Each layer's input shape: its (first) input's output shape. */
    private static List<TensorShape> inputShapes(TensorShape input, List<String> names, List<List<String>> inputs, List<TensorShape> outs) {
        List<TensorShape> ins = new ArrayList<>();
        for (List<String> in : inputs) {
            String first = in.get(0);
            ins.add(INPUT.equals(first) ? input : outs.get(names.indexOf(first)));
        }
        return ins;
    }

    /** The output shape of each layer, in order. */
    public List<TensorShape> outputShapes() {
        return shapes(inputShape, layers, names, inputs);
    }

    /** The input shape of each layer (of its first input for a merge layer), in order. */
    public List<TensorShape> inputShapes() {
        return inputShapes(inputShape, names, inputs, outputShapes());
    }

    /** The index of the layer named {@code name}, -1 for the network's input; throws for an unknown name. */
    public int indexOf(String name) {
        if (INPUT.equals(name)) {
            return -1;
        }
        int at = names.indexOf(name);
        if (at < 0) {
            throw new IllegalArgumentException("no layer named " + name);
        }
        return at;
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
        return names;
    }

    /** Number of classes: the output layer's units. */
    public int classes() {
        return ((LayerConfig.Output) layers.get(layers.size() - 1)).units();
    }

    /**
     * The resolved model for the saved config: a graph's layers each with their {@code name} and {@code inputs}; a
     * stack's layers as before, with a {@code name} only where it is not the default.
     */
    Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("input_shape", inputShape.dims());
        boolean graph = isGraph();
        List<String> defaults = defaultNames(layers);
        List<Map<String, Object>> out = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            Map<String, Object> layer = new LinkedHashMap<>();
            if (graph || !names.get(i).equals(defaults.get(i))) {
                layer.put("name", names.get(i));
            }
            if (graph) {
                layer.put("inputs", inputs.get(i));
            }
            layer.putAll(layers.get(i).toMap());
            out.add(layer);
        }
        m.put("layers", out);
        if (transfer != null) {
            m.put("transfer", transfer.toMap());
        }
        return m;
    }
}
