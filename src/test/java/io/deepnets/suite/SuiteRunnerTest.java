package io.deepnets.suite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deepnets.BadInputException;
import io.deepnets.config.ConfigException;
import io.deepnets.config.SuiteConfig;
import io.deepnets.data.DataSources;
import io.deepnets.report.ComparisonReport;
import io.deepnets.run.ExperimentRunner;
import io.deepnets.runs.EpochResult;
import io.deepnets.testing.RealData;
import io.deepnets.train.TrainingObserver;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SuiteRunnerTest {
    @TempDir
    Path tmp;

    static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

    Path suite(String body) throws Exception {
        Path file = tmp.resolve("suite.yaml");
        Files.writeString(file, body.replace("CONFIGS", Path.of("configs").toAbsolutePath().toString()));
        return file;
    }

    @Test
    void suiteFilesAreValidated() throws Exception {
        assertTrue(assertThrows(ConfigException.class, () -> SuiteConfig.load(suite("name: s\nexperiments:\n  - config: CONFIGS/mnist-linear.yaml\n    reference: 0.9\n")))
                .getMessage().contains("experiments[0]: needs a band"));
        assertTrue(assertThrows(ConfigException.class, () -> SuiteConfig.load(suite("name: s\nexperiments:\n  - config: CONFIGS/nope.yaml\n    reference: 0.9\n    min: 0.8\n")))
                .getMessage().contains("experiments[0].config: no such config file"));
        assertTrue(assertThrows(ConfigException.class, () -> SuiteConfig.load(suite("name: s\nexperiments:\n  - config: CONFIGS/mnist-linear.yaml\n    reference: 0.9\n    min: 0.8\n    bogus: 1\n")))
                .getMessage().contains("experiments[0].bogus: unknown key"));
        assertThrows(BadInputException.class, () -> SuiteConfig.load(tmp.resolve("missing.yaml")));
        SuiteConfig ok = SuiteConfig.load(suite("name: s\nexperiments:\n  - config: CONFIGS/mnist-linear.yaml\n    reference: 0.92\n    tolerance: 0.01\n"));
        assertEquals(0.91, ok.experiments().get(0).min(), 1e-12);
        assertEquals(0.93, ok.experiments().get(0).max(), 1e-12);
        assertTrue(ok.experiments().get(0).accepts(0.925));
        assertFalse(ok.experiments().get(0).accepts(0.935));
    }

    @Test
    void skipsDoneRunsResumesInterruptedOnesAndFlagsResultsOutsideTheirBand() throws Exception {
        Path data = RealData.dir();
        SuiteConfig suite = SuiteConfig.load(suite("""
                name: tiny
                experiments:
                  - config: CONFIGS/mnist-linear.yaml
                    set: [data.train_subset=1000, data.test_subset=300, training.epochs=2]
                    reference: 0.8
                    min: 0.5
                  - config: CONFIGS/mnist-relu.yaml
                    set: [data.train_subset=1000, data.test_subset=300, training.epochs=3]
                    reference: 0.999
                    tolerance: 0.0005
                """));
        Path out = tmp.resolve("out");
        ExperimentRunner interrupting = new ExperimentRunner(QUIET, System.err, false, Map.of(), DataSources.canonical())
                .withObserver(new TrainingObserver() {
                    @Override
                    public void epochFinished(EpochResult result, int epochs) {
                        if (result.epoch() == 2 && epochs == 3) {
                            throw new IllegalStateException("interrupted for the test");
                        }
                    }
                });
        assertThrows(IllegalStateException.class, () -> new SuiteRunner(interrupting, QUIET).run(suite, out, false, List.of(), data));

        ExperimentRunner runner = new ExperimentRunner(QUIET, System.err, false, Map.of(), DataSources.canonical());
        SuiteResult again = new SuiteRunner(runner, QUIET).run(suite, out, false, List.of(), data);
        assertTrue(again.rows().get(0).how().startsWith("skipped"), again.rows().get(0).how());
        assertEquals("resumed", again.rows().get(1).how());
        assertTrue(again.rows().get(0).passed());
        assertFalse(again.rows().get(1).passed(), "0.999 +- 0.0005 cannot be reached by 1000 samples");
        assertFalse(again.passed());
        assertTrue(again.table().contains("FAIL <<<"), again.table());
        assertTrue(Files.exists(out.resolve(ComparisonReport.INDEX)));

        SuiteResult forced = new SuiteRunner(runner, QUIET).run(suite, out, true, List.of(), data);
        assertEquals("ran", forced.rows().get(0).how());
        assertEquals(again.rows().get(0).got(), forced.rows().get(0).got(), "same config, same result");
    }

    @Test
    void aCompletedRunIsReusedOnlyWithTheSameDataAndVersion() throws Exception {
        Path data = RealData.dir();
        SuiteConfig suite = SuiteConfig.load(suite("""
                name: reuse
                experiments:
                  - config: CONFIGS/mnist-linear.yaml
                    set: [data.train_subset=300, data.test_subset=100, training.epochs=1]
                    reference: 0.5
                    min: 0.0
                """));
        Path out = tmp.resolve("out");
        ExperimentRunner runner = new ExperimentRunner(QUIET, System.err, false, Map.of(), DataSources.canonical());
        SuiteResult first = new SuiteRunner(runner, QUIET).run(suite, out, false, List.of(), data);
        assertEquals("ran", first.rows().get(0).how());
        java.io.ByteArrayOutputStream said = new java.io.ByteArrayOutputStream();
        SuiteResult second = new SuiteRunner(runner, new PrintStream(said, true)).run(suite, out, false, List.of(), data);
        assertTrue(second.rows().get(0).how().startsWith("skipped"), second.rows().get(0).how());
        assertTrue(said.toString().contains("same config, data files and deepnets version"), said.toString());

        Path metrics = first.rows().get(0).runDir().resolve("metrics.json");
        Files.writeString(metrics, Files.readString(metrics).replaceAll("\"[0-9a-f]{64}\"", "\"" + "0".repeat(64) + "\""));
        said.reset();
        SuiteResult third = new SuiteRunner(runner, new PrintStream(said, true)).run(suite, out, false, List.of(), data);
        assertEquals("ran", third.rows().get(0).how());
        assertTrue(said.toString().contains("running again: the data files differ"), said.toString());

        Path latest = third.rows().get(0).runDir().resolve("metrics.json");
        Files.writeString(latest, Files.readString(latest).replaceAll("\"deepnets_version\" : \"[^\"]*\"", "\"deepnets_version\" : \"0.0.1\""));
        said.reset();
        SuiteResult fourth = new SuiteRunner(runner, new PrintStream(said, true)).run(suite, out, false, List.of(), data);
        assertEquals("ran", fourth.rows().get(0).how());
        assertTrue(said.toString().contains("was made by deepnets 0.0.1"), said.toString());
    }
}
