package io.deepnets.scratch;

/** One sample's shape, channels first: a flat vector is {@code (n, 1, 1)}. */
public record Shape(int channels, int height, int width) {
    public Shape {
        if (channels < 1 || height < 1 || width < 1) {
            throw new IllegalArgumentException("shape " + channels + "x" + height + "x" + width + " has an empty side");
        }
    }

    public static Shape flat(int n) {
        return new Shape(n, 1, 1);
    }

    /** Values per sample. */
    public int size() {
        return channels * height * width;
    }

    @Override
    public String toString() {
        return height == 1 && width == 1 ? "(" + channels + ")" : "(" + channels + ", " + height + ", " + width + ")";
    }
}
