package io.deepnets.data;

import io.deepnets.config.TensorShape;

/**
 * The mirror image (left and right swapped, Keras's {@code horizontal_flip}) of channels-first rows, in place: the
 * training augmentation's random flip and test-time augmentation's second view are this one operation.
 */
public final class MirrorImage {
    private MirrorImage() {
    }

    /** Mirrors the image of {@code channels x height x width} floats that starts at {@code offset} of {@code f}. */
    public static void mirror(float[] f, int offset, int channels, int height, int width) {
        for (int ch = 0; ch < channels; ch++) {
            for (int r = 0; r < height; r++) {
                int row = offset + ch * height * width + r * width;
                for (int a = 0, b = width - 1; a < b; a++, b--) {
                    float t = f[row + a];
                    f[row + a] = f[row + b];
                    f[row + b] = t;
                }
            }
        }
    }

    /** Rows {@code from..to} of {@code set}, each mirrored, as a new in-memory set ({@code set} is left as it was). */
    public static ImageSet mirrored(ImageSet set, int from, int to, TensorShape shape) {
        if (!shape.isImage()) {
            throw new IllegalArgumentException("a mirror image needs images, got " + shape);
        }
        if ((long) shape.channels() * shape.height() * shape.width() != set.featureSize()) {
            throw new IllegalArgumentException("rows of " + set.featureSize() + " values are not images of " + shape);
        }
        int[] order = new int[to - from];
        for (int i = 0; i < order.length; i++) {
            order[i] = from + i;
        }
        ImageSet rows = set.rows(order, 0, order.length);
        for (int i = 0; i < rows.count(); i++) {
            mirror(rows.features(), i * rows.featureSize(), shape.channels(), shape.height(), shape.width());
        }
        return rows;
    }
}
