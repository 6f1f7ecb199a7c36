package io.deepnets.run;

import io.deepnets.config.ExperimentConfig;
import io.deepnets.eval.EvalResult;
import io.deepnets.runs.EpochResult;
import java.nio.file.Path;
import java.util.List;

/**
 * A completed run: its folder, resolved config, history and test result.
 *
 * @param test null when training diverged
 * @param divergedEpoch the epoch whose loss stopped being finite, or 0 when training did not diverge
 */
public record RunResult(Path runDir, ExperimentConfig config, List<EpochResult> history, EvalResult test, long params, int divergedEpoch) {
    public RunResult(Path runDir, ExperimentConfig config, List<EpochResult> history, EvalResult test, long params) {
        this(runDir, config, history, test, params, 0);
    }

    public boolean diverged() {
        return divergedEpoch > 0;
    }
}
