package io.deepnets.eval;

/**
 * Loss, accuracy and confusion counts of a model on one set of samples, computed without dropout.
 *
 * @param loss mean categorical cross-entropy (probabilities clipped to [1e-7, 1 - 1e-7], as Keras does)
 * @param confusion {@code confusion[true][predicted]} counts
 * @param predictions predicted class per sample, in set order
 * @param confidence the predicted class's probability per sample
 */
public record EvalResult(double loss, double accuracy, long[][] confusion, int[] predictions, float[] confidence) {

    public long samples() {
        long n = 0;
        for (long[] row : confusion) {
            for (long c : row) {
                n += c;
            }
        }
        return n;
    }
}
