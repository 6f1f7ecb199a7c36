package io.deepnets.data;

/**
 * Images and labels: {@code features} holds {@code count} rows of {@code featureSize} floats in [0, 1], each image
 * channels-first (CHW, the layout DL4J's convolution input expects after reshaping a flat row); it may be longer (the
 * first rows of a larger set, shared rather than copied: a dataset's training part after Keras's split). A streamed
 * set ({@code source} not null) holds only the labels; its rows are decoded when asked for ({@link #rows}).
 */
public record ImageSet(float[] features, int[] labels, int count, int featureSize, ImageSource source) {

    /** Where a streamed set's rows come from. */
    public interface ImageSource {
        /** Decodes rows {@code order[from..to)} into {@code out}, row after row. */
        void read(int[] order, int from, int to, float[] out);

        /** The source of the samples at {@code indices}, in that order. */
        ImageSource select(int[] indices);
    }

    public ImageSet {
        if ((source == null && features.length < (long) count * featureSize) || labels.length != count) {
            throw new IllegalArgumentException("features/labels do not match count " + count);
        }
    }

    public ImageSet(float[] features, int[] labels, int count, int featureSize) {
        this(features, labels, count, featureSize, null);
    }

    /** Whether the rows are decoded per batch instead of held in {@link #features}. */
    public boolean isStreamed() {
        return source != null;
    }

    /** Rows {@code order[from..to)} in memory, in that order: a copy for an in-memory set, decoded for a streamed one. */
    public ImageSet rows(int[] order, int from, int to) {
        float[] f = new float[(to - from) * featureSize];
        int[] l = new int[to - from];
        if (source != null) {
            source.read(order, from, to, f);
        } else {
            for (int i = from; i < to; i++) {
                System.arraycopy(features, order[i] * featureSize, f, (i - from) * featureSize, featureSize);
            }
        }
        for (int i = from; i < to; i++) {
            l[i - from] = labels[order[i]];
        }
        return new ImageSet(f, l, to - from, featureSize);
    }

    /** One image's floats. */
    public float[] row(int index) {
        return rows(new int[] {index}, 0, 1).features();
    }

    /**
     * Rows {@code [from, to)} as a new set; the first rows ({@code from == 0}) share this set's features (no copy: a
     * split of CIFAR-10 otherwise held the whole set twice while it was made, 0.6 GB more at its peak).
     */
    public ImageSet slice(int from, int to) {
        if (source == null && from == 0) {
            return new ImageSet(features, java.util.Arrays.copyOf(labels, to), to, featureSize);
        }
        if (source != null) {
            int[] indices = new int[to - from];
            for (int i = 0; i < indices.length; i++) {
                indices[i] = from + i;
            }
            return select(indices);
        }
        float[] f = new float[(to - from) * featureSize];
        System.arraycopy(features, from * featureSize, f, 0, f.length);
        int[] l = new int[to - from];
        System.arraycopy(labels, from, l, 0, l.length);
        return new ImageSet(f, l, to - from, featureSize);
    }

    /**
     * Rows {@code [from, count)} as a set that reads them from this one's array when asked for (a streamed set over
     * it) instead of copying them: Keras's validation split, the tail of the loaded training array, whose first rows
     * the training part keeps ({@link #slice} from 0). A copy held CIFAR-10's last 5,000 images twice (61 MB).
     */
    public ImageSet tail(int from) {
        if (source != null) {
            return slice(from, count);
        }
        int[] rows = new int[count - from];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = from + i;
        }
        return new ImageSet(new float[0], java.util.Arrays.copyOfRange(labels, from, count), rows.length, featureSize,
                new ArrayRows(features, rows, featureSize));
    }

    /** Rows of an array in memory, by position: row {@code k} of the set is row {@code rows[k]} of the array. */
    private record ArrayRows(float[] features, int[] rows, int featureSize) implements ImageSource {
        @Override
        public void read(int[] order, int from, int to, float[] out) {
            for (int i = from; i < to; i++) {
                System.arraycopy(features, rows[order[i]] * featureSize, out, (i - from) * featureSize, featureSize);
            }
        }

        @Override
        public ImageSource select(int[] indices) {
            int[] picked = new int[indices.length];
            for (int i = 0; i < indices.length; i++) {
                picked[i] = rows[indices[i]];
            }
            return new ArrayRows(features, picked, featureSize);
        }
    }

    /** The rows at {@code indices}, in that order, as a new set. */
    public ImageSet select(int[] indices) {
        if (source != null) {
            int[] l = new int[indices.length];
            for (int i = 0; i < indices.length; i++) {
                l[i] = labels[indices[i]];
            }
            return new ImageSet(new float[0], l, indices.length, featureSize, source.select(indices));
        }
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
