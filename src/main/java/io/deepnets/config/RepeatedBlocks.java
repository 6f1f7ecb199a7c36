package io.deepnets.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A block of layers defined once under {@code model.blocks} and used in {@code model.layers} as often as needed, with
 * parameters: what a Keras user writes as a Python function that builds a residual block and calls it in a loop.
 *
 * <pre>
 * blocks:
 *   basic:
 *     params: {filters: 16, strides: 1}      # names and defaults; a list of names makes every one required
 *     layers:
 *       - {name: conv_a, type: conv2d, filters: $filters, kernel_size: 3, strides: $strides, padding: same}
 *       - ...
 *       - {name: sum, type: add, inputs: [bn_b, in]}   # 'in' is the block's input
 * layers:
 *   - {block: basic, repeat: 3, with: {filters: 32}}
 * </pre>
 *
 * Each use expands to the block's layers, renamed {@code <instance>_<name>} where the instance is the entry's
 * {@code name} (numbered {@code <name>_<k>} from 1 when repeated, skipping numbers already taken) or {@code <block>_<k>}
 * numbered per block from 1 ({@code basic_1_conv_a}); a {@code $param} value (whole
 * value or list item) is replaced by the parameter's value. Inside the block a layer's {@code inputs} name the block's
 * other layers or {@code in}; the first layer takes the block's input by default (the layer before the entry, or the
 * entry's {@code inputs}); the block's output is its last layer, and later layers may name the instance for it.
 */
final class RepeatedBlocks {
    /** One layer of the expanded list: the raw YAML mapping and where it came from, for error messages. */
    record RawLayer(String path, Object node) {
    }

    /** In an expanded layer's {@code inputs}: the layer at this index of the expanded list (-1: the network's input), whose name may be a default one not yet known. */
    record LayerAt(int index) {
    }

    static final List<String> ENTRY_KEYS = List.of("block", "repeat", "with", "name", "inputs");
    private static final int MAX_LAYERS = 100_000;

    private final Map<String, Block> blocks = new LinkedHashMap<>();

    private record Block(String name, Map<String, Object> defaults, List<String> required, List<?> layers) {
    }

    private RepeatedBlocks() {
    }

    /** Reads {@code model.blocks}; an absent section defines none. */
    static RepeatedBlocks of(YamlSection model) {
        RepeatedBlocks out = new RepeatedBlocks();
        if (!model.has("blocks")) {
            model.raw("blocks");
            return out;
        }
        YamlSection all = model.section("blocks");
        for (String name : new ArrayList<>(keys(all))) {
            YamlSection b = all.section(name);
            if (!name.matches("[A-Za-z][A-Za-z0-9_]*")) {
                throw new ConfigException(b.path(), "a block's name is a letter followed by letters, digits or '_', got '" + name + "'");
            }
            Map<String, Object> defaults = new LinkedHashMap<>();
            List<String> required = new ArrayList<>();
            Object params = b.raw("params");
            if (params instanceof List<?> list) {
                for (int i = 0; i < list.size(); i++) {
                    required.add(YamlSection.asString(b.pathOf("params") + "[" + i + "]", list.get(i)));
                }
            } else if (params != null) {
                YamlSection p = YamlSection.of(b.pathOf("params"), params);
                for (String key : keys(p)) {
                    Object v = p.raw(key);
                    if (v == null) {
                        required.add(key);
                    } else {
                        defaults.put(key, v);
                    }
                }
            }
            for (String param : concat(required, defaults.keySet())) {
                if (!param.matches("[A-Za-z][A-Za-z0-9_]*")) {
                    throw new ConfigException(b.pathOf("params"), "a parameter's name is a letter followed by letters, digits or '_', got '" + param + "'");
                }
            }
            List<?> layers = b.requireList("layers");
            if (layers.isEmpty()) {
                throw new ConfigException(b.pathOf("layers"), "expected at least one layer");
            }
            b.rejectUnknown(List.of("params", "layers"));
            out.blocks.put(name, new Block(name, defaults, required, layers));
        }
        return out;
    }

    private static List<String> keys(YamlSection s) {
        List<String> out = new ArrayList<>();
        for (String k : s.keys()) {
            out.add(k);
        }
        return out;
    }

