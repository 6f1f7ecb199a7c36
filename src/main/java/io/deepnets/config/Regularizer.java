package io.deepnets.config;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Keras's {@code kernel_regularizer}: {@code l1} and {@code l2} strengths on a layer's weights (never its bias).
 * Keras adds {@code l1 * sum(|w|) + l2 * sum(w^2)} to the loss; the model package maps that onto DL4J, whose own
 * L2 term is {@code 0.5 * x * sum(w^2)}.
 */
public record Regularizer(double l1, double l2) {
    /** No penalty: what a Keras layer has unless one is asked for. */
    public static final Regularizer NONE = new Regularizer(0, 0);

    public Regularizer {
        if (!(l1 >= 0) || Double.isInfinite(l1)) {
            throw new ConfigException("kernel_regularizer.l1", "expected a number >= 0, got " + l1);
        }
        if (!(l2 >= 0) || Double.isInfinite(l2)) {
            throw new ConfigException("kernel_regularizer.l2", "expected a number >= 0, got " + l2);
        }
    }

    public boolean isNone() {
        return l1 == 0 && l2 == 0;
    }

    /** The loss term Keras adds for weights {@code w}: {@code l1 * sum|w| + l2 * sum w^2}. */
    public double penalty(float[] weights) {
        double abs = 0;
        double sq = 0;
        for (float w : weights) {
            abs += Math.abs(w);
            sq += (double) w * w;
        }
        return l1 * abs + l2 * sq;
    }

    Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        if (l1 > 0) {
            m.put("l1", l1);
        }
        if (l2 > 0) {
            m.put("l2", l2);
        }
        return m;
    }
}
