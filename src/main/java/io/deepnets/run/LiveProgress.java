package io.deepnets.run;

import io.deepnets.runs.EpochResult;
import io.deepnets.runs.ProgressFile;
import io.deepnets.train.TrainingObserver;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Keeps a run folder's {@code progress.json} current while it trains, so that {@code serve} can show the epoch in
 * progress. A failed write is ignored: the progress file is a courtesy to readers, never a reason to stop training.
 */
final class LiveProgress implements TrainingObserver {
    private final Path runDir;
    private final long pid = ProcessHandle.current().pid();
    private final String host = ProgressFile.hostName();
    private int epoch;
    private int epochs;
    private int steps;
    private long lastWrite;

    LiveProgress(Path runDir) {
        this.runDir = runDir;
    }

    @Override
    public void epochStarted(int epoch, int epochs, int steps) {
        this.epoch = epoch;
        this.epochs = epochs;
        this.steps = steps;
        if (due()) {
            write(0, Double.NaN, Double.NaN, 0, "training");
        }
    }

    @Override
    public void batchFinished(int step, int steps, double runningLoss, double runningAccuracy, double elapsedSeconds) {
        if (due()) {
            write(step, runningLoss, runningAccuracy, elapsedSeconds, "training");
        }
    }

    @Override
    public void epochFinished(EpochResult result, int epochs) {
        this.epochs = epochs;
        if (due()) {
            write(steps, result.loss(), result.accuracy(), result.epochSeconds(), "epoch-end");
        }
    }

    /**
     * Whether the last write is old enough for another: at most one every {@link ProgressFile#INTERVAL_MILLIS} ms,
     * epoch boundaries included (a sweep's small network trains an epoch in ~10 ms; two writes an epoch cost it as
     * much as its training). The first write is always due (lastWrite starts at 0). Readers see an epoch's end within
     * that interval, and the run's end in its files.
     */
    private boolean due() {
        return System.currentTimeMillis() - lastWrite >= ProgressFile.INTERVAL_MILLIS;
    }

    private void write(int step, double loss, double accuracy, double elapsed, String phase) {
        lastWrite = System.currentTimeMillis();
        try {
            ProgressFile.write(runDir, new ProgressFile.Progress(pid, host, epoch, epochs, step, steps, loss, accuracy, elapsed, phase, lastWrite));
        } catch (IOException | RuntimeException e) {
            // A full disk shows up in history.csv's and the checkpoint's writes, which do stop the run.
        }
    }
}
