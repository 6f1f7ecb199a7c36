package io.deepnets.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deepnets.BadInputException;
import io.deepnets.config.SweepConfig;
import io.deepnets.data.DataSources;
import io.deepnets.report.SweepReport;
import io.deepnets.run.ExperimentRunner;
import io.deepnets.runs.SweepFolder;
import io.deepnets.testing.RealData;
import java.awt.image.BufferedImage;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real 2x2 sweep on the 8x8 digits: skip and resume, a diverging point, worker processes, the report. */
class SweepRunnerTest {
    static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

    @TempDir
    Path tmp;

    static ExperimentRunner runner() {
        return new ExperimentRunner(QUIET, System.err, false, Map.of(), DataSources.canonical());
    }

    SweepPlan plan(String axes) throws Exception {
        Path file = tmp.resolve("grid.yaml");
        Files.writeString(file, "name: grid\nbase: " + Path.of("configs/digits-cnn.yaml").toAbsolutePath() + "\nset: [training.epochs=3]\n"
                + "metric: test_accuracy\naxes:\n" + axes);
        return SweepPlan.of(SweepConfig.load(file, List.of()), file);
    }

    static final String GRID = "  - {name: lr, key: optimizer.learning_rate, values: [0.3, 1.0e+6]}\n"
            + "  - {name: l2, keys: ['model.layers[0].kernel_regularizer.l2', 'model.layers[3].kernel_regularizer.l2'], logspace: [-4, -2, 2]}\n";

    /** An engine that runs the first {@code limit} points and then stops, as Ctrl-C would. */
    static PointEngine stoppingAfter(int limit) {
        return new PointEngine() {
            @Override
            public void run(List<PointTask> tasks, Consumer<PointOutcome> done) {
                for (PointTask t : tasks.subList(0, limit)) {
                    done.accept(PointExecutor.execute(t, runner()));
                }
                throw new IllegalStateException("stopped for the test");
            }

            @Override
            public String describe() {
                return "stopping";
            }
        };
    }

    @Test
    void aRealSweepSkipsResumesRecordsDivergenceAndDrawsItsReport() throws Exception {
        Path data = RealData.dir();
        SweepPlan plan = plan(GRID);
        Path out = tmp.resolve("out");
        assertThrows(IllegalStateException.class,
                () -> new SweepRunner(QUIET, dir -> stoppingAfter(2), SweepReport::write).run(plan, out, data, false));
        java.io.ByteArrayOutputStream said = new java.io.ByteArrayOutputStream();
        SweepResult result = new SweepRunner(new PrintStream(said, true), dir -> new LocalEngine(1, SweepRunnerTest::runner, dir.resolve("w")),
                SweepReport::write).run(plan, out, data, false);
        assertTrue(said.toString().contains("4 points: 2 complete, 2 to run"), said.toString());
        assertEquals(2, result.ran());
        assertTrue(result.failed().isEmpty(), result.failed().toString());
        SweepFolder.Contents c = result.contents();
        assertEquals(4, c.points().size());
        assertEquals(List.of("completed", "completed", "diverged in epoch 1", "diverged in epoch 1"),
                c.points().stream().map(SweepFolder.PointRow::status).toList());
        SweepFolder.PointRow best = c.points().get(0);
        assertTrue(best.metric("test_accuracy") > 0.3, "lr 0.3 learns something in 3 epochs: " + best.metric("test_accuracy"));
        assertNotNull(best.metric("train_accuracy"), "train accuracy measured on the whole training part");

        List<String> csv = Files.readAllLines(result.dir().resolve(SweepFolder.CSV));
        assertEquals("point,lr,l2,train_accuracy,train_loss,val_accuracy,val_loss,test_accuracy,test_loss,epochs,seconds,status,folder", csv.get(0));
        assertEquals(5, csv.size());
        assertTrue(csv.get(3).contains("diverged in epoch 1"), csv.get(3));
        for (String m : List.of("train_accuracy", "val_accuracy", "test_accuracy")) {
            BufferedImage img = ImageIO.read(result.dir().resolve("heatmap_" + m + ".png").toFile());
            assertNotNull(img, m + " heatmap decodes");
            assertTrue(img.getWidth() >= 300 && img.getHeight() >= 250, img.getWidth() + "x" + img.getHeight());
        }
        String page = Files.readString(result.page());
        assertTrue(page.contains(String.format(Locale.ROOT, "%.4f", best.metric("test_accuracy"))), "the best value is on the page");
        assertTrue(page.contains("heatmap_test_accuracy.png") && page.contains("diverged in epoch 1"));

        // Run again: nothing left to do, the same folder.
        SweepResult again = new SweepRunner(QUIET, dir -> new LocalEngine(1, SweepRunnerTest::runner, dir.resolve("w")), SweepReport::write)
                .run(plan, out, data, false);
        assertEquals(result.dir(), again.dir());
        assertEquals(0, again.ran());

        // Two worker processes give every point the same result as this process did.
        SweepResult parallel = new SweepRunner(QUIET, dir -> new LocalEngine(2, SweepRunnerTest::runner, dir.resolve("w")), SweepReport::write)
                .run(plan, out, data, true);
        assertFalse(parallel.dir().equals(result.dir()), "--force: a new sweep folder");
        for (int i = 0; i < 4; i++) {
            assertEquals(c.points().get(i).metric("test_accuracy"), parallel.contents().points().get(i).metric("test_accuracy"),
                    "point " + i + " in a worker process");
            assertEquals(c.points().get(i).status(), parallel.contents().points().get(i).status());
        }
    }

    @Test
    void aBadPointStopsTheSweepBeforeAnythingRuns() throws Exception {
        BadInputException e = assertThrows(BadInputException.class,
                () -> plan("  - {name: b, key: training.batch_size, values: [32, 0]}\n"));
        assertTrue(e.getMessage().contains("point b = 0: ") && e.getMessage().contains("training.batch_size: expected a positive integer"),
                e.getMessage());
        assertFalse(Files.exists(tmp.resolve("out")), "nothing written");
    }
}
