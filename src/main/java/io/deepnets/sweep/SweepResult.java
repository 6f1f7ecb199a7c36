package io.deepnets.sweep;

import io.deepnets.runs.SweepFolder;
import java.nio.file.Path;
import java.util.List;

/**
 * A finished sweep.
 *
 * @param dir the sweep folder
 * @param contents the points as read back, with their runs
 * @param ran points run (or resumed) this time; the others were already complete
 * @param failed points that failed this time, with their messages
 * @param seconds wall time of this invocation
 */
public record SweepResult(Path dir, SweepFolder.Contents contents, int ran, List<PointOutcome> failed, double seconds, Path page) {
}
