package io.deepnets.data;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Copies the rows a step needs from an {@link ImageSet} into ND4J arrays: features {@code [batch, featureSize]}
 * and one-hot labels {@code [batch, classes]}. The Java-side buffers are reused between batches.
 */
public final class BatchAssembler {
    private final ImageSet set;
    private final int classes;
    private float[] features = new float[0];
    private float[] labels = new float[0];

    public BatchAssembler(ImageSet set, int classes) {
        this.set = set;
        this.classes = classes;
    }

    /** Features of rows {@code order[from..to)}. */
    public INDArray features(int[] order, int from, int to) {
        int n = to - from;
        int size = set.featureSize();
        if (features.length != n * size) {
            features = new float[n * size];
        }
        for (int i = 0; i < n; i++) {
            System.arraycopy(set.features(), order[from + i] * size, features, i * size, size);
        }
        return Nd4j.create(features, new long[] {n, size}, 'c');
    }

    /** One-hot labels of rows {@code order[from..to)}. */
    public INDArray labels(int[] order, int from, int to) {
        int n = to - from;
        if (labels.length != n * classes) {
            labels = new float[n * classes];
        } else {
            java.util.Arrays.fill(labels, 0f);
        }
        for (int i = 0; i < n; i++) {
            labels[i * classes + set.labels()[order[from + i]]] = 1f;
        }
        return Nd4j.create(labels, new long[] {n, classes}, 'c');
    }

    /** Integer labels of rows {@code order[from..to)}. */
    public int[] labelIndices(int[] order, int from, int to) {
        int[] out = new int[to - from];
        for (int i = 0; i < out.length; i++) {
            out[i] = set.labels()[order[from + i]];
        }
        return out;
    }

    /** The identity order {@code 0..n-1}. */
    public static int[] identity(int n) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        return order;
    }
}
