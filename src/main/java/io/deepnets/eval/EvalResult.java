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

    /**
     * The same result with {@code penalty} (the weights' regularisation term) added to the loss: Keras reports
     * validation and test loss with the penalty included, as its training loss is.
     */
    public EvalResult plusPenalty(double penalty) {
        return penalty == 0 ? this : new EvalResult(loss + penalty, accuracy, confusion, predictions, confidence);
    }

    /** {@code net}'s regularisation term as DL4J scores it (mapped so that it equals Keras's penalty). */
    public static double penalty(org.deeplearning4j.nn.multilayer.MultiLayerNetwork net) {
        return net.calcRegularizationScore(true);
    }

    /** As {@link #penalty(org.deeplearning4j.nn.multilayer.MultiLayerNetwork)} for a stack or a graph. */
    public static double penalty(io.deepnets.model.Network net) {
        return net.regularizationScore();
    }

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
