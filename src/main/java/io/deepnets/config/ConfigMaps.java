package io.deepnets.config;

import java.util.LinkedHashMap;
import java.util.Map;

/** Builds the ordered maps the resolved config is written from. */
final class ConfigMaps {
    private ConfigMaps() {
    }

    /** {@code {firstKey: firstValue, k1: v1, ...}} in order. */
    static Map<String, Object> of(String firstKey, Object firstValue, Object... keyValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(firstKey, firstValue);
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put((String) keyValues[i], keyValues[i + 1]);
        }
        return m;
    }
}
