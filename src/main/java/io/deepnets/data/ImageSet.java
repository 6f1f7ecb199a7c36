package io.deepnets.data;

/**
 * Images and labels in memory: {@code features} holds {@code count} rows of {@code featureSize} floats in [0, 1],
 * each image channels-first (CHW, the layout DL4J's convolution input expects after reshaping a flat row).
 */
public record ImageSet(float[] features, int[] labels, int count, int featureSize) {
    public ImageSet {
        if (features.length != (long) count * featureSize || labels.length != count) {
            throw new IllegalArgumentException("features/labels do not match count " + count);
        }
    }

    /** Rows {@code [from, to)} as a new set. */
    public ImageSet slice(int from, int to) {
        float[] f = new float[(to - from) * featureSize];
        System.arraycopy(features, from * featureSize, f, 0, f.length);
        int[] l = new int[to - from];
        System.arraycopy(labels, from, l, 0, l.length);
        return new ImageSet(f, l, to - from, featureSize);
    }

    /** The rows at {@code indices}, in that order, as a new set. */
    public ImageSet select(int[] indices) {
        float[] f = new float[indices.length * featureSize];
        int[] l = new int[indices.length];
        for (int i = 0; i < indices.length; i++) {
            System.arraycopy(features, indices[i] * featureSize, f, i * featureSize, featureSize);
            l[i] = labels[indices[i]];
        }
        return new ImageSet(f, l, indices.length, featureSize);
    }

    /** Samples per class, indexed by label. */
    public int[] classCounts(int classes) {
        int[] counts = new int[classes];
        for (int label : labels) {
            counts[label]++;
        }
        return counts;
    }

    /** Scales raw 8-bit pixels to [0, 1] by dividing by 255, as the assignment specifies. */
    static ImageSet fromBytes(byte[] pixels, int[] labels, int featureSize) {
        float[] f = new float[pixels.length];
        for (int i = 0; i < pixels.length; i++) {
            f[i] = (pixels[i] & 0xFF) / 255f;
        }
        return new ImageSet(f, labels, labels.length, featureSize);
    }
}
