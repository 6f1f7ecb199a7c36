package io.deepnets.suite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deepnets.runs.RunFolder;
import io.deepnets.testing.KilledCommand;
import io.deepnets.testing.RealData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A suite killed anywhere (halted at named points of its experiments' training and files, or of its own comparison
 * page, or SIGKILL at seeded moments) and then started again ends as a suite that was never stopped: every
 * experiment's latest run has the same history in its learning columns and the same test result, and the suite
 * passes.
 */
class SuiteCrashResumeTest {
    @TempDir
    Path tmp;

    /** Two small experiments: the digits CNN for 3 epochs, the linear MLP on 600 MNIST images for 2. */
    private Path suiteFile() throws IOException {
        Path file = tmp.resolve("suite.yaml");
        Files.writeString(file, "name: crash\nexperiments:\n"
                + "  - config: " + Path.of("configs/digits-cnn.yaml").toAbsolutePath() + "\n    set: [training.epochs=3]\n    reference: 0.5\n    min: 0.0\n    max: 1.0\n"
                + "  - config: " + Path.of("configs/mnist-linear.yaml").toAbsolutePath()
                + "\n    set: [training.epochs=2, data.train_subset=600, data.test_subset=200]\n    reference: 0.5\n    min: 0.0\n    max: 1.0\n");
        return file;
    }

    private List<String> args(Path file, Path out) {
        return List.of("suite", file.toString(), "--out", out.toString(), "--data-dir", RealData.dir().toString());
    }

    /** Each experiment's latest complete run: learning columns of its history, then its test figures. */
    static List<String> results(Path out) throws IOException {
        List<String> lines = new ArrayList<>();
        for (String experiment : List.of("digits-cnn", "mnist-linear")) {
            Optional<Path> run = SuiteRunner.latestRun(out.resolve(experiment));
            assertTrue(run.isPresent(), experiment + " has a run in " + out);
            for (String l : Files.readAllLines(run.get().resolve(RunFolder.HISTORY))) {
                lines.add(experiment + ": " + String.join(",", Arrays.copyOf(l.split(","), 5)));
            }
            String json = Files.readString(run.get().resolve(RunFolder.METRICS));
            lines.add(experiment + ": test " + json.replaceAll("(?s).*\"test_loss\" : ([0-9.eE-]+).*\"test_accuracy\" : ([0-9.eE-]+).*", "$1 $2"));
        }
        return lines;
    }

    @Test
    void aSuiteKilledAnywhereAndStartedAgainEndsAsIfNeverStopped() throws Exception {
        Path file = suiteFile();
        KilledCommand.Outcome whole = KilledCommand.run(args(file, tmp.resolve("reference")), null, null);
        assertEquals(0, whole.exit(), whole.stderr());
        List<String> expected = results(tmp.resolve("reference"));

        // The digits CNN: 15 batches an epoch, 3 epochs; the MLP: 15 batches an epoch of its 480 training images.
        // Checkpoint and history writes 1-3 are the CNN's epochs, 4-5 the MLP's; metrics 1 is the CNN's, 2 the MLP's.
        List<String> faults = List.of("train.batch:7", "train.batch:40", "train.batch:52", "checkpoint.state-written:2",
                "checkpoint.renamed:4", "atomic.history.csv:5", "atomic.metrics.json:1", "final.metrics-written:2", "atomic.index.html:1");
        Random random = new Random(20261205L);
        List<Long> kills = List.of(5_000L + random.nextInt(5_000), 10_000L + random.nextInt(6_000));
        List<String> report = KilledCommand.stopEverywhereAndRestart(tmp, faults, kills, out -> args(file, out), (what, out) -> {
            assertEquals(expected, results(out), what + ": every experiment's history and test result");
            return out;
        });
        System.out.println("suite crash points:\n  " + String.join("\n  ", report));
        assertTrue(report.stream().filter(r -> r.endsWith("exactly")).count() >= faults.size(), String.join("\n", report));
    }
}
