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

    /**
     * This error as a config error of {@code configFile} when it is about a data setting ({@code data.…}) that only
     * failed against the data it met (a split that leaves nothing, a folder that is not there): named file first,
     * like every other config error. Any other data error is returned as it is.
     */
    public DataException inConfig(java.nio.file.Path configFile) {
        return getMessage().startsWith("data.") ? new DataException(configFile + ": " + getMessage(), this) : this;
    }
}
