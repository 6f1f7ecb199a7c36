package io.deepnets;

/**
 * A problem with what the user gave: a config file, an argument, a data file. The CLI maps it to exit
 * code 2 and prints its message as one line.
 */
public class BadInputException extends RuntimeException {
    public BadInputException(String message) {
        super(message);
    }

    public BadInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
