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

    /** Values per sample; saturates at {@link Long#MAX_VALUE} instead of overflowing, so size checks see "too big". */
    public long size() {
        long n = 1;
        for (int d : dims) {
            n = saturatingMultiply(n, d);
        }
        return n;
    }

    /** {@code a + b}, or {@link Long#MAX_VALUE} where it would overflow. */
    public static long saturatingAdd(long a, long b) {
        long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
    }

    /** {@code a * b}, or {@link Long#MAX_VALUE} where it would overflow. */
    public static long saturatingMultiply(long a, long b) {
        long high = Math.multiplyHigh(a, b);
        long low = a * b;
        return (high == 0 && low >= 0) || (high == -1 && low < 0) ? low : Long.MAX_VALUE;
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
