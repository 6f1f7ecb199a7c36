package io.deepnets.run;

import io.deepnets.config.ExperimentConfig;
import io.deepnets.eval.EvalResult;
import io.deepnets.runs.EpochResult;
import java.nio.file.Path;
import java.util.List;

/** A completed run: its folder, resolved config, history and test result. */
public record RunResult(Path runDir, ExperimentConfig config, List<EpochResult> history, EvalResult test, long params) {
}
