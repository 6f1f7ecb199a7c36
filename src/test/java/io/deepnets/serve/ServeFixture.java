package io.deepnets.serve;

import io.deepnets.config.SweepConfig;
import io.deepnets.data.DataSources;
import io.deepnets.report.SweepReport;
import io.deepnets.run.ExperimentRunner;
import io.deepnets.run.RunRequest;
import io.deepnets.run.RunResult;
import io.deepnets.sweep.LocalEngine;
import io.deepnets.sweep.SweepPlan;
import io.deepnets.sweep.SweepRunner;
import io.deepnets.testing.RealData;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A served folder made once per test JVM with real training: an MNIST CNN good enough to read a drawn digit (12,000
 * training images, 2 epochs), the MNIST MLP of the assignment on a subset, and a three-axis sweep of the digits CNN.
 */
final class ServeFixture {
    private static Path root;
    private static RunResult cnn;

    private ServeFixture() {
    }

    static synchronized Path root() throws Exception {
        if (root == null) {
            Path data = RealData.dir();
            Path dir = Files.createTempDirectory("deepnets-serve");
            ExperimentRunner runner = runner();
            cnn = runner.run(new RunRequest(Path.of("configs/mnist-cnn.yaml"), List.of("training.epochs=2", "data.train_subset=12000",
                    "data.test_subset=1000"), data, dir));
            runner.run(new RunRequest(Path.of("configs/mnist-linear.yaml"), List.of("training.epochs=2", "data.train_subset=2000",
                    "data.test_subset=500"), data, dir));
            Path sweep = dir.resolve("grid.yaml");
            Files.writeString(sweep, "name: grid\nbase: " + Path.of("configs/digits-cnn.yaml").toAbsolutePath() + "\nset: [training.epochs=4]\n"
                    + "metric: val_accuracy\naxes:\n"
                    + "  - {name: learning_rate, key: optimizer.learning_rate, values: [0.03, 0.3]}\n"
                    + "  - {name: l2, keys: ['model.layers[0].kernel_regularizer.l2', 'model.layers[3].kernel_regularizer.l2'], values: [0.0001, 0.01]}\n"
                    + "  - {name: batch_size, key: training.batch_size, values: [50, 100]}\n");
            new SweepRunner(quiet(), d -> new LocalEngine(1, ServeFixture::runner, d.resolve("w")), SweepReport::write)
                    .run(SweepPlan.of(SweepConfig.load(sweep, List.of()), sweep), dir, data, false);
            Files.delete(sweep);
            root = dir;
        }
        return root;
    }

    /** The run folder of the MNIST CNN. */
    static Path cnn() throws Exception {
        root();
        return cnn.runDir();
    }

    static ExperimentRunner runner() {
        return new ExperimentRunner(quiet(), System.err, false, Map.of(), DataSources.canonical());
    }

    private static PrintStream quiet() {
        return new PrintStream(OutputStream.nullOutputStream());
    }
}
