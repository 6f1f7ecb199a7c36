package io.deepnets.data;

/**
 * Keras's {@code validation_split}: the validation set is the LAST fraction of the training arrays, cut before
 * any shuffling. The split index is computed exactly as Keras does, {@code int(n * (1 - split))}.
 */
public final class KerasSplit {
    private KerasSplit() {
    }

    /** Index of the first validation sample; samples {@code [0, index)} are trained on. */
    public static int splitIndex(int samples, double validationSplit) {
        return (int) Math.floor(samples * (1.0 - validationSplit));
    }
}
