package io.deepnets.train;

/** The loss became NaN or infinite: further steps would only write garbage into the history. */
public final class TrainingDivergedException extends RuntimeException {
    public TrainingDivergedException(String message) {
        super(message);
    }
}
