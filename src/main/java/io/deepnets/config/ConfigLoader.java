package io.deepnets.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.representer.Representer;

/**
 * Reads an experiment YAML (SnakeYAML's safe constructor: plain maps, lists and scalars, never arbitrary
 * types), applies {@code --set} overrides, and builds the validated {@link ExperimentConfig}. Every error
 * names the file and the key path.
 */
public final class ConfigLoader {

    static final List<String> TOP_KEYS = List.of("name", "description", "seed", "data", "model", "optimizer", "training");
    static final List<String> DATA_KEYS = List.of("dataset", "path", "data_dir", "validation_split", "validation_data",
            "train_subset", "test_subset", "class_names", "test_split", "image_size", "channels", "resize", "skip_bad_images", "cache", "classes",
            "augment", "test_time_augment");
    static final List<String> MODEL_KEYS = List.of("input_shape", "blocks", "layers", "base", "freeze", "replace_output", "transfer");
    static final List<String> TRAINING_KEYS = List.of("batch_size", "epochs", "shuffle", "early_stopping", "reduce_lr_on_plateau", "checkpoint",
            "fine_tune", "swa");
    static final long DEFAULT_SEED = 42;

    private ConfigLoader() {
    }

    /** Loads and validates {@code file}, applying each {@code key.path=value} override in order. */
    public static ExperimentConfig load(Path file, List<String> overrides) {
        String text = YamlDocuments.readFile(file, "config file");
        try {
            return parse(text, overrides);
        } catch (ConfigException e) {
            throw ConfigOverrides.blame(e, overrides).orElseGet(() -> e.inFile(file.toString()));
        }
    }

    /** Parses YAML text; errors carry key paths but no file name. */
    public static ExperimentConfig parse(String yamlText, List<String> overrides) {
        Object root = readYaml(yamlText);
        if (root == null) {
            throw new ConfigException("", "the file is empty; expected an experiment config (name, data, model, optimizer, training)");
        }
        if (!(root instanceof Map<?, ?>)) {
            throw new ConfigException("", "expected a mapping of keys at the top level, got " + YamlSection.describe(root));
        }
        Object withOverrides = ConfigOverrides.apply(root, overrides);
        return build(YamlSection.of("", withOverrides));
    }

    static Object readYaml(String text) {
        return YamlDocuments.parse(text);
    }

    private static ExperimentConfig build(YamlSection root) {
        String name = root.requireString("name");
        String description = root.optString("description", "");
        long seed = root.optLong("seed", DEFAULT_SEED);
        DataConfig data = data(root.section("data"), seed);
        ModelConfig model = model(root.section("model"));
        YamlSection optimizerSection = root.section("optimizer");
        TrainingCallbacks.Schedule schedule = optimizerSection.has("schedule") ? schedule(optimizerSection.section("schedule"),
                root.raw("training") instanceof Map<?, ?> t && t.get("epochs") instanceof Integer e ? e : 0) : null;
        OptimizerConfig optimizer = optimizer(optimizerSection);
        TrainingConfig training = training(root.section("training"), schedule, model);
        root.rejectUnknown(TOP_KEYS);
        return new ExperimentConfig(name, description, seed, data, model, optimizer, training);
    }

