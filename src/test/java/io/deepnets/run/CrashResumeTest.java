package io.deepnets.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deepnets.cli.Main;
import io.deepnets.runs.RunFolder;
import io.deepnets.testing.RealData;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
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
 * A run killed at seeded points (kill -9 at named points of the run folder's writing, plain SIGKILL at seeded
 * moments, SIGTERM) and then resumed either ends exactly where the uninterrupted run ends (same history in its
 * learning columns, same test result) or is refused with one clear line; it never silently diverges.
 */
class CrashResumeTest {
    /** Every place the writer passes through; each is reached once per epoch or once per run. */
    static final List<String> POINTS = List.of("train.batch", "checkpoint.model-written", "checkpoint.state-written", "checkpoint.renamed",
            "atomic.history.csv", "epoch.saved", "atomic.model.zip", "atomic.predictions.csv", "final.before-metrics", "atomic.metrics.json",
            "final.metrics-written");
    static final List<String> ARGS = List.of("--set", "training.epochs=3", "--set", "data.train_subset=600", "--set", "data.test_subset=200");

    @TempDir
    Path tmp;

    record Outcome(int exit, String stderr) {
    }

    /** {@code deepnets run} of the small linear MLP in a JVM of its own, stopped as the arguments say ({@link KilledCommand}). */
    static Outcome runProcess(Path out, String fault, Long killAfterMillis, boolean term) throws Exception {
        List<String> args = new ArrayList<>(List.of("run", "configs/mnist-linear.yaml", "--out", out.toString(), "--data-dir", RealData.dir().toString()));
        args.addAll(ARGS);
        io.deepnets.testing.KilledCommand.Outcome o = io.deepnets.testing.KilledCommand.run(args, fault, killAfterMillis, term);
        return new Outcome(o.exit(), o.stderr());
    }

    static Path onlyRun(Path out) throws IOException {
        Path exp = out.resolve("mnist-linear");
        if (!Files.isDirectory(exp)) {
            return null;
        }
        try (Stream<Path> dirs = Files.list(exp)) {
            List<Path> all = dirs.toList();
            assertTrue(all.size() <= 1, "one run folder: " + all);
            return all.isEmpty() ? null : all.get(0);
        }
    }

    static List<String> learning(Path runDir) throws IOException {
        return Files.readAllLines(runDir.resolve(RunFolder.HISTORY)).stream().map(l -> String.join(",", Arrays.copyOf(l.split(","), 5))).toList();
    }

    static String testResult(Path runDir) throws IOException {
        String json = Files.readString(runDir.resolve(RunFolder.METRICS));
        return json.replaceAll("(?s).*\"test_loss\" : ([0-9.eE-]+).*\"test_accuracy\" : ([0-9.eE-]+).*", "$1 $2");
    }

    static Outcome resume(Path runDir) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        try (PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8); PrintStream o = new PrintStream(java.io.OutputStream.nullOutputStream())) {
            System.setOut(o);
            System.setErr(e);
            int code = Main.execute("resume", runDir.toString(), "--data-dir", RealData.dir().toString());
            return new Outcome(code, err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void killedAtSeededPointsThenResumedEndsExactlyOrIsRefused() throws Exception {
        Outcome whole = runProcess(tmp.resolve("reference"), null, null, false);
        assertEquals(0, whole.exit(), whole.stderr());
        Path reference = onlyRun(tmp.resolve("reference"));
        List<String> expectedHistory = learning(reference);
        String expectedTest = testResult(reference);

        Random random = new Random(20261201L);
        java.util.LinkedHashSet<String> unique = new java.util.LinkedHashSet<>();
        for (String point : POINTS) {
            unique.add(point + ":1");
        }
        while (unique.size() < 22) {
            // Later epochs of the per-epoch points (3 epochs; train.batch is reached 4 times an epoch here).
            String point = POINTS.get(random.nextInt(6));
            unique.add(point + ":" + (2 + random.nextInt(point.equals("train.batch") ? 10 : 2)));
        }
        List<String> faults = new ArrayList<>(unique);
        int exact = 0;
        int refused = 0;
        List<String> report = new ArrayList<>();
        for (int i = 0; i < faults.size() + 3; i++) {
            Path out = tmp.resolve("k" + i);
            String fault = i < faults.size() ? faults.get(i) : null;
            boolean term = i == faults.size() + 2;
            Long delay = fault == null ? 3_000L + random.nextInt(4_000) : null;
            Outcome killed = runProcess(out, fault, delay, term);
            String what = fault != null ? "halt at " + fault : (term ? "SIGTERM" : "SIGKILL") + " after " + delay + " ms";
            Path runDir = onlyRun(out);
            if (killed.exit() == 0) {
                report.add(what + ": finished before the stop");
                assertEquals(expectedHistory, learning(runDir), what);
                continue;
            }
            assertTrue(killed.exit() == 137 || killed.exit() == 143, what + " exit " + killed.exit() + ": " + killed.stderr());
            if (term) {
                // Whenever the signal comes (loading, making the folder, training), one line says what is kept.
                assertEquals(1, killed.stderr().lines().filter(l -> l.startsWith("error: interrupted")).count(), killed.stderr());
            }
            if (runDir == null || !RunContentsProbe.isRunFolder(runDir)) {
                report.add(what + ": stopped before the run folder existed");
                continue;
            }
            Outcome resumed = resume(runDir);
            if (Files.isRegularFile(runDir.resolve(RunFolder.METRICS))) {
                assertTrue(resumed.exit() == 0 || resumed.stderr().contains("already completed"), what + ": " + resumed.stderr());
                assertEquals(expectedHistory, learning(runDir), what + ": history after resume");
                assertEquals(expectedTest, testResult(runDir), what + ": test result after resume");
                exact++;
                report.add(what + ": resumed exactly");
            } else {
                assertEquals(2, resumed.exit(), what + ": not completed, so refused: " + resumed.stderr());
                assertEquals(1, resumed.stderr().lines().filter(l -> l.startsWith("error:")).count(), resumed.stderr());
                refused++;
                report.add(what + ": refused: " + resumed.stderr().strip());
            }
            try (Stream<Path> walk = Files.walk(runDir)) {
                assertTrue(walk.noneMatch(p -> p.getFileName().toString().matches("\\..+\\.tmp")), what + ": no temporary file left after resume");
            }
        }
        System.out.println("crash points: " + String.join("\n  ", report));
        assertTrue(exact >= 20, exact + " resumed exactly, " + refused + " refused:\n" + String.join("\n", report));
    }

    /** A folder the resume command accepts as a run folder. */
    static final class RunContentsProbe {
        static boolean isRunFolder(Path dir) {
            return io.deepnets.runs.RunContents.isRunFolder(dir);
        }
    }
}
