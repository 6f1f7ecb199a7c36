package io.deepnets.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deepnets.runs.RunFolder;
import io.deepnets.runs.SweepFolder;
import io.deepnets.testing.KilledCommand;
import io.deepnets.testing.RealData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sweep killed anywhere (halted at named points of a point's training and of the sweep's own files, or SIGKILL at
 * seeded moments) and then started again ends with the same {@code sweep.csv} as a sweep that was never stopped:
 * the same points, figures, epochs and statuses (every column but the wall-clock seconds), and every point's history
 * the same in its learning columns.
 */
class SweepCrashResumeTest {
    @TempDir
    Path tmp;

    /** A 2x2 grid of the digits CNN, 3 epochs a point, run one point at a time in the sweep's own JVM. */
    private Path sweepFile() throws IOException {
        Path file = tmp.resolve("grid.yaml");
        Files.writeString(file, "name: grid\nbase: " + Path.of("configs/digits-cnn.yaml").toAbsolutePath() + "\nset: [training.epochs=3]\n"
                + "axes:\n  - {name: lr, key: optimizer.learning_rate, values: [0.1, 0.3]}\n"
                + "  - {name: l2, key: 'model.layers[0].kernel_regularizer.l2', values: [0.001, 0.01]}\n");
        return file;
    }

    private List<String> args(Path file, Path out) {
        return List.of("sweep", file.toString(), "--out", out.toString(), "--data-dir", RealData.dir().toString(), "--jobs", "1");
    }

    /** The sweep's one complete folder (folders a kill left before sweep.yaml was written do not count). */
    static Path sweepFolder(Path out) throws IOException {
        List<Path> all = SweepFolder.earlier(out, "grid");
        assertEquals(1, all.size(), "one sweep folder: " + all);
        return all.get(0);
    }

    /** sweep.csv without its wall-clock "seconds" column. */
    static List<String> csvWithoutSeconds(Path sweepDir) throws IOException {
        List<String> lines = Files.readAllLines(sweepDir.resolve(SweepFolder.CSV));
        int seconds = Arrays.asList(lines.get(0).split(",", -1)).indexOf("seconds");
        List<String> out = new ArrayList<>();
        for (String line : lines) {
            List<String> cells = new ArrayList<>(Arrays.asList(line.split(",", -1)));
            cells.remove(seconds);
            out.add(String.join(",", cells));
        }
        return out;
    }

    /** Every point's history, learning columns only (epoch, loss, accuracy, val_loss, val_accuracy). */
    static List<String> histories(Path sweepDir) throws IOException {
        List<String> out = new ArrayList<>();
        try (Stream<Path> points = Files.list(sweepDir.resolve(SweepFolder.POINTS))) {
            for (Path p : points.sorted().toList()) {
                for (String l : Files.readAllLines(p.resolve(RunFolder.HISTORY))) {
                    out.add(p.getFileName() + ": " + String.join(",", Arrays.copyOf(l.split(","), 5)));
                }
            }
        }
        return out;
    }

    @Test
    void aSweepKilledAnywhereAndStartedAgainEndsAsIfNeverStopped() throws Exception {
        Path file = sweepFile();
        KilledCommand.Outcome whole = KilledCommand.run(args(file, tmp.resolve("reference")), null, null);
        assertEquals(0, whole.exit(), whole.stderr());
        Path reference = sweepFolder(tmp.resolve("reference"));
        List<String> expectedCsv = csvWithoutSeconds(reference);
        List<String> expectedHistories = histories(reference);
        assertEquals(5, expectedCsv.size(), "a header and 4 points: " + expectedCsv);

        // 15 batches an epoch, 3 epochs, 4 points: batch 5 is the first point's first epoch, 50 the second point's
        // second epoch, 150 the fourth point's first; the n-th checkpoint, history or metrics write is of the point
        // (or epoch) it counts.
        List<String> faults = new ArrayList<>(List.of("atomic.sweep.yaml:1", "train.batch:5", "train.batch:50", "train.batch:150",
                "checkpoint.model-written:2", "checkpoint.state-written:4", "atomic.history.csv:7", "atomic.metrics.json:2",
                "final.metrics-written:3", "atomic.sweep.csv:1"));
        Random random = new Random(20261205L);
        List<Long> kills = List.of(4_000L + random.nextInt(4_000), 8_000L + random.nextInt(6_000));
        List<String> report = KilledCommand.stopEverywhereAndRestart(tmp, faults, kills, out -> args(file, out), (what, out) -> {
            Path dir = sweepFolder(out);
            assertEquals(expectedCsv, csvWithoutSeconds(dir), what + ": sweep.csv");
            assertEquals(expectedHistories, histories(dir), what + ": the points' histories");
            return dir;
        });
        System.out.println("sweep crash points:\n  " + String.join("\n  ", report));
        assertTrue(report.stream().filter(r -> r.endsWith("exactly")).count() >= faults.size(), String.join("\n", report));
    }
}
