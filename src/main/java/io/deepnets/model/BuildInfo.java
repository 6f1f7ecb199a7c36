package io.deepnets.model;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** Versions fixed at build time (from the pom, via {@code deepnets-build.properties}). */
public final class BuildInfo {
    private static final Properties PROPS = new Properties();

    static {
        try (InputStream in = BuildInfo.class.getResourceAsStream("/deepnets-build.properties")) {
            if (in != null) {
                PROPS.load(in);
            }
        } catch (IOException ignored) {
            // versions then read "unknown"
        }
    }

    private BuildInfo() {
    }

    public static String get(String key) {
        return PROPS.getProperty(key, "unknown");
    }
}
