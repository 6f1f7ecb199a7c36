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
            "augment");
    static final List<String> MODEL_KEYS = List.of("input_shape", "layers", "base", "freeze", "replace_output", "transfer");
    static final List<String> TRAINING_KEYS = List.of("batch_size", "epochs", "shuffle", "early_stopping", "reduce_lr_on_plateau", "checkpoint");
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
        TrainingCallbacks.Schedule schedule = optimizerSection.has("schedule") ? schedule(optimizerSection.section("schedule")) : null;
        OptimizerConfig optimizer = optimizer(optimizerSection);
        TrainingConfig training = training(root.section("training"), schedule);
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
            augment = located(a, () -> new DataConfig.Augmentation(a.optBool("horizontal_flip", false), a.optDouble("width_shift", 0.0),
                    a.optDouble("height_shift", 0.0), a.optDouble("rotation", 0.0), a.optDouble("zoom", 0.0)),
                    List.of("horizontal_flip", "width_shift", "height_shift", "rotation", "zoom"));
        }
        s.rejectUnknown(DATA_KEYS);
        return new DataConfig(dataset, path, dataDir, split, validationData != null, trainSubset, testSubset, classNames, testSplit, seed,
                folder, classes, augment);
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
        List<LayerConfig> layers = layers(s, s.requireList("layers"), 0);
        ModelConfig.Transfer transfer = null;
        if (s.has("transfer")) {
            YamlSection t = s.section("transfer");
            transfer = located(t, () -> new ModelConfig.Transfer(t.requireString("base"), t.requireString("base_sha256"), t.requireInt("base_layers"),
                    t.requireInt("frozen")), List.of("base", "base_sha256", "base_layers", "frozen"));
        }
        s.rejectUnknown(MODEL_KEYS);
        return new ModelConfig(input, layers, transfer);
    }

    private static List<LayerConfig> layers(YamlSection s, List<?> rawLayers, int offset) {
        List<LayerConfig> layers = new ArrayList<>();
        for (int i = 0; i < rawLayers.size(); i++) {
            String path = ModelConfig.layerPath(i + offset);
            YamlSection l = YamlSection.of(path, rawLayers.get(i));
            try {
                layers.add(layer(l));
            } catch (ConfigException e) {
                throw e.keyPath().startsWith(path) ? e : e.under(path);
            }
        }
        return layers;
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
        List<LayerConfig> head = layers(s, rawHead, baseLayers.size());
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
        int frozen = freezeCount(s, base.model().layerNames(), baseLayers.size());
        s.rejectUnknown(MODEL_KEYS);
        return new ModelConfig(base.model().inputShape(), all, new ModelConfig.Transfer(zip.toString(), BaseNetwork.sha256(zip), baseLayers.size(),
                frozen));
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
    static final List<String> LAYER_TYPES = List.of("dense", "conv2d", "max_pool2d", "average_pooling2d", "global_average_pooling2d",
            "global_max_pooling2d",
            "batch_normalization", "activation", "dropout", "flatten", "output");

    private static LayerConfig layer(YamlSection l) {
        String type = l.requireString("type");
        LayerConfig layer = switch (type) {
            case "dense" -> new LayerConfig.Dense(l.requireInt("units"),
                    Activation.parse(l.pathOf("activation"), l.optString("activation", "linear")), regularizer(l));
            case "conv2d" -> new LayerConfig.Conv2D(l.requireInt("filters"), requirePair(l, "kernel_size"),
                    l.optPair("strides", ONE), Padding.parse(l.pathOf("padding"), l.optString("padding", "valid")),
                    Activation.parse(l.pathOf("activation"), l.optString("activation", "linear")), regularizer(l));
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
                    l.optString("loss", "categorical_crossentropy"), regularizer(l));
            default -> throw new ConfigException(l.pathOf("type"),
                    "expected one of " + String.join(", ", LAYER_TYPES) + ", got '" + type + "'");
        };
        l.rejectUnknown(switch (type) {
            case "dense" -> List.of("type", "units", "activation", "kernel_regularizer");
            case "conv2d" -> List.of("type", "filters", "kernel_size", "strides", "padding", "activation", "kernel_regularizer");
            case "max_pool2d" -> List.of("type", "pool_size", "strides", "padding");
            case "dropout" -> List.of("type", "rate");
            case "flatten", "global_average_pooling2d", "global_max_pooling2d" -> List.of("type");
            case "batch_normalization" -> List.of("type", "momentum", "epsilon");
            case "average_pooling2d" -> List.of("type", "pool_size", "strides", "padding");
            case "activation" -> List.of("type", "activation");
            default -> List.of("type", "units", "activation", "loss", "kernel_regularizer");
        });
        return layer;
    }

    /** {@code kernel_regularizer: {l2: 0.01}}, {@code {l1: ...}} or both, as Keras's regularizers.l1_l2. */
    private static Regularizer regularizer(YamlSection l) {
        if (!l.has("kernel_regularizer")) {
            return Regularizer.NONE;
        }
        YamlSection r = l.section("kernel_regularizer");
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

    private static TrainingConfig training(YamlSection s, TrainingCallbacks.Schedule schedule) {
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
        s.rejectUnknown(TRAINING_KEYS);
        return new TrainingConfig(batch, epochs, shuffle, early, plateau, best, schedule);
    }

    /** Builds a section's record, reporting its own key paths under the section's, and rejects unknown keys. */
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

    private static TrainingCallbacks.Schedule schedule(YamlSection s) {
        String type = s.requireString("type");
        List<Long> boundaries = new ArrayList<>();
        List<Double> values = new ArrayList<>();
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
            case "exponential" -> List.of("type", "decay_rate", "decay_steps", "staircase");
            case "cosine" -> List.of("type", "decay_steps", "alpha", "warmup_steps", "warmup_target");
            case "piecewise" -> List.of("type", "boundaries", "values");
            default -> List.of("type");
        };
        for (String k : List.of("drop", "every_epochs", "decay_rate", "decay_steps", "staircase", "alpha", "warmup_steps", "warmup_target",
                "boundaries", "values")) {
            if (s.has(k) && !keys.contains(k)) {
                throw new ConfigException(s.pathOf(k), "does not apply to schedule type '" + type + "'; expected one of " + String.join(", ", keys));
            }
        }
        return located(s, () -> new TrainingCallbacks.Schedule(type, s.optDouble("drop", 0.5), s.optInt("every_epochs", 10),
                s.optDouble("decay_rate", 0.96), s.optInt("decay_steps", 1000), s.optBool("staircase", false), s.optDouble("alpha", 0.0),
                s.optInt("warmup_steps", 0), s.optDouble("warmup_target", null), boundaries, values), keys);
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