    private static DataConfig data(YamlSection s, long seed) {
        String dataset = s.requireString("dataset");
        String path = s.optString("path", null);
        String dataDir = s.optString("data_dir", null);
        Double split = s.optDouble("validation_split", null);
        String validationData = s.optString("validation_data", null);
        if (validationData != null && !"test".equals(validationData)) {
            throw new ConfigException(s.pathOf("validation_data"), "expected 'test' (the test set as validation data), got '" + validationData + "'");
        }
        Integer trainSubset = s.optInt("train_subset", null);
        Integer testSubset = s.optInt("test_subset", null);
        List<String> classNames = s.optStringList("class_names");
        Double testSplit = s.optDouble("test_split", null);
        DataConfig.ImageFolder folder = null;
        if (s.has("image_size")) {
            int[] size = s.optPair("image_size", null);
            folder = new DataConfig.ImageFolder(size[0], size[1], s.optInt("channels", 3), s.optString("resize", "stretch"),
                    s.optBool("skip_bad_images", false), s.optString("cache", "auto"));
        } else {
            for (String k : List.of("channels", "resize", "skip_bad_images", "cache")) {
                if (s.has(k)) {
                    throw new ConfigException(s.pathOf(k), "only applies to dataset folder, together with data.image_size");
                }
            }
        }
        List<String> classes = s.optStringList("classes");
        DataConfig.Augmentation augment = null;
        if (s.has("augment")) {
            YamlSection a = s.section("augment");
            augment = located(a, () -> new DataConfig.Augmentation(a.optBool("horizontal_flip", false), shift(a, "width_shift"),
                    shift(a, "height_shift"), a.optDouble("rotation", 0.0), a.optDouble("zoom", 0.0), a.optInt("cutout", 0),
                    a.optDouble("cutout_fill", 0.0), a.optString("fill_mode", "nearest"), a.optDouble("cval", 0.0)),
                    List.of("horizontal_flip", "width_shift", "height_shift", "rotation", "zoom", "cutout", "cutout_fill", "fill_mode", "cval"));
        }
        DataConfig.TestTimeAugmentation testTime = null;
        if (s.has("test_time_augment")) {
            YamlSection t = s.section("test_time_augment");
            testTime = located(t, () -> new DataConfig.TestTimeAugmentation(t.optBool("horizontal_flip", false)), List.of("horizontal_flip"));
        }
        s.rejectUnknown(DATA_KEYS);
        return new DataConfig(dataset, path, dataDir, split, validationData != null, trainSubset, testSubset, classNames, testSplit, seed,
                folder, classes, augment, testTime);
    }

    private static ModelConfig model(YamlSection s) {
        if (s.has("base")) {
            return transferModel(s);
        }
        for (String k : List.of("freeze", "replace_output")) {
            if (s.has(k)) {
                throw new ConfigException(s.pathOf(k), "only applies with model.base (the trained network to start from)");
            }
        }
        TensorShape input = new TensorShape(s.requireIntList("input_shape"));
        Parsed layers = layers(s, RepeatedBlocks.of(s), s.requireList("layers"), 0, List.of(), List.of());
        ModelConfig.Transfer transfer = null;
        if (s.has("transfer")) {
            YamlSection t = s.section("transfer");
            transfer = located(t, () -> new ModelConfig.Transfer(t.requireString("base"), t.requireString("base_sha256"), t.requireInt("base_layers"),
                    t.requireInt("frozen")), List.of("base", "base_sha256", "base_layers", "frozen"));
        }
        s.rejectUnknown(MODEL_KEYS);
        return new ModelConfig(input, layers.layers(), layers.names(), layers.inputs(), transfer);
    }

    /** Layers as read, blocks expanded; names and inputs resolved (a default name where none is given). */
    private record Parsed(List<LayerConfig> layers, List<String> names, List<List<String>> inputs) {
    }

