package io.deepnets.runs;

/**
 * One epoch as Keras's History records it: running means over the epoch's batches (dropout active) for loss
 * and accuracy, whole-validation-set figures without dropout, the wall time (training and validation), and the
 * learning rate the epoch's last step used ({@code NaN} where it was not recorded: runs of older versions).
 */
public record EpochResult(int epoch, double loss, double accuracy, double valLoss, double valAccuracy, double epochSeconds,
        double msPerStep, double lr) {

    public EpochResult(int epoch, double loss, double accuracy, double valLoss, double valAccuracy, double epochSeconds, double msPerStep) {
        this(epoch, loss, accuracy, valLoss, valAccuracy, epochSeconds, msPerStep, Double.NaN);
    }

    /** The figure Keras names {@code monitor}: loss, accuracy, val_loss or val_accuracy; null for another name. */
    public Double monitored(String monitor) {
        return switch (monitor) {
            case "loss" -> loss;
            case "accuracy" -> accuracy;
            case "val_loss" -> valLoss;
            case "val_accuracy" -> valAccuracy;
            default -> null;
        };
    }
}
