package io.deepnets;

/**
 * A command that could not finish its work for a reason that is not the user's input and not a bug (training
 * diverged, points failed on Spark): the CLI prints its message as one line and exits 1, without calling it an
 * internal error.
 */
public class CommandFailure extends RuntimeException {
    public CommandFailure(String message) {
        super(message);
    }
}
