package io.deepnets.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deepnets.data.DataSources;
import io.deepnets.run.ExperimentRunner;
import io.deepnets.run.RunRequest;
import io.deepnets.run.RunResult;
import io.deepnets.runs.Checkpoint;
import io.deepnets.runs.EpochResult;
import io.deepnets.runs.RunFolder;
import io.deepnets.testing.RealData;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Same config and seed, same history (all but the two timing columns, which measure the machine); a run
 * interrupted after an epoch and resumed from its checkpoint ends exactly where the uninterrupted run ends.
 */
class ResumeAndDeterminismTest {
    static final List<String> SHORT = List.of("training.epochs=3", "data.train_subset=1500", "data.test_subset=500");

    @TempDir
    Path tmp;

    /** Thrown by an observer to stop a run the way Ctrl-C or a crash would, after a completed epoch. */
    static final class Interrupt extends RuntimeException {
        Interrupt() {
            super("interrupted for the test");
        }
    }

    static ExperimentRunner runner() {
        return new ExperimentRunner(new PrintStream(OutputStream.nullOutputStream()), System.err, false, Map.of(), DataSources.canonical());
    }

    /** history.csv without the timing columns (epoch_seconds, ms_per_step). */
    static List<String> learningColumns(Path runDir) throws Exception {
        return Files.readAllLines(runDir.resolve(RunFolder.HISTORY)).stream()
                .map(l -> String.join(",", Arrays.copyOf(l.split(","), 5))).toList();
    }

    @Test
    void sameSeedSameHistoryAndResumeContinuesExactly() throws Exception {
        Path data = RealData.dir();
        Path config = Path.of("configs/mnist-cnn-dropout.yaml");
        RunResult first = runner().run(new RunRequest(config, SHORT, data, tmp.resolve("a")));
        RunResult second = runner().run(new RunRequest(config, SHORT, data, tmp.resolve("b")));
        assertEquals(learningColumns(first.runDir()), learningColumns(second.runDir()), "deterministic within one JVM");
        assertArrayEquals(Files.readAllBytes(first.runDir().resolve(RunFolder.PREDICTIONS)),
                Files.readAllBytes(second.runDir().resolve(RunFolder.PREDICTIONS)));

        ExperimentRunner interrupting = runner().withObserver(new TrainingObserver() {
            @Override
            public void epochFinished(EpochResult result, int epochs) {
                if (result.epoch() == 2) {
                    throw new Interrupt();
                }
            }
        });
        Path out = tmp.resolve("c");
        assertThrows(Interrupt.class, () -> interrupting.run(new RunRequest(config, SHORT, data, out)));
        Path runDir;
        try (var dirs = Files.list(out.resolve("mnist-cnn-dropout"))) {
            runDir = dirs.findFirst().orElseThrow();
        }
        assertEquals(2, Checkpoint.epoch(runDir));
        assertEquals(3, Files.readAllLines(runDir.resolve(RunFolder.HISTORY)).size(), "header and two epochs kept");
        assertFalse(Files.exists(runDir.resolve(RunFolder.METRICS)));

        RunResult resumed = runner().resume(runDir, data);
        assertEquals(runDir, resumed.runDir());
        assertEquals(learningColumns(first.runDir()), learningColumns(runDir), "resumed run = uninterrupted run");
        assertEquals(first.test().accuracy(), resumed.test().accuracy());
        assertEquals(first.test().loss(), resumed.test().loss(), 1e-9);
        assertFalse(Files.exists(runDir.resolve(Checkpoint.FOLDER)), "checkpoint removed once complete");
        assertTrue(Files.exists(runDir.resolve(RunFolder.METRICS)));
    }

