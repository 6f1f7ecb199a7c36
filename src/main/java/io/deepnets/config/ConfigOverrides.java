package io.deepnets.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code --set key.path=value}: replaces one value in the parsed YAML tree before validation, so an override is
 * checked exactly like the file. Paths are dotted keys with list indices: {@code training.batch_size},
 * {@code model.layers[2].rate} (or {@code model.layers.2.rate}). The value is read as a YAML scalar or flow
 * collection ({@code 64}, {@code 1e-4}, {@code same}, {@code [3, 3]}).
 */
final class ConfigOverrides {
    private static final Pattern SEGMENT = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)((?:\\[\\d+])*)|(\\d+)");
    private static final Pattern INDEX = Pattern.compile("\\[(\\d+)]");

    private ConfigOverrides() {
    }

    static Object apply(Object root, List<String> assignments) {
        Object tree = deepCopy(root);
        for (String assignment : assignments == null ? List.<String>of() : assignments) {
            int eq = assignment.indexOf('=');
            if (eq <= 0) {
                throw new ConfigException("--set " + assignment, "expected key.path=value");
            }
            String path = assignment.substring(0, eq).trim();
            Object value;
            try {
                value = ConfigLoader.readYaml(assignment.substring(eq + 1));
            } catch (ConfigException e) {
                throw new ConfigException("--set " + assignment, "the value is not valid YAML (" + e.problem() + ")");
            }
            set(tree, path, value);
        }
        return tree;
    }

    @SuppressWarnings("unchecked")
    private static void set(Object tree, String path, Object value) {
        List<Object> steps = new ArrayList<>();
        for (String part : path.split("\\.", -1)) {
            Matcher m = SEGMENT.matcher(part);
            if (!m.matches()) {
                throw new ConfigException("--set " + path, "expected a key path like training.batch_size or model.layers[2].rate");
            }
            if (m.group(3) != null) {
                steps.add(index(path, m.group(3)));
                continue;
            }
            steps.add(m.group(1));
            Matcher idx = INDEX.matcher(m.group(2));
            while (idx.find()) {
                steps.add(index(path, idx.group(1)));
            }
        }
        Object node = tree;
        StringBuilder where = new StringBuilder();
        for (int i = 0; i < steps.size(); i++) {
            Object step = steps.get(i);
            boolean last = i == steps.size() - 1;
            if (step instanceof String key) {
                if (!(node instanceof Map<?, ?>)) {
                    throw new ConfigException("--set " + path, where + " is not a section of keys");
                }
                Map<String, Object> map = (Map<String, Object>) node;
                if (last) {
                    map.put(key, value);
                    return;
                }
                if (map.get(key) == null) {
                    map.put(key, steps.get(i + 1) instanceof Integer ? new ArrayList<>() : new LinkedHashMap<>());
                }
                node = map.get(key);
                where.append(where.length() == 0 ? "" : ".").append(key);
            } else {
                int index = (Integer) step;
                if (!(node instanceof List<?>)) {
                    throw new ConfigException("--set " + path, where + " is not a list");
                }
                List<Object> list = (List<Object>) node;
                if (index >= list.size()) {
                    throw new ConfigException("--set " + path, where + " has " + list.size() + " entries (indices 0.." + (list.size() - 1) + ")");
                }
                if (last) {
                    list.set(index, value);
                    return;
                }
                node = list.get(index);
                where.append('[').append(index).append(']');
            }
        }
    }

    /** A list index as written; anything past int range is out of range for every list, not a parse failure. */
    private static int index(String path, String digits) {
        String trimmed = digits.replaceFirst("^0+(?=\\d)", "");
        if (trimmed.length() > 9) {
            throw new ConfigException("--set " + path, "list index " + digits + " is out of range");
        }
        return Integer.parseInt(trimmed);
    }

    /**
     * When a validation error is about a value an override set, the override is to blame, not the file: the
     * error is re-addressed to {@code --set PATH=VALUE}. Empty when no override touched the key path.
     */
    static java.util.Optional<ConfigException> blame(ConfigException e, List<String> assignments) {
        if (assignments == null || e.keyPath().startsWith("--set")) {
            return e.keyPath().startsWith("--set") ? java.util.Optional.of(e) : java.util.Optional.empty();
        }
        String failing = normalise(e.keyPath());
        for (int i = assignments.size() - 1; i >= 0; i--) {
            String assignment = assignments.get(i);
            int eq = assignment.indexOf('=');
            if (eq <= 0) {
                continue;
            }
            String set = normalise(assignment.substring(0, eq).trim());
            if (!set.isEmpty() && (failing.equals(set) || failing.startsWith(set + ".") || failing.startsWith(set + "["))) {
                return java.util.Optional.of(new ConfigException("--set " + assignment, e.problem()));
            }
        }
        return java.util.Optional.empty();
    }

    /**
     * Whether two key paths write the same value: equal (as {@link #normalise} spells them), or one inside the other
     * ({@code optimizer} and {@code optimizer.learning_rate}).
     */
    static boolean overlap(String a, String b) {
        String x = normalise(a.trim());
        String y = normalise(b.trim());
        return x.equals(y) || x.startsWith(y + ".") || x.startsWith(y + "[") || y.startsWith(x + ".") || y.startsWith(x + "[");
    }

    /**
     * The first pair {@code {later, earlier}} of assignments ({@code key=value}) that write one value (see
     * {@link #overlap}), or null when every key is written once.
     */
    static int[] firstRepeat(List<String> assignments) {
        for (int i = 0; assignments != null && i < assignments.size(); i++) {
            int eq = assignments.get(i).indexOf('=');
            for (int j = 0; j < i && eq > 0; j++) {
                int eq2 = assignments.get(j).indexOf('=');
                if (eq2 > 0 && overlap(assignments.get(i).substring(0, eq), assignments.get(j).substring(0, eq2))) {
                    return new int[] {i, j};
                }
            }
        }
        return null;
    }

    /** {@code model.layers.2.rate} and {@code model.layers[2].rate} name the same value. */
    private static String normalise(String path) {
        return path.replaceAll("\\.(\\d+)(?=\\.|$)", "[$1]");
    }

    private static Object deepCopy(Object node) {
        if (node instanceof Map<?, ?> map) {
            Map<Object, Object> copy = new LinkedHashMap<>();
            map.forEach((k, v) -> copy.put(k, deepCopy(v)));
            return copy;
        }
        if (node instanceof List<?> list) {
            List<Object> copy = new ArrayList<>();
            list.forEach(v -> copy.add(deepCopy(v)));
            return copy;
        }
        return node;
    }
}
