package io.deepnets.run;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@code deepnets run} was asked to do.
 *
 * @param config the experiment YAML
 * @param overrides {@code key.path=value} assignments, applied in order
 * @param dataDir {@code --data-dir}, or null
 * @param outDir where run folders go ({@code reports/} by default)
 */
public record RunRequest(Path config, List<String> overrides, Path dataDir, Path outDir) {
    public RunRequest {
        overrides = List.copyOf(overrides);
    }

    /**
     * How a run treats what a sweep needs differently from a single run.
     *
     * @param divergenceIsResult a loss that becomes NaN or infinite ends the run as "diverged" (a completed run
     *     folder whose metrics.json says so) instead of failing it
     * @param evaluateTraining also evaluate the trained network on the whole training part without dropout
     *     ({@code train_eval_*} in metrics.json), as a grid-search exercise reports train accuracy
     */
    public record Options(boolean divergenceIsResult, boolean evaluateTraining) {
        public static final Options SINGLE_RUN = new Options(false, false);
    }
}