    /**
     * With early stopping (restore_best_weights), a plateau cutting the rate and a best-model checkpoint, a run
     * interrupted mid-way and resumed decides exactly as the uninterrupted one: same epochs, same rates (the lr
     * column), same stop, same restored weights and test result.
     */
    @Test
    void callbacksResumeWithTheirState() throws Exception {
        Path data = RealData.dir();
        Path config = Path.of("configs/digits-cnn.yaml");
        List<String> callbacks = List.of("training.epochs=25", "optimizer.learning_rate=0.3",
                "training.early_stopping={patience: 2, min_delta: 0.02, restore_best_weights: true}",
                "training.reduce_lr_on_plateau={patience: 1, factor: 0.5, min_delta: 0.05}", "training.checkpoint={monitor: val_accuracy}");
        RunResult whole = runner().run(new RunRequest(config, callbacks, data, tmp.resolve("whole")));
        List<String> wholeHistory = Files.readAllLines(whole.runDir().resolve(RunFolder.HISTORY)).stream()
                .map(l -> l.replaceAll("^([^,]*,[^,]*,[^,]*,[^,]*,[^,]*),[^,]*,[^,]*,", "$1,")).toList();
        assertTrue(whole.history().size() < 25, "early stopping stopped it: " + whole.history().size());
        assertTrue(whole.history().stream().map(EpochResult::lr).distinct().count() > 1, "the plateau cut the rate");

        ExperimentRunner interrupting = runner().withObserver(new TrainingObserver() {
            @Override
            public void epochFinished(EpochResult result, int epochs) {
                if (result.epoch() == 7) {
                    throw new Interrupt();
                }
            }
        });
        Path out = tmp.resolve("cut");
        assertThrows(Interrupt.class, () -> interrupting.run(new RunRequest(config, callbacks, data, out)));
        Path runDir;
        try (var dirs = Files.list(out.resolve("digits-cnn"))) {
            runDir = dirs.findFirst().orElseThrow();
        }
        RunResult resumed = runner().resume(runDir, data);
        List<String> resumedHistory = Files.readAllLines(runDir.resolve(RunFolder.HISTORY)).stream()
                .map(l -> l.replaceAll("^([^,]*,[^,]*,[^,]*,[^,]*,[^,]*),[^,]*,[^,]*,", "$1,")).toList();
        assertEquals(wholeHistory, resumedHistory, "same epochs, figures and learning rates");
        assertEquals(whole.test().accuracy(), resumed.test().accuracy());
        assertEquals(whole.test().loss(), resumed.test().loss(), 1e-9);
        String a = Files.readString(whole.runDir().resolve(RunFolder.METRICS));
        String b = Files.readString(runDir.resolve(RunFolder.METRICS));
        for (String key : List.of("stopped_epoch", "best_epoch", "best_model_epoch", "model_weights")) {
            assertEquals(a.replaceAll("(?s).*\"" + key + "\" : ([^,\n]*).*", "$1"), b.replaceAll("(?s).*\"" + key + "\" : ([^,\n]*).*", "$1"), key);
        }
        assertArrayEquals(Files.readAllBytes(whole.runDir().resolve(RunFolder.PREDICTIONS)), Files.readAllBytes(runDir.resolve(RunFolder.PREDICTIONS)));
    }

    /**
     * Stochastic weight averaging interrupted after an averaged epoch: the checkpoint holds the running average and its
     * count, and the resumed run averages the same epochs, recounts the same batch statistics and ends with the same
     * network as the uninterrupted one.
     */
    @Test
    void aWeightAverageResumesWithItsEpochs() throws Exception {
        Path data = RealData.dir();
        Path config = tmp.resolve("digits-bn-swa.yaml");
        Files.writeString(config, """
                name: digits-bn-swa
                seed: 42
                data: {dataset: digits, test_split: 0.2, validation_data: test}
                model:
                  input_shape: [8, 8, 1]
                  layers:
                    - {type: conv2d, filters: 8, kernel_size: 3, activation: relu}
                    - {type: batch_normalization}
                    - {type: flatten}
                    - {type: dense, units: 32, activation: relu}
                    - {type: output, units: 10}
                optimizer: {name: sgd, learning_rate: 0.05, momentum: 0.9, schedule: {type: cosine}}
                training: {batch_size: 64, epochs: 6, swa: {start: 0.5, learning_rate: 0.01}}
                """);
        RunResult whole = runner().run(new RunRequest(config, List.of(), data, tmp.resolve("whole")));
        assertEquals(List.of(0.01, 0.01, 0.01), whole.history().subList(3, 6).stream().map(EpochResult::lr).toList());
        String metrics = Files.readString(whole.runDir().resolve(RunFolder.METRICS));
        assertTrue(metrics.contains("\"model_weights\" : \"averaged (swa, epochs 4-6)\""), metrics);
        String report = Files.readString(whole.runDir().resolve(RunFolder.REPORT));
        assertTrue(report.contains("whose weights are averaged (swa, epochs 4-6): stochastic weight averaging"), "the report says so");

        ExperimentRunner interrupting = runner().withObserver(new TrainingObserver() {
            @Override
            public void epochFinished(EpochResult result, int epochs) {
                if (result.epoch() == 5) {
                    throw new Interrupt();
                }
            }
        });
        Path out = tmp.resolve("cut");
        assertThrows(Interrupt.class, () -> interrupting.run(new RunRequest(config, List.of(), data, out)));
        Path runDir;
        try (var dirs = Files.list(out.resolve("digits-bn-swa"))) {
            runDir = dirs.findFirst().orElseThrow();
        }
        RunResult resumed = runner().resume(runDir, data);
        assertEquals(learningColumns(whole.runDir()), learningColumns(runDir), "same epochs, figures and rates");
        assertEquals(whole.test().accuracy(), resumed.test().accuracy());
        assertEquals(whole.test().loss(), resumed.test().loss(), 1e-9);
        assertArrayEquals(Files.readAllBytes(whole.runDir().resolve(RunFolder.PREDICTIONS)), Files.readAllBytes(runDir.resolve(RunFolder.PREDICTIONS)));
        assertTrue(Files.readString(runDir.resolve(RunFolder.METRICS)).contains("averaged (swa, epochs 4-6)"));
    }
}
