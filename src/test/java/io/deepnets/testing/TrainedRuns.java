package io.deepnets.testing;

import io.deepnets.data.DataSources;
import io.deepnets.run.ExperimentRunner;
import io.deepnets.run.RunRequest;
import io.deepnets.run.RunResult;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Short real runs shared by the report tests, trained once per test JVM. */
public final class TrainedRuns {
    private static Path root;
    private static RunResult cnn;
    private static RunResult linear;
    private static Path interrupted;

    private TrainedRuns() {
    }

    /** The reports folder holding both runs ({@code <root>/<name>/<timestamp>}). */
    public static synchronized Path reports() throws IOException {
        if (root == null) {
            Path data = RealData.dir();
            root = Files.createTempDirectory("deepnets-reports");
            ExperimentRunner runner = new ExperimentRunner(new PrintStream(OutputStream.nullOutputStream()), System.err, false, Map.of(),
                    DataSources.canonical());
            cnn = runner.run(new RunRequest(Path.of("configs/mnist-cnn.yaml"), List.of("training.epochs=2", "data.train_subset=1000",
                    "data.test_subset=500"), data, root));
            linear = runner.run(new RunRequest(Path.of("configs/mnist-linear.yaml"), List.of("training.epochs=3", "data.train_subset=1000",
                    "data.test_subset=500"), data, root));
        }
        return root;
    }

    public static RunResult cnn() throws IOException {
        reports();
        return cnn;
    }

    public static RunResult linear() throws IOException {
        reports();
        return linear;
    }

    /** Thrown by an observer to stop a run after an epoch, the way Ctrl-C or a crash would. */
    public static final class Interrupt extends RuntimeException {
        public Interrupt() {
            super("interrupted for the test");
        }
    }

    /**
     * The linear MLP (1,000 samples, 3 epochs) stopped after epoch 2: a run folder with its checkpoint, two history
     * rows and no metrics.json, as an interrupted run leaves it.
     */
    public static synchronized Path interruptedLinear() throws IOException {
        if (interrupted == null) {
            Path data = RealData.dir();
            Path out = Files.createTempDirectory("deepnets-interrupted");
            ExperimentRunner runner = new ExperimentRunner(new PrintStream(OutputStream.nullOutputStream()), System.err, false, Map.of(),
                    DataSources.canonical()).withObserver(new io.deepnets.train.TrainingObserver() {
                        @Override
                        public void epochFinished(io.deepnets.runs.EpochResult result, int epochs) {
                            if (result.epoch() == 2) {
                                throw new Interrupt();
                            }
                        }
                    });
            try {
                runner.run(new RunRequest(Path.of("configs/mnist-linear.yaml"), List.of("training.epochs=3", "data.train_subset=1000",
                        "data.test_subset=300"), data, out));
                throw new IllegalStateException("the run was not interrupted");
            } catch (Interrupt expected) {
                try (var dirs = Files.list(out.resolve("mnist-linear"))) {
                    interrupted = dirs.findFirst().orElseThrow();
                }
            }
        }
        return interrupted;
    }

    /** A copy of a run folder (with its sub-folders) under a new reports root, for tests that damage it. */
    public static Path copy(Path runDir, Path newRoot) throws IOException {
        Path target = newRoot.resolve(runDir.getParent().getFileName()).resolve(runDir.getFileName());
        copyTree(runDir, target);
        return target;
    }

    /** Copies the folder {@code from} to {@code to}, recursively. */
    public static void copyTree(Path from, Path to) throws IOException {
        try (var walk = Files.walk(from)) {
            for (Path p : walk.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }
}
