package io.deepnets.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A mapping from the YAML document with its key path: typed reads that name the path on error, and a
 * final check that every key was consumed (unknown keys are errors, never ignored).
 */
final class YamlSection {
    private static final Pattern DECIMAL = Pattern.compile("[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?");

    private final String path;
    private final Map<String, Object> values;
    private final Set<String> read = new LinkedHashSet<>();

    YamlSection(String path, Map<String, Object> values) {
        this.path = path;
        this.values = values;
    }

    static YamlSection of(String path, Object node) {
        if (!(node instanceof Map<?, ?> map)) {
            throw new ConfigException(path, "expected a mapping of keys to values, got " + describe(node));
        }
        Map<String, Object> copy = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (!(e.getKey() instanceof String key)) {
                throw new ConfigException(path, "keys must be text, got " + describe(e.getKey()));
            }
            copy.put(key, e.getValue());
        }
        return new YamlSection(path, copy);
    }

    String path() {
        return path;
    }

    /** The section's keys in the order written (reading them is still up to the caller). */
    List<String> keys() {
        return new ArrayList<>(values.keySet());
    }

    String pathOf(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    boolean has(String key) {
        return values.containsKey(key) && values.get(key) != null;
    }

    private Object take(String key) {
        read.add(key);
        return values.get(key);
    }

    Object raw(String key) {
        return take(key);
    }

    String requireString(String key) {
        Object v = take(key);
        if (v == null) {
            throw new ConfigException(pathOf(key), "is required");
        }
        return asString(pathOf(key), v);
    }

    String optString(String key, String fallback) {
        Object v = take(key);
        return v == null ? fallback : asString(pathOf(key), v);
    }

    int requireInt(String key) {
        Object v = take(key);
        if (v == null) {
            throw new ConfigException(pathOf(key), "is required (an integer)");
        }
        return asInt(pathOf(key), v);
    }

    Integer optInt(String key, Integer fallback) {
        Object v = take(key);
        return v == null ? fallback : Integer.valueOf(asInt(pathOf(key), v));
    }

    long optLong(String key, long fallback) {
        Object v = take(key);
        if (v == null) {
            return fallback;
        }
        if (v instanceof Integer || v instanceof Long) {
            return ((Number) v).longValue();
        }
        throw new ConfigException(pathOf(key), "expected an integer, got " + describe(v));
    }

    Double optDouble(String key, Double fallback) {
        Object v = take(key);
        return v == null ? fallback : Double.valueOf(asDouble(pathOf(key), v));
    }

    boolean optBool(String key, boolean fallback) {
        Object v = take(key);
        if (v == null) {
            return fallback;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        throw new ConfigException(pathOf(key), "expected true or false, got " + describe(v));
    }

    /** A Keras size argument: one integer (used for both dimensions) or a list of two. */
    int[] optPair(String key, int[] fallback) {
        Object v = take(key);
        if (v == null) {
            return fallback;
        }
        if (v instanceof List<?> list) {
            if (list.size() != 2) {
                throw new ConfigException(pathOf(key), "expected an integer or a list of two integers, got a list of " + list.size());
            }
            return new int[] {asInt(pathOf(key) + "[0]", list.get(0)), asInt(pathOf(key) + "[1]", list.get(1))};
        }
        int n = asInt(pathOf(key), v);
        return new int[] {n, n};
    }

    List<Integer> requireIntList(String key) {
        Object v = take(key);
        if (!(v instanceof List<?> list)) {
            throw new ConfigException(pathOf(key), v == null ? "is required (a list of integers)" : "expected a list of integers, got " + describe(v));
        }
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            out.add(asInt(pathOf(key) + "[" + i + "]", list.get(i)));
        }
        return out;
    }

    List<String> optStringList(String key) {
        Object v = take(key);
        if (v == null) {
            return null;
        }
        if (!(v instanceof List<?> list)) {
            throw new ConfigException(pathOf(key), "expected a list of names, got " + describe(v));
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            out.add(asString(pathOf(key) + "[" + i + "]", list.get(i)));
        }
        return out;
    }

    List<?> requireList(String key) {
        Object v = take(key);
        if (!(v instanceof List<?> list)) {
            throw new ConfigException(pathOf(key), v == null ? "is required (a list)" : "expected a list, got " + describe(v));
        }
        return list;
    }

    YamlSection section(String key) {
        Object v = take(key);
        if (v == null) {
            throw new ConfigException(pathOf(key), "is required (a section of keys)");
        }
        return of(pathOf(key), v);
    }

    YamlSection optSection(String key) {
        Object v = take(key);
        return v == null ? of(pathOf(key), Map.of()) : of(pathOf(key), v);
    }

    /** Rejects every key that no read asked for, naming the keys this section accepts. */
    void rejectUnknown(List<String> allowed) {
        for (String key : values.keySet()) {
            if (!read.contains(key)) {
                throw new ConfigException(pathOf(key), "unknown key; expected one of " + String.join(", ", allowed));
            }
        }
    }

    static String asString(String path, Object v) {
        if (v instanceof String s) {
            return s;
        }
        throw new ConfigException(path, "expected text, got " + describe(v));
    }

    static int asInt(String path, Object v) {
        if (v instanceof Integer i) {
            return i;
        }
        if (v instanceof Long l && l >= Integer.MIN_VALUE && l <= Integer.MAX_VALUE) {
            return l.intValue();
        }
        throw new ConfigException(path, "expected an integer, got " + describe(v));
    }

    /** YAML 1.1 reads {@code 1e-7} (no dot) as text; users write it that way, so such text is a number too. */
    static double asDouble(String path, Object v) {
        if (v instanceof Number n && !(v instanceof Double d && (d.isNaN() || d.isInfinite()))) {
            return n.doubleValue();
        }
        if (v instanceof String s && DECIMAL.matcher(s.trim()).matches()) {
            return Double.parseDouble(s.trim());
        }
        throw new ConfigException(path, "expected a number, got " + describe(v));
    }

    static String describe(Object v) {
        if (v == null) {
            return "nothing";
        }
        if (v instanceof String s) {
            return "'" + s + "' (text)";
        }
        if (v instanceof Map<?, ?>) {
            return "a mapping";
        }
        if (v instanceof List<?>) {
            return "a list";
        }
        if (v instanceof Boolean b) {
            return b + " (boolean)";
        }
        if (v instanceof Double || v instanceof Float) {
            return v + " (decimal number)";
        }
        if (v instanceof java.util.Date d) {
            // YAML 1.1 reads 2024-05-01 as a date.
            return "the date " + d.toInstant().toString().replaceAll("T00:00:00Z$", "") + " (quote it to use it as text)";
        }
        if (v instanceof java.math.BigInteger) {
            return v + " (a whole number too large for any setting)";
        }
        if (v instanceof byte[]) {
            return "binary data";
        }
        if (v instanceof Number) {
            return v + " (whole number)";
        }
        return "'" + v + "'";
    }
}
