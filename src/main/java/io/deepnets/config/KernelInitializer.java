package io.deepnets.config;

import java.util.Arrays;
import java.util.List;

/**
 * Keras's {@code kernel_initializer} by name, each a {@code VarianceScaling(scale, mode, distribution)}: the weights
 * drawn with variance {@code scale / n}, n the fan-in, the fan-out or their mean, from a uniform distribution or a
 * normal one cut at two standard deviations. {@code glorot_uniform} is Keras's default.
 */
public enum KernelInitializer {
    GLOROT_UNIFORM(1.0, Fan.AVERAGE, false),
    GLOROT_NORMAL(1.0, Fan.AVERAGE, true),
    HE_NORMAL(2.0, Fan.IN, true),
    HE_UNIFORM(2.0, Fan.IN, false),
    LECUN_NORMAL(1.0, Fan.IN, true),
    LECUN_UNIFORM(1.0, Fan.IN, false);

    /** Which count of connections divides the scale. */
    public enum Fan { IN, OUT, AVERAGE }

    private final double scale;
    private final Fan fan;
    private final boolean truncatedNormal;

    KernelInitializer(double scale, Fan fan, boolean truncatedNormal) {
        this.scale = scale;
        this.fan = fan;
        this.truncatedNormal = truncatedNormal;
    }

    public double scale() {
        return scale;
    }

    public Fan fan() {
        return fan;
    }

    /** A normal distribution cut at two standard deviations (Keras's {@code truncated_normal}), else uniform. */
    public boolean truncatedNormal() {
        return truncatedNormal;
    }

    public String keras() {
        return name().toLowerCase();
    }

    static KernelInitializer parse(String path, String text) {
        for (KernelInitializer k : values()) {
            if (k.keras().equals(text)) {
                return k;
            }
        }
        List<String> names = Arrays.stream(values()).map(KernelInitializer::keras).toList();
        throw new ConfigException(path, "expected one of " + String.join(", ", names) + ", got '" + text + "'");
    }
}
