package io.deepnets.data;

import io.deepnets.BadInputException;

/** A data file that is missing, unreadable, corrupt or truncated; the message names the file. */
public final class DataException extends BadInputException {
    public DataException(String message) {
        super(message);
    }

    public DataException(String message, Throwable cause) {
        super(message, cause);
    }
}
