package io.deepnets.train;

/** The loss became NaN or infinite: further steps would only write garbage into the history. */
public final class TrainingDivergedException extends RuntimeException {
    private final int epoch;

    public TrainingDivergedException(int epoch, String message) {
        super(message);
        this.epoch = epoch;
    }

    /** The 1-based epoch in which the loss stopped being finite. */
    public int epoch() {
        return epoch;
    }
}
