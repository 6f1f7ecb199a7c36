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

    /** A copy of a run folder under a new reports root, for tests that damage it. */
    public static Path copy(Path runDir, Path newRoot) throws IOException {
        Path target = newRoot.resolve(runDir.getParent().getFileName()).resolve(runDir.getFileName());
        Files.createDirectories(target);
        try (var files = Files.list(runDir)) {
            for (Path f : files.toList()) {
                Files.copy(f, target.resolve(f.getFileName()));
            }
        }
        return target;
    }
}
