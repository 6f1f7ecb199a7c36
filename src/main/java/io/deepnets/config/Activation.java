package io.deepnets.config;

import java.util.Arrays;
import java.util.stream.Collectors;

/** Activation functions by their Keras names. Keras's default is {@code linear}, DL4J's is sigmoid: always set. */
public enum Activation {
    LINEAR, RELU, SIGMOID, TANH, SOFTMAX, ELU, SELU, SOFTPLUS;

    static Activation parse(String path, String text) {
        for (Activation a : values()) {
            if (a.keras().equals(text)) {
                return a;
            }
        }
        throw new ConfigException(path, "expected one of " + names() + ", got '" + text + "'");
    }

    static String names() {
        return Arrays.stream(values()).map(Activation::keras).collect(Collectors.joining(", "));
    }

    public String keras() {
        return name().toLowerCase();
    }
}
