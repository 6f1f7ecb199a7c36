package io.deepnets.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deepnets.config.SweepConfig;
import io.deepnets.data.DataSources;
import io.deepnets.report.SweepReport;
import io.deepnets.run.ExperimentRunner;
import io.deepnets.runs.SweepFolder;
import io.deepnets.testing.RealData;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same sweep on Spark's own local mode ({@code local[2]}) and on the local engine: the same result for every
 * point, a failing point recorded with its message while the others go on, and a re-submitted driver skipping the
 * points it has already collected.
 */
class SparkSweepTest {
    static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

    @TempDir
    Path tmp;

    /** A graph network (an inception block swept over one of its parameters) on Spark: the same results as locally. */
    @Test
    void aGraphSweepsOnSparkAsLocally() throws Exception {
        Path file = tmp.resolve("graph.yaml");
        Files.writeString(file, "name: graph\nbase: " + Path.of("src/test/resources/graphs/digits-inception.yaml").toAbsolutePath()
                + "\nset: [training.epochs=1]\naxes:\n  - {name: f1, key: model.blocks.inception.params.f1, values: [4, 8]}\n");
        SweepPlan plan = SweepPlan.of(SweepConfig.load(file, List.of()), file);
        ExperimentRunner runner = new ExperimentRunner(QUIET, System.err, false, Map.of(), DataSources.canonical());
        SweepResult local = new SweepRunner(QUIET, dir -> new LocalEngine(1, () -> runner, dir.resolve("w")), SweepReport::write)
                .run(plan, tmp.resolve("graph-local"), RealData.dir(), false);
        SweepResult spark = new SweepRunner(QUIET, dir -> new SparkEngine("local[2]", QUIET), SweepReport::write)
                .run(plan, tmp.resolve("graph-spark"), RealData.dir(), false);
        assertTrue(spark.failed().isEmpty(), spark.failed().toString());
        for (int i = 0; i < 2; i++) {
            assertEquals("completed", spark.contents().points().get(i).status());
            assertEquals(local.contents().points().get(i).metric("test_accuracy"), spark.contents().points().get(i).metric("test_accuracy"),
                    "point " + i);
            assertTrue(spark.contents().points().get(i).run().config().model().isGraph());
        }
    }