    private static List<String> concat(List<String> a, java.util.Collection<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    /**
     * The layers with every block entry expanded; {@code offset} is the index of the first entry in the whole
     * {@code model.layers} (for error paths), {@code previous} the name of the layer before the first entry (null for the
     * network's input).
     */
    List<RawLayer> expand(String listPath, List<?> entries, int offset) {
        List<RawLayer> out = new ArrayList<>();
        Map<String, Integer> counters = new HashMap<>();
        Map<String, String> instanceOutputs = new HashMap<>();
        java.util.Set<String> instanceNames = new java.util.HashSet<>();
        for (int i = 0; i < entries.size(); i++) {
            String path = listPath + "[" + (i + offset) + "]";
            Object node = entries.get(i);
            if (!(node instanceof Map<?, ?> map) || !map.containsKey("block")) {
                if (node instanceof Map<?, ?> m && m.get("name") instanceof String n && instanceNames.contains(n)) {
                    throw new ConfigException(path + ".name", "'" + n + "' already names a block in the network (its inputs would mean the "
                            + "block's output); give the layer another name");
                }
                out.add(new RawLayer(path, renameInputs(node, instanceOutputs)));
                continue;
            }
            YamlSection e = YamlSection.of(path, node);
            String name = e.requireString("block");
            Block block = blocks.get(name);
            if (block == null) {
                throw new ConfigException(e.pathOf("block"), blocks.isEmpty() ? "no blocks are defined (model.blocks)"
                        : "no block '" + name + "' in model.blocks; defined: " + String.join(", ", blocks.keySet()));
            }
            int repeat = e.optInt("repeat", 1);
            if (repeat < 1 || repeat > 1000) {
                throw new ConfigException(e.pathOf("repeat"), "expected 1..1000, got " + repeat);
            }
            Map<String, Object> values = new LinkedHashMap<>(block.defaults());
            if (e.has("with")) {
                YamlSection w = e.section("with");
                for (String key : keys(w)) {
                    if (!block.defaults().containsKey(key) && !block.required().contains(key)) {
                        throw new ConfigException(w.pathOf(key), "block '" + name + "' has no parameter '" + key + "'; its parameters: "
                                + String.join(", ", concat(block.required(), block.defaults().keySet())));
                    }
                    values.put(key, w.raw(key));
                }
            } else {
                e.raw("with");
            }
            for (String param : block.required()) {
                if (values.get(param) == null) {
                    throw new ConfigException(e.pathOf("with"), "block '" + name + "' needs a value for '" + param + "'");
                }
            }
            String given = e.optString("name", null);
            List<String> inputs = e.optStringList("inputs");
            if (inputs != null && inputs.size() != 1) {
                throw new ConfigException(e.pathOf("inputs"), "a block takes one input, got " + inputs);
            }
            e.rejectUnknown(ENTRY_KEYS);
            String input = inputs == null ? null : instanceOutputs.getOrDefault(inputs.get(0), inputs.get(0));
            int number = 0;
            for (int r = 0; r < repeat; r++) {
                String instance;
                if (given != null && repeat == 1) {
                    instance = given;
                } else if (given != null) {
                    // Numbered from 1, past numbers taken: {block: down, name: stage2_1} then {name: stage2, repeat: 2}
                    // gives stage2_2 and stage2_3.
                    do {
                        number++;
                    } while (instanceNames.contains(given + "_" + number));
                    instance = given + "_" + number;
                } else {
                    instance = name + "_" + counters.merge(name, 1, Integer::sum);
                }
                for (RawLayer earlier : out) {
                    if (earlier.node() instanceof Map<?, ?> m && instance.equals(m.get("name"))) {
                        throw new ConfigException(e.pathOf("name"), "'" + instance + "' is already the name of " + earlier.path()
                                + "; give the block another name");
                    }
                }
                if (!instanceNames.add(instance)) {
                    throw new ConfigException(e.pathOf("name"), "a block named '" + instance + "' is already in the network; give this one another name");
                }
                String where = path + (repeat > 1 ? " (" + instance + ")" : "");
                String last = instantiate(block, instance, values, input, where, out);
                instanceOutputs.put(instance, last);
                input = null;
                if (out.size() > MAX_LAYERS) {
                    throw new ConfigException(path, "the expanded network has more than " + MAX_LAYERS + " layers");
                }
            }
        }
        return out;
    }

    /** Appends one instance's layers to {@code out}; returns the name of its last layer. */
    private String instantiate(Block block, String instance, Map<String, Object> values, String input, String where, List<RawLayer> out) {
        List<String> locals = new ArrayList<>();
        Map<String, Integer> counters = new HashMap<>();
        List<Map<String, Object>> layers = new ArrayList<>();
        for (int j = 0; j < block.layers().size(); j++) {
            String path = "model.blocks." + block.name() + ".layers[" + j + "]";
            YamlSection l = YamlSection.of(path, block.layers().get(j));
            Map<String, Object> raw = new LinkedHashMap<>();
            for (String key : keys(l)) {
                if (List.of("block", "repeat", "with").contains(key)) {
                    throw new ConfigException(l.pathOf(key), "a block's layers are layers; blocks inside blocks are not supported");
                }
                raw.put(key, substitute(l.pathOf(key), l.raw(key), values, block));
            }
            String local;
            if (raw.get("name") != null) {
                local = YamlSection.asString(l.pathOf("name"), raw.get("name"));
                if ("in".equals(local) || locals.contains(local)) {
                    throw new ConfigException(l.pathOf("name"), "'" + local + "' " + ("in".equals(local) ? "names the block's input" : "is used twice in the block"));
                }
            } else {
                String type = raw.get("type") instanceof String t ? t : "layer";
                local = type + "_" + counters.merge(type, 1, Integer::sum);
            }
            locals.add(local);
            layers.add(raw);
        }
        Object blockInput = input != null ? input : new LayerAt(out.size() - 1);
        for (int j = 0; j < layers.size(); j++) {
            String path = "model.blocks." + block.name() + ".layers[" + j + "]";
            Map<String, Object> raw = layers.get(j);
            raw.put("name", instance + "_" + locals.get(j));
            Object in = raw.get("inputs");
            if (in != null) {
                if (!(in instanceof List<?> list)) {
                    throw new ConfigException(path + ".inputs", "expected a list of layer names, got " + YamlSection.describe(in));
                }
                List<Object> renamed = new ArrayList<>();
                for (int k = 0; k < list.size(); k++) {
                    String n = YamlSection.asString(path + ".inputs[" + k + "]", list.get(k));
                    if ("in".equals(n)) {
                        renamed.add(blockInput);
                    } else if (locals.contains(n)) {
                        renamed.add(instance + "_" + n);
                    } else {
                        throw new ConfigException(path + ".inputs[" + k + "]", "no layer '" + n + "' in block '" + block.name() + "'; its layers: in, "
                                + String.join(", ", locals));
                    }
                }
                raw.put("inputs", renamed);
            } else if (j == 0 && input != null) {
                raw.put("inputs", List.of(input));
            }
            out.add(new RawLayer(where + ": " + path, raw));
        }
        return instance + "_" + locals.get(locals.size() - 1);
    }

    /** Later layers may name a block instance for its last layer. */
    private static Object renameInputs(Object node, Map<String, String> instanceOutputs) {
        if (instanceOutputs.isEmpty() || !(node instanceof Map<?, ?> map) || !(map.get("inputs") instanceof List<?> list)) {
            return node;
        }
        Map<Object, Object> copy = new LinkedHashMap<>(map);
        copy.put("inputs", list.stream().map(n -> n instanceof String s ? instanceOutputs.getOrDefault(s, s) : n).toList());
        return copy;
    }

    private static Object substitute(String path, Object value, Map<String, Object> values, Block block) {
        if (value instanceof String s && s.startsWith("$")) {
            String param = s.substring(1);
            if (!values.containsKey(param)) {
                throw new ConfigException(path, "'" + s + "' is no parameter of block '" + block.name() + "'; its parameters: "
                        + String.join(", ", concat(block.required(), block.defaults().keySet())));
            }
            return values.get(param);
        }
        if (value instanceof List<?> list) {
            List<Object> out = new ArrayList<>();
            for (int i = 0; i < list.size(); i++) {
                out.add(substitute(path + "[" + i + "]", list.get(i), values, block));
            }
            return out;
        }
        if (value instanceof Map<?, ?> map) {
            Map<Object, Object> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                out.put(e.getKey(), substitute(path + "." + e.getKey(), e.getValue(), values, block));
            }
            return out;
        }
        return value;
    }
}
