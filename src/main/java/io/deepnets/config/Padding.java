package io.deepnets.config;

/** Keras padding: {@code valid} (no padding) or {@code same} (output size = ceil(input / stride)). */
public enum Padding {
    VALID, SAME;

    static Padding parse(String path, String text) {
        return switch (text) {
            case "valid" -> VALID;
            case "same" -> SAME;
            default -> throw new ConfigException(path, "expected 'same' or 'valid', got '" + text + "'");
        };
    }

    /** Output length along one axis, or -1 when the window does not fit ('valid' with window larger than input). */
    public int outputSize(int input, int window, int stride) {
        if (this == SAME) {
            return (input + stride - 1) / stride;
        }
        return input < window ? -1 : (input - window) / stride + 1;
    }

    public String keras() {
        return name().toLowerCase();
    }
}
