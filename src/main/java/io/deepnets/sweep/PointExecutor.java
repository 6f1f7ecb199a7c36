package io.deepnets.sweep;

import io.deepnets.BadInputException;
import io.deepnets.config.ConfigLoader;
import io.deepnets.config.ExperimentConfig;
import io.deepnets.run.ExperimentRunner;
import io.deepnets.run.RunRequest;
import io.deepnets.run.RunResult;
import io.deepnets.runs.AtomicFiles;
import io.deepnets.runs.Checkpoint;
import io.deepnets.runs.HistoryCsv;
import io.deepnets.runs.RunFolder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Runs one point with the project's normal runner, in whatever JVM it is called: a fresh run into the point's
 * folder, or, when an earlier attempt left a checkpoint there, a resume of it. A folder an attempt left with
 * nothing finished in it is cleared first. Divergence is a result; any other failure is reported, not thrown.
 */
public final class PointExecutor {
    /** What a sweep asks of each run: divergence is a result, train accuracy is measured on the whole training part. */
    public static final RunRequest.Options SWEEP = new RunRequest.Options(true, true);

    private PointExecutor() {
    }

    public static PointOutcome execute(PointTask task, ExperimentRunner runner) {
        long start = System.nanoTime();
        try {
            ExperimentConfig config = ConfigLoader.parse(task.configYaml(), List.of());
            Path runDir = Path.of(task.runDir());
            Path dataDir = task.dataDir() == null ? null : Path.of(task.dataDir());
            ExperimentRunner sweepRunner = runner.withOptions(task.sweepPoint() ? SWEEP : RunRequest.Options.SINGLE_RUN);
            RunResult result;
            if (Files.isRegularFile(runDir.resolve(RunFolder.METRICS))) {
                return new PointOutcome(task.index(), task.folder(), "completed", null, 0);
            } else if (Checkpoint.exists(runDir)) {
                result = sweepRunner.resume(runDir, dataDir);
            } else {
                clearUnfinished(runDir);
                result = sweepRunner.runInto(config, Path.of(task.folder()), runDir, dataDir);
            }
            return new PointOutcome(task.index(), task.folder(), result.diverged() ? "diverged" : "completed", null, seconds(start));
        } catch (RuntimeException | Error e) {
            String message = io.deepnets.FailureText.describe(e).lines().findFirst().orElse("");
            return new PointOutcome(task.index(), task.folder(), "failed", message, seconds(start));
        }
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }

    /** An attempt that finished no epoch leaves nothing worth keeping: the folder goes, so the point runs afresh. */
    private static void clearUnfinished(Path runDir) {
        if (!Files.exists(runDir)) {
            return;
        }
        try {
            Path history = runDir.resolve(RunFolder.HISTORY);
            if (Files.isRegularFile(history) && !HistoryCsv.read(history).isEmpty()) {
                throw new BadInputException(runDir + ": has finished epochs but no checkpoint to continue from; remove the folder to run the point again");
            }
            AtomicFiles.deleteTree(runDir);
        } catch (IOException e) {
            throw new BadInputException(runDir + ": cannot clear an unfinished attempt (" + io.deepnets.FailureText.describe(e) + ")");
        }
    }
}