    /**
     * Parses {@code rawLayers}, which follow {@code before} (the base's layers in transfer learning, already resolved);
     * {@code offset} is the index of the first in the whole list.
     */
    private static Parsed layers(YamlSection s, RepeatedBlocks blocks, List<?> rawLayers, int offset, List<LayerConfig> before,
            List<String> beforeNames) {
        List<RepeatedBlocks.RawLayer> raw = blocks.expand(s.pathOf("layers"), rawLayers, offset);
        List<LayerConfig> layers = new ArrayList<>(before);
        List<String> givenNames = new ArrayList<>(beforeNames);
        List<List<Object>> givenInputs = new ArrayList<>(java.util.Collections.nCopies(before.size(), null));
        for (RepeatedBlocks.RawLayer r : raw) {
            String path = r.path();
            YamlSection l = YamlSection.of(path, r.node());
            try {
                givenNames.add(l.optString("name", null));
                Object in = l.raw("inputs");
                if (in != null && !(in instanceof List<?>)) {
                    throw new ConfigException(l.pathOf("inputs"), "expected a list of layer names, got " + YamlSection.describe(in));
                }
                List<Object> inputs = null;
                if (in instanceof List<?> list) {
                    inputs = new ArrayList<>();
                    for (int k = 0; k < list.size(); k++) {
                        Object n = list.get(k);
                        inputs.add(n instanceof RepeatedBlocks.LayerAt at ? new RepeatedBlocks.LayerAt(at.index() + before.size())
                                : YamlSection.asString(l.pathOf("inputs") + "[" + k + "]", n));
                    }
                }
                givenInputs.add(inputs);
                layers.add(layer(l));
            } catch (ConfigException e) {
                throw e.keyPath().startsWith(path) ? e : e.under(path);
            }
        }
        List<String> defaults = ModelConfig.defaultNames(layers);
        List<String> names = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            names.add(givenNames.get(i) != null ? givenNames.get(i) : defaults.get(i));
        }
        List<List<String>> inputs = new ArrayList<>();
        for (List<Object> in : givenInputs) {
            inputs.add(in == null ? null : in.stream().map(n -> n instanceof RepeatedBlocks.LayerAt at
                    ? (at.index() < 0 ? ModelConfig.INPUT : names.get(at.index())) : (String) n).toList());
        }
        return new Parsed(layers.subList(before.size(), layers.size()), names.subList(before.size(), names.size()),
                inputs.subList(before.size(), inputs.size()));
    }

    /**
     * {@code model: {base, freeze, replace_output, layers}}: the base run's layers (its own config.yaml), without its output
     * layer when {@code replace_output} (the default), followed by {@code layers}, the new head. {@code freeze} is a count of
     * leading layers or the summary name of the last frozen one. The result is the resolved form ({@code transfer}).
     */
    private static ModelConfig transferModel(YamlSection s) {
        Path zip = BaseNetwork.locate(s.pathOf("base"), s.requireString("base"));
        ExperimentConfig base;
        try {
            base = load(zip.getParent().resolve("config.yaml"), List.of());
        } catch (ConfigException e) {
            throw new ConfigException(s.pathOf("base"), "the base run's config.yaml does not load: " + e.getMessage());
        }
        boolean replace = s.optBool("replace_output", true);
        List<LayerConfig> baseLayers = base.model().layers();
        if (replace) {
            baseLayers = baseLayers.subList(0, baseLayers.size() - 1);
        }
        List<?> rawHead = s.has("layers") ? s.requireList("layers") : List.of();
        Parsed parsed = layers(s, RepeatedBlocks.of(s), rawHead, baseLayers.size(), baseLayers,
                base.model().layerNames().subList(0, baseLayers.size()));
        List<LayerConfig> head = parsed.layers();
        if (replace && head.isEmpty()) {
            throw new ConfigException(s.pathOf("layers"), "is required with replace_output: true: the new layers, ending with an output layer sized to "
                    + "the new classes (e.g. [{type: output, units: 2}])");
        }
        if (!replace && !head.isEmpty()) {
            throw new ConfigException(s.pathOf("layers"), "with replace_output: false the base's own output layer stays last, so no layers can follow it");
        }
        if (s.has("input_shape")) {
            TensorShape given = new TensorShape(s.requireIntList("input_shape"));
            if (!given.equals(base.model().inputShape())) {
                throw new ConfigException(s.pathOf("input_shape"), given.dims() + " differs from the base network's input " + base.model().inputShape().dims()
                        + "; leave it out (it comes from the base)");
            }
        }
        List<LayerConfig> all = new ArrayList<>(baseLayers);
        all.addAll(head);
        List<String> names = new ArrayList<>(base.model().layerNames().subList(0, baseLayers.size()));
        names.addAll(parsed.names());
        List<List<String>> inputs = new ArrayList<>(base.model().inputs().subList(0, baseLayers.size()));
        inputs.addAll(parsed.inputs());
        int frozen = freezeCount(s, base.model().layerNames(), baseLayers.size());
        s.rejectUnknown(MODEL_KEYS);
        return new ModelConfig(base.model().inputShape(), all, names, inputs, new ModelConfig.Transfer(zip.toString(), BaseNetwork.sha256(zip),
                baseLayers.size(), frozen));
    }

    private static int freezeCount(YamlSection s, List<String> names, int baseLayers) {
        if (!s.has("freeze")) {
            return 0;
        }
        Object raw = s.raw("freeze");
        if (raw instanceof String name) {
            int at = names.indexOf(name);
            if (at < 0 || at >= baseLayers) {
                throw new ConfigException(s.pathOf("freeze"), "no layer '" + name + "' among the base layers kept: "
                        + String.join(", ", names.subList(0, baseLayers)));
            }
            s.optString("freeze", null);
            return at + 1;
        }
        int n = s.optInt("freeze", 0);
        if (n < 0 || n > baseLayers) {
            throw new ConfigException(s.pathOf("freeze"), "expected 0.." + baseLayers + " (how many of the base's " + baseLayers
                    + " kept layers to freeze) or a layer name, got " + n);
        }
        return n;
    }

    private static final int[] ONE = {1, 1};

    /** Every layer type the YAML knows, in the order error messages list them. */
    static final List<String> LAYER_TYPES = List.of("dense", "conv2d", "depthwise_conv2d", "separable_conv2d", "max_pool2d",
            "average_pooling2d", "global_average_pooling2d", "global_max_pooling2d", "zero_padding2d", "batch_normalization", "activation",
            "dropout", "flatten", "add", "concatenate", "output");

    private static LayerConfig layer(YamlSection l) {
        String type = l.requireString("type");
        LayerConfig layer = switch (type) {
            case "dense" -> new LayerConfig.Dense(l.requireInt("units"),
                    Activation.parse(l.pathOf("activation"), l.optString("activation", "linear")), regularizer(l), l.optBool("use_bias", true),
                    kernelInitializer(l));
            case "conv2d" -> new LayerConfig.Conv2D(l.requireInt("filters"), requirePair(l, "kernel_size"),
                    l.optPair("strides", ONE), Padding.parse(l.pathOf("padding"), l.optString("padding", "valid")),
                    Activation.parse(l.pathOf("activation"), l.optString("activation", "linear")), regularizer(l), l.optBool("use_bias", true),
                    kernelInitializer(l));
            case "depthwise_conv2d" -> new LayerConfig.DepthwiseConv2D(requirePair(l, "kernel_size"), l.optPair("strides", ONE),
                    Padding.parse(l.pathOf("padding"), l.optString("padding", "valid")), l.optInt("depth_multiplier", 1),
                    Activation.parse(l.pathOf("activation"), l.optString("activation", "linear")), regularizer(l, "depthwise_regularizer"),
                    l.optBool("use_bias", true));
            case "separable_conv2d" -> new LayerConfig.SeparableConv2D(l.requireInt("filters"), requirePair(l, "kernel_size"),
                    l.optPair("strides", ONE), Padding.parse(l.pathOf("padding"), l.optString("padding", "valid")), l.optInt("depth_multiplier", 1),
                    Activation.parse(l.pathOf("activation"), l.optString("activation", "linear")), separableRegularizer(l),
                    l.optBool("use_bias", true));
            case "zero_padding2d" -> zeroPadding(l);
            case "add" -> new LayerConfig.Add();
            case "concatenate" -> {
                Integer axis = l.optInt("axis", -1);
                if (axis != -1 && axis != 3) {
                    throw new ConfigException(l.pathOf("axis"), "only the channel axis (-1, Keras's default) is supported, got " + axis);
                }
                yield new LayerConfig.Concatenate();
            }
            case "max_pool2d" -> {
                int[] pool = l.optPair("pool_size", new int[] {2, 2});
                yield new LayerConfig.MaxPool2D(pool, l.optPair("strides", pool),
                        Padding.parse(l.pathOf("padding"), l.optString("padding", "valid")));
            }
            case "dropout" -> {
                if (!l.has("rate")) {
                    throw new ConfigException(l.pathOf("rate"), "is required (the drop probability, as in Keras's Dropout(rate))");
                }
                yield new LayerConfig.Dropout(l.optDouble("rate", null));
            }
            case "flatten" -> new LayerConfig.Flatten();
            case "batch_normalization" -> new LayerConfig.BatchNormalization(l.optDouble("momentum", 0.99), l.optDouble("epsilon", 1e-3));
            case "average_pooling2d" -> {
                int[] pool = l.optPair("pool_size", new int[] {2, 2});
                yield new LayerConfig.AvgPool2D(pool, l.optPair("strides", pool),
                        Padding.parse(l.pathOf("padding"), l.optString("padding", "valid")));
            }
            case "global_average_pooling2d" -> new LayerConfig.GlobalAvgPool2D();
            case "global_max_pooling2d" -> new LayerConfig.GlobalMaxPool2D();
            case "activation" -> {
                if (!l.has("activation")) {
                    throw new ConfigException(l.pathOf("activation"), "is required (e.g. relu), as in Keras's Activation('relu')");
                }
                yield new LayerConfig.ActivationLayer(Activation.parse(l.pathOf("activation"), l.optString("activation", null)));
            }
            case "output" -> new LayerConfig.Output(l.requireInt("units"),
                    Activation.parse(l.pathOf("activation"), l.optString("activation", "softmax")),
                    l.optString("loss", "categorical_crossentropy"), regularizer(l), kernelInitializer(l), l.optDouble("label_smoothing", 0.0));
            default -> throw new ConfigException(l.pathOf("type"),
                    "expected one of " + String.join(", ", LAYER_TYPES) + ", got '" + type + "'");
        };
        List<String> keys = new ArrayList<>(List.of("type", "name", "inputs"));
        keys.addAll(switch (type) {
            case "dense" -> List.of("units", "activation", "use_bias", "kernel_regularizer", "kernel_initializer");
            case "conv2d" -> List.of("filters", "kernel_size", "strides", "padding", "activation", "use_bias", "kernel_regularizer",
                    "kernel_initializer");
            case "depthwise_conv2d" -> List.of("kernel_size", "strides", "padding", "depth_multiplier", "activation", "use_bias",
                    "depthwise_regularizer");
            case "separable_conv2d" -> List.of("filters", "kernel_size", "strides", "padding", "depth_multiplier", "activation", "use_bias",
                    "depthwise_regularizer", "pointwise_regularizer");
            case "max_pool2d" -> List.of("pool_size", "strides", "padding");
            case "dropout" -> List.of("rate");
            case "flatten", "global_average_pooling2d", "global_max_pooling2d", "add" -> List.of();
            case "concatenate" -> List.of("axis");
            case "zero_padding2d" -> List.of("padding");
            case "batch_normalization" -> List.of("momentum", "epsilon");
            case "average_pooling2d" -> List.of("pool_size", "strides", "padding");
            case "activation" -> List.of("activation");
            default -> List.of("units", "activation", "loss", "label_smoothing", "kernel_regularizer", "kernel_initializer");
        });
        l.rejectUnknown(keys);
        return layer;
    }

    /** Keras's {@code ZeroPadding2D(padding)}: n (all four sides), [rows, columns] or [[top, bottom], [left, right]]; default 1. */
    private static LayerConfig.ZeroPadding2D zeroPadding(YamlSection l) {
        Object p = l.raw("padding");
        String path = l.pathOf("padding");
        if (p == null) {
            return new LayerConfig.ZeroPadding2D(1, 1, 1, 1);
        }
        if (p instanceof List<?> list && list.size() == 2 && list.get(0) instanceof List<?> rows && list.get(1) instanceof List<?> cols
                && rows.size() == 2 && cols.size() == 2) {
            return new LayerConfig.ZeroPadding2D(YamlSection.asInt(path + "[0][0]", rows.get(0)), YamlSection.asInt(path + "[0][1]", rows.get(1)),
                    YamlSection.asInt(path + "[1][0]", cols.get(0)), YamlSection.asInt(path + "[1][1]", cols.get(1)));
        }
        if (p instanceof List<?> list && list.size() == 2 && !(list.get(0) instanceof List<?>) && !(list.get(1) instanceof List<?>)) {
            int rows = YamlSection.asInt(path + "[0]", list.get(0));
            int cols = YamlSection.asInt(path + "[1]", list.get(1));
            return new LayerConfig.ZeroPadding2D(rows, rows, cols, cols);
        }
        if (p instanceof List<?>) {
            throw new ConfigException(path, "expected an integer, [rows, columns] or [[top, bottom], [left, right]], got " + YamlSection.describe(p));
        }
        int n = YamlSection.asInt(path, p);
        return new LayerConfig.ZeroPadding2D(n, n, n, n);
    }

    /**
     * Keras's two regularizers of a separable convolution. DL4J's {@code SeparableConvolution2D} puts one penalty on
     * both of its kernels, so they must be given alike (or not at all).
     */
    private static Regularizer separableRegularizer(YamlSection l) {
        Regularizer depthwise = regularizer(l, "depthwise_regularizer");
        Regularizer pointwise = regularizer(l, "pointwise_regularizer");
        if (!depthwise.equals(pointwise)) {
            throw new ConfigException(l.pathOf("pointwise_regularizer"), "must equal depthwise_regularizer: DL4J's separable convolution puts one "
                    + "penalty on both kernels");
        }
        return depthwise;
    }

    /** {@code kernel_regularizer: {l2: 0.01}}, {@code {l1: ...}} or both, as Keras's regularizers.l1_l2. */
    private static Regularizer regularizer(YamlSection l) {
        return regularizer(l, "kernel_regularizer");
    }

    private static Regularizer regularizer(YamlSection l, String key) {
        if (!l.has(key)) {
            l.raw(key);
            return Regularizer.NONE;
        }
        YamlSection r = l.section(key);
        double l1 = r.optDouble("l1", 0.0);
        double l2 = r.optDouble("l2", 0.0);
        r.rejectUnknown(List.of("l1", "l2"));
        try {
            return new Regularizer(l1, l2);
        } catch (ConfigException e) {
            throw new ConfigException(l.pathOf(e.keyPath()), e.problem());
        }
    }

    private static int[] requirePair(YamlSection l, String key) {
        if (!l.has(key)) {
            throw new ConfigException(l.pathOf(key), "is required (an integer or a list of two)");
        }
        return l.optPair(key, null);
    }

    private static OptimizerConfig optimizer(YamlSection s) {
        String name = s.requireString("name");
        try {
            OptimizerConfig o = switch (name) {
                case "rmsprop" -> new OptimizerConfig.RmsProp(s.optDouble("learning_rate", 0.001), s.optDouble("rho", 0.9),
                        s.optDouble("epsilon", 1e-7), s.optDouble("decay", 0.0));
                case "adadelta" -> new OptimizerConfig.Adadelta(s.optDouble("learning_rate", 1.0), s.optDouble("rho", 0.95),
                        s.optDouble("epsilon", 1e-7), s.optDouble("decay", 0.0));
                case "adam" -> new OptimizerConfig.Adam(s.optDouble("learning_rate", 0.001), s.optDouble("beta_1", 0.9),
                        s.optDouble("beta_2", 0.999), s.optDouble("epsilon", 1e-7), s.optDouble("decay", 0.0));
                case "sgd" -> new OptimizerConfig.Sgd(s.optDouble("learning_rate", 0.01), s.optDouble("momentum", 0.0),
                        s.optBool("nesterov", false), s.optDouble("decay", 0.0));
                default -> throw new ConfigException("name", "expected one of rmsprop, adadelta, adam, sgd, got '" + name + "'");
            };
            s.rejectUnknown(new ArrayList<>(o.toMap().keySet()));
            return o;
        } catch (ConfigException e) {
            throw e.keyPath().startsWith(s.path()) ? e : e.under(s.path());
        }
    }

    private static TrainingConfig training(YamlSection s, TrainingCallbacks.Schedule schedule, ModelConfig model) {
        int batch = s.optInt("batch_size", 32);
        int epochs = s.requireInt("epochs");
        boolean shuffle = s.optBool("shuffle", true);
        TrainingCallbacks.EarlyStopping early = null;
        if (s.has("early_stopping")) {
            YamlSection e = s.section("early_stopping");
            early = located(e, () -> new TrainingCallbacks.EarlyStopping(e.optString("monitor", "val_loss"), e.optDouble("min_delta", 0.0),
                    e.optInt("patience", 0), e.optString("mode", "auto"), e.optDouble("baseline", null),
                    e.optBool("restore_best_weights", false), e.optInt("start_from_epoch", 0)),
                    List.of("monitor", "min_delta", "patience", "mode", "baseline", "restore_best_weights", "start_from_epoch"));
        }
        TrainingCallbacks.ReduceLrOnPlateau plateau = null;
        if (s.has("reduce_lr_on_plateau")) {
            YamlSection p = s.section("reduce_lr_on_plateau");
            plateau = located(p, () -> new TrainingCallbacks.ReduceLrOnPlateau(p.optString("monitor", "val_loss"), p.optDouble("factor", 0.1),
                    p.optInt("patience", 10), p.optString("mode", "auto"), p.optDouble("min_delta", 1e-4), p.optInt("cooldown", 0),
                    p.optDouble("min_lr", 0.0)), List.of("monitor", "factor", "patience", "mode", "min_delta", "cooldown", "min_lr"));
        }
        TrainingCallbacks.BestCheckpoint best = null;
        if (s.has("checkpoint")) {
            YamlSection c = s.section("checkpoint");
            if (!c.optBool("save_best_only", true)) {
                throw new ConfigException(c.pathOf("save_best_only"), "only true is supported: every epoch is already kept in the run's "
                        + "checkpoint and the last in model.zip; true keeps the best epoch's network in best_model.zip");
            }
            best = located(c, () -> new TrainingCallbacks.BestCheckpoint(c.optString("monitor", "val_loss"), c.optString("mode", "auto")),
                    List.of("monitor", "mode", "save_best_only"));
        }
        TrainingConfig.FineTune fineTune = null;
        if (s.has("fine_tune")) {
            YamlSection f = s.section("fine_tune");
            int frozen = 0;
            if (f.has("freeze")) {
                Object raw = f.raw("freeze");
                if (raw instanceof String name) {
                    int at = model.layerNames().indexOf(name);
                    int kept = model.transfer() == null ? 0 : model.transfer().baseLayers();
                    if (at < 0 || at >= kept) {
                        throw new ConfigException(f.pathOf("freeze"), "no layer '" + name + "' among the base layers kept"
                                + (kept == 0 ? " (there is no model.base)" : ": " + String.join(", ", model.layerNames().subList(0, Math.min(kept, 12)))
                                + (kept > 12 ? ", ..." : "")));
                    }
                    frozen = at + 1;
                } else {
                    frozen = YamlSection.asInt(f.pathOf("freeze"), raw);
                }
            } else {
                f.raw("freeze");
            }
            if (!f.has("learning_rate")) {
                throw new ConfigException(f.pathOf("learning_rate"), "is required: the low rate of the second phase (Keras's guide: 1e-5 with Adam)");
            }
            int ftFrozen = frozen;
            fineTune = located(f, () -> new TrainingConfig.FineTune(f.requireInt("epochs"), ftFrozen, f.optDouble("learning_rate", null)),
                    List.of("epochs", "freeze", "learning_rate"));
        }
        TrainingConfig.Swa swa = null;
        if (s.has("swa")) {
            YamlSection w = s.section("swa");
            if (!w.has("learning_rate")) {
                throw new ConfigException(w.pathOf("learning_rate"), "is required: the constant rate of the averaged epochs (PyTorch's swa_lr)");
            }
            swa = located(w, () -> new TrainingConfig.Swa(w.optDouble("start", 0.75), w.optDouble("learning_rate", null)),
                    List.of("start", "learning_rate"));
        }
        s.rejectUnknown(TRAINING_KEYS);
        return new TrainingConfig(batch, epochs, shuffle, early, plateau, best, schedule, fineTune, swa);
    }

    /** Builds a section's record, reporting its own key paths under the section's, and rejects unknown keys. */
    private static KernelInitializer kernelInitializer(YamlSection l) {
        return KernelInitializer.parse(l.pathOf("kernel_initializer"), l.optString("kernel_initializer", "glorot_uniform"));
    }

    /** Keras's shift range, read by its YAML type: an integer is whole pixels, a float a fraction or pixels. */
    private static DataConfig.Shift shift(YamlSection a, String key) {
        Object v = a.raw(key);
        if (v == null) {
            return DataConfig.Shift.NONE;
        }
        if (v instanceof Integer || v instanceof Long) {
            return DataConfig.Shift.wholePixels(a.pathOf(key), ((Number) v).longValue());
        }
        return DataConfig.Shift.of(a.pathOf(key), YamlSection.asDouble(a.pathOf(key), v));
    }

    private static <T> T located(YamlSection s, java.util.function.Supplier<T> build, List<String> keys) {
        T value;
        try {
            value = build.get();
        } catch (ConfigException e) {
            throw e.keyPath().startsWith(s.path()) ? e : e.under(s.path());
        }
        s.rejectUnknown(keys);
        return value;
    }

    /** The optimizer's schedule; {@code epochs} is {@code training.epochs}, which a multistep schedule's fractions are of. */
    private static TrainingCallbacks.Schedule schedule(YamlSection s, int epochs) {
        String type = s.requireString("type");
        List<Long> boundaries = new ArrayList<>();
        List<Double> values = new ArrayList<>();
        List<Double> milestones = new ArrayList<>();
        if (s.has("milestones")) {
            List<?> raw = s.requireList("milestones");
            for (int i = 0; i < raw.size(); i++) {
                milestones.add(YamlSection.asDouble(s.pathOf("milestones") + "[" + i + "]", raw.get(i)));
            }
        }
        if (s.has("boundaries")) {
            List<?> raw = s.requireList("boundaries");
            for (int i = 0; i < raw.size(); i++) {
                boundaries.add((long) YamlSection.asInt(s.pathOf("boundaries") + "[" + i + "]", raw.get(i)));
            }
        }
        if (s.has("values")) {
            List<?> raw = s.requireList("values");
            for (int i = 0; i < raw.size(); i++) {
                values.add(YamlSection.asDouble(s.pathOf("values") + "[" + i + "]", raw.get(i)));
            }
        }
        List<String> keys = switch (type) {
            case "step" -> List.of("type", "drop", "every_epochs");
            case "multistep" -> List.of("type", "milestones", "drop");
            case "exponential" -> List.of("type", "decay_rate", "decay_steps", "staircase");
            case "cosine" -> List.of("type", "decay_steps", "alpha", "warmup_steps", "warmup_target");
            case "piecewise" -> List.of("type", "boundaries", "values");
            default -> List.of("type");
        };
        for (String k : List.of("drop", "every_epochs", "decay_rate", "decay_steps", "staircase", "alpha", "warmup_steps", "warmup_target",
                "boundaries", "values", "milestones")) {
            if (s.has(k) && !keys.contains(k)) {
                throw new ConfigException(s.pathOf(k), "does not apply to schedule type '" + type + "'; expected one of " + String.join(", ", keys));
            }
        }
        return located(s, () -> new TrainingCallbacks.Schedule(type, s.optDouble("drop", "multistep".equals(type) ? 0.1 : 0.5), s.optInt("every_epochs", 10),
                s.optDouble("decay_rate", 0.96), decaySteps(s, type), s.optBool("staircase", false), s.optDouble("alpha", 0.0),
                s.optInt("warmup_steps", 0), s.optDouble("warmup_target", null), boundaries, values, milestones, epochs), keys);
    }

    /** A cosine without {@code decay_steps} runs over {@code training.epochs} (0 in the record); written out, it must be positive. */
    private static long decaySteps(YamlSection s, String type) {
        if (!s.has("decay_steps")) {
            return "cosine".equals(type) ? 0 : 1000;
        }
        int n = s.optInt("decay_steps", 0);
        if (n < 1) {
            throw new ConfigException(s.pathOf("decay_steps"), "expected a positive integer, got " + n);
        }
        return n;
    }

    /** The resolved config as YAML: what {@code config.yaml} in a run folder holds; loading it gives an equal config. */
    /**
     * Refuses command-line assignments that write one value twice ({@code --set training.epochs=3 --set
     * training.epochs=5}, or {@code --epochs} with {@code --set training.epochs}): which one the user meant is not
     * ours to guess. Assignments are named as {@code --set KEY=VALUE}; {@code shorthands} maps an assignment to the
     * option that made it (e.g. {@code --epochs 5}).
     */
    public static void refuseRepeatedKeys(List<String> assignments, java.util.Map<String, String> shorthands) {
        int[] repeat = ConfigOverrides.firstRepeat(assignments);
        if (repeat != null) {
            String later = shorthands.getOrDefault(assignments.get(repeat[0]), "--set " + assignments.get(repeat[0]));
            String earlier = shorthands.getOrDefault(assignments.get(repeat[1]), "--set " + assignments.get(repeat[1]));
            throw new ConfigException(later, "sets the same value as " + earlier + "; give each key once");
        }
    }

    public static String toYaml(ExperimentConfig config) {
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        options.setIndent(2);
        options.setIndicatorIndent(0);
        options.setWidth(120);
        Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()), new Representer(options), options);
        Map<String, Object> map = new LinkedHashMap<>(config.toMap());
        return yaml.dump(map);
    }
}
