package io.deepnets.runs;

/**
 * One epoch as Keras's History records it: running means over the epoch's batches (dropout active) for loss
 * and accuracy, whole-validation-set figures without dropout, and the wall time (training and validation).
 */
public record EpochResult(int epoch, double loss, double accuracy, double valLoss, double valAccuracy, double epochSeconds,
        double msPerStep) {
}
