package io.deepnets.config;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * A hyper-parameter sweep: a base experiment, the axes to vary (each one or several config key paths, as
 * {@code --set} takes them, with its values), how points are drawn (every combination, or a seeded random
 * sample) and the metric that ranks them.
 *
 * <pre>
 * name: digits-grid
 * base: ../configs/digits-cnn.yaml        # relative to the sweep file; or a config inline, as a mapping
 * mode: grid                              # or random, with samples: N and seed: S
 * metric: val_accuracy                    # test_accuracy, train_accuracy, val_loss, test_loss, train_loss
 * set: [training.epochs=100]              # applied to every point before its axis values
 * axes:
 *   - name: learning_rate
 *     key: optimizer.learning_rate
 *     logspace: [-5, 1, 7]                # NumPy's logspace: 1e-5 ... 1e1, 7 values
 *   - name: l2
 *     keys: ['model.layers[0].kernel_regularizer.l2', 'model.layers[3].kernel_regularizer.l2']   # quoted: [ ] inside a YAML list
 *     values: [0.0, 0.001, 0.01]          # or linspace: [start, stop, num]; random mode also
 *                                         # loguniform: [low, high] and uniform: [low, high]
 * </pre>
 *
 * @param baseYaml the base experiment as YAML text (the file's text, or the inline mapping written out)
 * @param baseSource where the base came from, for messages
 * @param overrides the {@code set} list, then the command line's {@code --set}s
 */
public record SweepConfig(String name, String description, String baseYaml, String baseSource, List<Axis> axes, String mode, int samples,
        long seed, String metric, List<String> overrides) {

    public static final List<String> METRICS = List.of("val_accuracy", "test_accuracy", "train_accuracy", "val_loss", "test_loss", "train_loss");
    public static final int MAX_POINTS = 10_000;

    public SweepConfig {
        axes = List.copyOf(axes);
        overrides = List.copyOf(overrides);
        if (axes.isEmpty()) {
            throw new ConfigException("axes", "expected at least one axis");
        }
        if (!mode.equals("grid") && !mode.equals("random")) {
            throw new ConfigException("mode", "expected grid or random, got '" + mode + "'");
        }
        if (!METRICS.contains(metric)) {
            throw new ConfigException("metric", "expected one of " + String.join(", ", METRICS) + ", got '" + metric + "'");
        }
        java.util.Set<String> names = new java.util.HashSet<>();
        for (int i = 0; i < axes.size(); i++) {
            Axis a = axes.get(i);
            if (!names.add(a.name())) {
                throw new ConfigException("axes[" + i + "].name", "'" + a.name() + "' names two axes");
            }
            if (mode.equals("grid") && a.values() == null) {
                throw new ConfigException("axes[" + i + "]", "a grid needs values (a list, logspace or linspace); "
                        + "loguniform and uniform draw only in mode: random");
            }
            if (mode.equals("grid")) {
                // Each grid point is a folder named by its values: two values with one label would train into one folder.
                Map<String, Object> byLabel = new java.util.HashMap<>();
                for (Object v : a.values()) {
                    String label = folderSafe(Axis.label(v));
                    Object earlier = byLabel.putIfAbsent(label, v);
                    if (earlier != null) {
                        throw new ConfigException("axes[" + i + "].values", (String.valueOf(earlier).equals(String.valueOf(v))
                                ? "'" + v + "' is listed twice" : "'" + earlier + "' and '" + v + "' would both be the point folder " + a.name() + "=" + label)
                                + "; give distinct values");
                    }
                }
            }
        }
        refuseKeysWrittenTwice(axes, overrides);
        if (mode.equals("random") && (samples < 1 || samples > MAX_POINTS)) {
            throw new ConfigException("samples", "expected a number of points from 1 to " + MAX_POINTS + " for mode: random, got " + samples);
        }
        long count = mode.equals("grid") ? axes.stream().mapToLong(a -> a.values().size()).reduce(1, (x, y) -> Math.min(x * y, MAX_POINTS + 1)) : samples;
        if (count > MAX_POINTS) {
            throw new ConfigException("axes", "the grid has more than " + MAX_POINTS + " points; use mode: random with samples");
        }
    }

    /**
     * Two axes (or one axis and the sweep's own {@code set}) writing the same config value would train every point at
     * the last writer's value while the points are labelled by the first: refused, naming both and the key.
     */
    private static void refuseKeysWrittenTwice(List<Axis> axes, List<String> overrides) {
        List<String> writers = new java.util.ArrayList<>();
        List<String> keys = new java.util.ArrayList<>();
        for (int i = 0; i < overrides.size(); i++) {
            int eq = overrides.get(i).indexOf('=');
            if (eq > 0) {
                writers.add("set[" + i + "] (" + overrides.get(i).substring(0, eq).trim() + ")");
                keys.add(overrides.get(i).substring(0, eq).trim());
            }
        }
        for (int i = 0; i < axes.size(); i++) {
            for (String key : axes.get(i).keys()) {
                for (int w = 0; w < keys.size(); w++) {
                    if (ConfigOverrides.overlap(keys.get(w), key)) {
                        throw new ConfigException("axes[" + i + "]", "axis '" + axes.get(i).name() + "' and " + writers.get(w)
                                + " both write " + (key.length() <= keys.get(w).length() ? key : keys.get(w))
                                + "; every point would train at the later value while labelled by the earlier; give each key to one axis");
                    }
                }
                writers.add("axis '" + axes.get(i).name() + "'");
                keys.add(key);
            }
        }
    }

    /** Whether bigger is better for the ranking metric. */
    public boolean higherIsBetter() {
        return metric.endsWith("accuracy");
    }

    /**
     * One axis.
     *
     * @param keys the config key paths one value is written to
     * @param values the values of a list, logspace or linspace; null for a distribution
     * @param distribution {@code loguniform} or {@code uniform}; null for listed values
     * @param low the distribution's lower bound
     * @param high its upper bound
     * @param logScale whether values are spread on a log scale (logspace, loguniform): figures use a log axis
     */
    public record Axis(String name, List<String> keys, List<Object> values, String distribution, double low, double high, boolean logScale) {
        public Axis {
            keys = List.copyOf(keys);
            values = values == null ? null : java.util.Collections.unmodifiableList(new ArrayList<>(values));
        }

        /** A value as a label and in a folder name: {@code 1e-05}, {@code 0.3}, {@code 64}, {@code same}. */
        public static String label(Object value) {
            if (value instanceof Double d) {
                if (d == Math.rint(d) && Math.abs(d) < 1e5 && Math.abs(d) >= 1) {
                    return String.valueOf(d.longValue());
                }
                if (d != 0 && (Math.abs(d) < 1e-3 || Math.abs(d) >= 1e5)) {
                    String s = String.format(Locale.ROOT, "%.3e", d);
                    String mantissa = new BigDecimal(s.substring(0, s.indexOf('e'))).stripTrailingZeros().toPlainString();
                    String exp = s.substring(s.indexOf('e') + 1);
                    int e = Integer.parseInt(exp);
                    return mantissa + "e" + (e < 0 ? "-" : "+") + String.format(Locale.ROOT, "%02d", Math.abs(e));
                }
                return new BigDecimal(Double.toString(d)).stripTrailingZeros().toPlainString();
            }
            return String.valueOf(value);
        }
    }

    /** One point of the sweep: a value per axis, in axis order, and the folder name they give. */
    public record Point(int index, List<Object> values, String folderName) {
        public Point {
            values = java.util.Collections.unmodifiableList(new ArrayList<>(values));
        }
    }

    /** The points, in order: every combination (the last axis varying fastest), or {@code samples} seeded draws. */
    public List<Point> points() {
        List<List<Object>> combos = new ArrayList<>();
        if (mode.equals("grid")) {
            combos.add(List.of());
            for (Axis a : axes) {
                List<List<Object>> next = new ArrayList<>();
                for (List<Object> c : combos) {
                    for (Object v : a.values()) {
                        List<Object> longer = new ArrayList<>(c);
                        longer.add(v);
                        next.add(longer);
                    }
                }
                combos = next;
            }
        } else {
            Random random = new Random(seed);
            for (int i = 0; i < samples; i++) {
                List<Object> c = new ArrayList<>();
                for (Axis a : axes) {
                    if (a.values() != null) {
                        c.add(a.values().get(random.nextInt(a.values().size())));
                    } else if (a.distribution().equals("loguniform")) {
                        c.add(Math.exp(Math.log(a.low()) + random.nextDouble() * (Math.log(a.high()) - Math.log(a.low()))));
                    } else {
                        c.add(a.low() + random.nextDouble() * (a.high() - a.low()));
                    }
                }
                combos.add(c);
            }
        }
        List<Point> points = new ArrayList<>();
        int width = Integer.toString(combos.size()).length();
        for (int i = 0; i < combos.size(); i++) {
            StringBuilder folder = new StringBuilder();
            if (mode.equals("random")) {
                folder.append(String.format(Locale.ROOT, "%0" + width + "d_", i + 1));
            }
            for (int a = 0; a < axes.size(); a++) {
                folder.append(a == 0 ? "" : ",").append(axes.get(a).name()).append('=').append(Axis.label(combos.get(i).get(a)));
            }
            points.add(new Point(i, combos.get(i), folderSafe(folder.toString())));
        }
        return points;
    }

    private static String folderSafe(String name) {
        return name.replaceAll("[^\\p{L}\\p{N}._=,+-]", "_");
    }

    /** The {@code --set} assignments that make {@code point}'s config from the base: the sweep's own, then the axes'. */
    public List<String> assignments(Point point) {
        List<String> all = new ArrayList<>(overrides);
        for (int a = 0; a < axes.size(); a++) {
            for (String key : axes.get(a).keys()) {
                all.add(key + "=" + yamlScalar(point.values().get(a)));
            }
        }
        return all;
    }

    private static String yamlScalar(Object v) {
        if (v instanceof Double d) {
            return Double.toString(d).replace("E", "e");
        }
        return String.valueOf(v);
    }

    /** Loads and checks {@code file}; {@code extraOverrides} are the command line's {@code --set}s. */
    public static SweepConfig load(Path file, List<String> extraOverrides) {
        String text = YamlDocuments.readFile(file, "sweep file");
        try {
            Object root = YamlDocuments.parse(text);
            if (root == null) {
                throw new ConfigException("", "the file is empty; expected a sweep (name, base, axes)");
            }
            YamlSection s = YamlSection.of("", root);
            String name = s.requireString("name");
            if (!name.matches("[\\p{L}\\p{N}._-]+") || name.startsWith(".")) {
                throw new ConfigException("name", "expected letters, digits, '.', '_' or '-' (it names the sweep's folder), got '" + name + "'");
            }
            String description = s.optString("description", "");
            Object base = s.raw("base");
            String baseYaml;
            String baseSource;
            if (base instanceof String path) {
                Path baseFile = file.toAbsolutePath().getParent().resolve(path).normalize();
                if (!Files.isRegularFile(baseFile)) {
                    throw new ConfigException("base", "no such config file: " + baseFile);
                }
                baseYaml = YamlDocuments.readFile(baseFile, "config file");
                baseSource = baseFile.toString();
            } else if (base instanceof Map<?, ?> inline) {
                baseYaml = new org.yaml.snakeyaml.Yaml().dump(inline);
                baseSource = file + " (base)";
            } else {
                throw new ConfigException("base", base == null ? "is required: a config file (path) or a config (mapping)"
                        : "expected a config file path or a config mapping, got " + YamlSection.describe(base));
            }
            String mode = s.optString("mode", "grid");
            Integer samples = s.optInt("samples", null);
            if (samples != null && mode.equals("grid")) {
                throw new ConfigException("samples", "only applies to mode: random");
            }
            long seed = s.optLong("seed", 42);
            String metric = s.optString("metric", "val_accuracy");
            List<String> overrides = new ArrayList<>();
            List<String> set = s.optStringList("set");
            SuiteConfig.refuseRepeatedKeys("set", set);
            if (set != null) {
                overrides.addAll(set);
            }
            overrides.addAll(extraOverrides);
            List<?> rawAxes = s.requireList("axes");
            s.rejectUnknown(List.of("name", "description", "base", "mode", "samples", "seed", "metric", "set", "axes"));
            List<Axis> axes = new ArrayList<>();
            for (int i = 0; i < rawAxes.size(); i++) {
                axes.add(axis(YamlSection.of("axes[" + i + "]", rawAxes.get(i))));
            }
            for (String extra : extraOverrides) {
                int eq = extra.indexOf('=');
                for (int i = 0; i < axes.size() && eq > 0; i++) {
                    for (String key : axes.get(i).keys()) {
                        if (ConfigOverrides.overlap(extra.substring(0, eq), key)) {
                            // Not a mistake in the file: named as the command line's, like every --set error.
                            throw new io.deepnets.BadInputException("--set " + extra + ": axis '" + axes.get(i).name() + "' (axes[" + i
                                    + "]) varies " + key + " in every point, so this value would never be used; drop the --set or the axis");
                        }
                    }
                }
            }
            return new SweepConfig(name, description, baseYaml, baseSource, axes, mode, samples == null ? 0 : samples, seed, metric, overrides);
        } catch (ConfigException e) {
            throw e.inFile(file.toString());
        }
    }

    private static Axis axis(YamlSection a) {
        List<String> keys = new ArrayList<>();
        if (a.has("key") == a.has("keys")) {
            throw new ConfigException(a.pathOf("key"), "give either key (one config key path) or keys (a list of them)");
        }
        if (a.has("key")) {
            keys.add(a.requireString("key"));
        } else {
            keys.addAll(a.optStringList("keys"));
            if (keys.isEmpty()) {
                throw new ConfigException(a.pathOf("keys"), "expected at least one config key path");
            }
        }
        String last = keys.get(0).replaceAll(".*\\.", "").replaceAll("\\[\\d+]", "");
        String name = a.optString("name", last);
        if (!name.matches("[A-Za-z0-9_.-]+")) {
            throw new ConfigException(a.pathOf("name"), "expected letters, digits, '_', '.' or '-', got '" + name + "'");
        }
        List<String> kinds = List.of("values", "logspace", "linspace", "loguniform", "uniform");
        List<String> given = kinds.stream().filter(a::has).toList();
        if (given.size() != 1) {
            throw new ConfigException(a.path(), "expected exactly one of " + String.join(", ", kinds) + (given.isEmpty() ? "" : ", got " + given));
        }
        String kind = given.get(0);
        Axis axis;
        switch (kind) {
            case "values" -> {
                List<?> raw = a.requireList("values");
                if (raw.isEmpty()) {
                    throw new ConfigException(a.pathOf("values"), "expected at least one value");
                }
                List<Object> values = new ArrayList<>();
                for (Object v : raw) {
                    values.add(v instanceof Number n && !(v instanceof Integer) && !(v instanceof Long) ? (Object) n.doubleValue() : v);
                }
                axis = new Axis(name, keys, values, null, 0, 0, false);
            }
            case "logspace", "linspace" -> {
                List<?> spec = a.requireList(kind);
                if (spec.size() != 3) {
                    throw new ConfigException(a.pathOf(kind), "expected [start, stop, num], got " + spec.size() + " numbers");
                }
                double start = YamlSection.asDouble(a.pathOf(kind) + "[0]", spec.get(0));
                double stop = YamlSection.asDouble(a.pathOf(kind) + "[1]", spec.get(1));
                int num = YamlSection.asInt(a.pathOf(kind) + "[2]", spec.get(2));
                if (num < 1 || num > MAX_POINTS) {
                    throw new ConfigException(a.pathOf(kind) + "[2]", "expected a number of values from 1 to " + MAX_POINTS + ", got " + num);
                }
                List<Object> values = new ArrayList<>();
                for (int i = 0; i < num; i++) {
                    // NumPy: start + i * (stop - start) / (num - 1), endpoint included; logspace raises 10 to it.
                    double t = num == 1 ? start : start + i * (stop - start) / (num - 1);
                    values.add(kind.equals("logspace") ? Double.parseDouble(String.format(Locale.ROOT, "%.12g", Math.pow(10, t))) : t);
                }
                axis = new Axis(name, keys, values, null, 0, 0, kind.equals("logspace"));
            }
            default -> {
                List<?> spec = a.requireList(kind);
                if (spec.size() != 2) {
                    throw new ConfigException(a.pathOf(kind), "expected [low, high], got " + spec.size() + " numbers");
                }
                double low = YamlSection.asDouble(a.pathOf(kind) + "[0]", spec.get(0));
                double high = YamlSection.asDouble(a.pathOf(kind) + "[1]", spec.get(1));
                if (!(low < high) || (kind.equals("loguniform") && !(low > 0))) {
                    throw new ConfigException(a.pathOf(kind), "expected low < high" + (kind.equals("loguniform") ? " and low > 0" : "")
                            + ", got [" + low + ", " + high + "]");
                }
                axis = new Axis(name, keys, null, kind, low, high, kind.equals("loguniform"));
            }
        }
        a.rejectUnknown(List.of("name", "key", "keys", "values", "logspace", "linspace", "loguniform", "uniform"));
        return axis;
    }

    /** The resolved sweep as a map, written into the sweep folder: re-running the same sweep finds its folder by it. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("description", description);
        m.put("base_source", baseSource);
        m.put("base", baseYaml);
        m.put("mode", mode);
        if (mode.equals("random")) {
            m.put("samples", samples);
            m.put("seed", seed);
        }
        m.put("metric", metric);
        m.put("set", overrides);
        List<Map<String, Object>> ax = new ArrayList<>();
        for (Axis a : axes) {
            Map<String, Object> am = new LinkedHashMap<>();
            am.put("name", a.name());
            am.put("keys", a.keys());
            if (a.values() != null) {
                am.put("values", a.values());
            } else {
                am.put(a.distribution(), List.of(a.low(), a.high()));
            }
            am.put("log_scale", a.logScale());
            ax.add(am);
        }
        m.put("axes", ax);
        return m;
    }
}
