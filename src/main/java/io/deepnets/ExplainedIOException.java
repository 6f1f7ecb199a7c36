package io.deepnets;

import java.io.IOException;

/**
 * An I/O failure whose message is already written for the user (what failed, on which file or address, why, in
 * words): {@link FailureText} shows it as it is.
 */
public class ExplainedIOException extends IOException {
    public ExplainedIOException(String message, Throwable cause) {
        super(message, cause);
    }
}
