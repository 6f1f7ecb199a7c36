package io.deepnets.config;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The shape of one sample in Keras order: {@code (features)} for flat data, {@code (height, width, channels)}
 * for images.
 */
public record TensorShape(List<Integer> dims) {
    public TensorShape {
        dims = List.copyOf(dims);
    }

    public static TensorShape of(int... dims) {
        return new TensorShape(java.util.Arrays.stream(dims).boxed().toList());
    }

    public boolean isImage() {
        return dims.size() == 3;
    }

    public boolean isFlat() {
        return dims.size() == 1;
    }

    public int height() {
        return dims.get(0);
    }

    public int width() {
        return dims.get(1);
    }

    public int channels() {
        return dims.get(2);
    }

    public long size() {
        long n = 1;
        for (int d : dims) {
            n *= d;
        }
        return n;
    }

    /** As Keras prints it in a model summary: {@code (None, 26, 26, 32)}. */
    public String keras() {
        return "(None, " + dims.stream().map(String::valueOf).collect(Collectors.joining(", ")) + ")";
    }

    /** Compact form for messages: {@code 26x26x32}. */
    @Override
    public String toString() {
        return dims.stream().map(String::valueOf).collect(Collectors.joining("x"));
    }
}
