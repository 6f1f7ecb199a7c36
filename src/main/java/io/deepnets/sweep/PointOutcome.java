package io.deepnets.sweep;

import java.io.Serializable;

/**
 * What became of a point.
 *
 * @param status {@code completed}, {@code diverged} or {@code failed}
 * @param message why it failed (one line), or null
 * @param seconds wall time of the point where it ran
 */
public record PointOutcome(int index, String folder, String status, String message, double seconds) implements Serializable {
    public boolean failed() {
        return "failed".equals(status);
    }
}