    @Test
    void localSparkMatchesTheLocalEngineAndRecordsFailures() throws Exception {
        Path data = RealData.dir();
        Path empty = Files.createDirectories(tmp.resolve("no-idx-files"));
        Path file = tmp.resolve("grid.yaml");
        Files.writeString(file, "name: spark\nbase: " + Path.of("configs/digits-cnn.yaml").toAbsolutePath() + "\nset: [training.epochs=2]\n"
                + "axes:\n  - {name: lr, key: optimizer.learning_rate, values: [0.1, 0.3]}\n"
                + "  - {name: l2, keys: ['model.layers[0].kernel_regularizer.l2'], values: [0.001, 0.01]}\n");
        SweepPlan plan = SweepPlan.of(SweepConfig.load(file, List.of()), file);
        ExperimentRunner runner = new ExperimentRunner(QUIET, System.err, false, Map.of(), DataSources.canonical());
        SweepResult local = new SweepRunner(QUIET, dir -> new LocalEngine(1, () -> runner, dir.resolve("w")), SweepReport::write)
                .run(plan, tmp.resolve("local"), data, false);
        SweepResult spark = new SweepRunner(QUIET, dir -> new SparkEngine("local[2]", QUIET), SweepReport::write)
                .run(plan, tmp.resolve("spark"), data, false);
        assertTrue(spark.failed().isEmpty(), spark.failed().toString());
        for (int i = 0; i < 4; i++) {
            SweepFolder.PointRow a = local.contents().points().get(i);
            SweepFolder.PointRow b = spark.contents().points().get(i);
            assertEquals("completed", b.status());
            assertEquals(a.metric("test_accuracy"), b.metric("test_accuracy"), "point " + a.folder());
            assertEquals(a.run().history(), b.run().history().stream().map(r -> new io.deepnets.runs.EpochResult(r.epoch(), r.loss(),
                    r.accuracy(), r.valLoss(), r.valAccuracy(), a.run().history().get(r.epoch() - 1).epochSeconds(),
                    a.run().history().get(r.epoch() - 1).msPerStep(), r.lr())).toList(), "the same history, timings aside");
        }
        assertTrue(Files.isRegularFile(spark.dir().resolve(SweepFolder.INDEX)));
        SweepResult shared = new SweepRunner(QUIET, dir -> new SparkEngine("local[2]", QUIET, true), SweepReport::write)
                .run(plan, tmp.resolve("shared"), data, false);
        for (int i = 0; i < 4; i++) {
            assertEquals(local.contents().points().get(i).metric("test_accuracy"), shared.contents().points().get(i).metric("test_accuracy"),
                    "with a shared --out, point " + i);
        }

        // A re-submitted driver collects nothing twice.
        ByteArrayOutputStream said = new ByteArrayOutputStream();
        SweepResult again = new SweepRunner(new PrintStream(said, true), dir -> new SparkEngine("local[2]", QUIET), SweepReport::write)
                .run(plan, tmp.resolve("spark"), data, false);
        assertEquals(0, again.ran());
        assertTrue(said.toString().contains("4 points: 4 complete, 0 to run"), said.toString());

        // A point that fails on its executor (its data folder holds no IDX files) is recorded with its message; the other completes.
        Path mixedFile = tmp.resolve("mixed.yaml");
        Files.writeString(mixedFile, "name: mixed\nbase: " + Path.of("configs/mnist-linear.yaml").toAbsolutePath() + "\n"
                + "set: [data.dataset=idx, training.epochs=1, data.train_subset=300, data.test_subset=100]\n"
                + "axes:\n  - {name: source, key: data.path, values: ['" + data.resolve("mnist") + "', '" + empty + "']}\n");
        SweepPlan mixed = SweepPlan.of(SweepConfig.load(mixedFile, List.of()), mixedFile);
        SweepResult withFailure = new SweepRunner(QUIET, dir -> new SparkEngine("local[2]", QUIET), SweepReport::write)
                .run(mixed, tmp.resolve("mixed"), data, false);
        assertEquals(1, withFailure.failed().size(), withFailure.failed().toString());
        assertTrue(withFailure.failed().get(0).message().contains("expected the IDX files"), withFailure.failed().get(0).message());
        assertEquals("completed", withFailure.contents().points().get(0).status());
    }

    @Test
    void aSuiteOnSparkGivesTheSameResultsAsHere() throws Exception {
        Path data = RealData.dir();
        Path file = tmp.resolve("suite.yaml");
        Files.writeString(file, ("name: tiny\nexperiments:\n"
                + "  - config: CONFIGS/mnist-linear.yaml\n    set: [data.train_subset=600, data.test_subset=200, training.epochs=2]\n    reference: 0.8\n    min: 0.3\n"
                + "  - config: CONFIGS/digits-cnn.yaml\n    set: [training.epochs=2]\n    reference: 0.5\n    min: 0.0\n")
                .replace("CONFIGS", Path.of("configs").toAbsolutePath().toString()));
        io.deepnets.config.SuiteConfig suite = io.deepnets.config.SuiteConfig.load(file);
        ExperimentRunner runner = new ExperimentRunner(QUIET, System.err, false, Map.of(), DataSources.canonical());
        io.deepnets.suite.SuiteResult here = new io.deepnets.suite.SuiteRunner(runner, QUIET).run(suite, tmp.resolve("here"), false, List.of(), data);
        io.deepnets.suite.SuiteResult there = new io.deepnets.suite.SuiteRunner(runner, QUIET, Map.of(), new SparkEngine("local[2]", QUIET))
                .run(suite, tmp.resolve("there"), false, List.of(), data);
        for (int i = 0; i < 2; i++) {
            assertEquals(here.rows().get(i).got(), there.rows().get(i).got(), here.rows().get(i).experiment());
            assertTrue(there.rows().get(i).how().startsWith("ran on Spark"), there.rows().get(i).how());
            assertTrue(Files.isRegularFile(there.rows().get(i).runDir().resolve("report.html")));
        }
    }
}
