package io.deepnets.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deepnets.config.ConfigLoader;
import io.deepnets.data.DataSources;
import io.deepnets.runs.HistoryCsv;
import io.deepnets.runs.MetricsJson;
import io.deepnets.runs.RunFolder;
import io.deepnets.testing.RealData;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Short real training runs (a few hundred real samples) that must produce a complete run folder. */
class ExperimentRunnerTest {
    @TempDir
    Path out;

    RunResult run(String config, String... overrides) {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        ExperimentRunner runner = new ExperimentRunner(new PrintStream(console, true), System.err, false, Map.of(), DataSources.canonical());
        RunResult result = runner.run(new RunRequest(Path.of("configs", config + ".yaml"), List.of(overrides), RealData.dir(), out));
        String text = console.toString();
        assertTrue(text.matches("(?s).*Epoch 1/\\d+ - \\d+s \\d+ms/step - loss: \\d\\.\\d{4} - accuracy: \\d\\.\\d{4} - val_loss: \\d\\.\\d{4} - val_accuracy: \\d\\.\\d{4}\n.*"), text);
        assertTrue(text.contains("Test loss: "), text);
        return result;
    }

    static void assertCompleteRunFolder(RunResult r, int epochs) throws Exception {
        Path dir = r.runDir();
        for (String f : List.of(RunFolder.CONFIG, RunFolder.HISTORY, RunFolder.METRICS, RunFolder.CONFUSION, RunFolder.MODEL, RunFolder.SUMMARY)) {
            assertTrue(Files.size(dir.resolve(f)) > 0, f);
        }
        List<String> history = Files.readAllLines(dir.resolve(RunFolder.HISTORY));
        assertEquals("epoch,loss,accuracy,val_loss,val_accuracy,epoch_seconds,ms_per_step,lr", history.get(0));
        assertEquals(epochs, HistoryCsv.read(dir.resolve(RunFolder.HISTORY)).size());
        Map<String, Object> metrics = MetricsJson.read(dir.resolve(RunFolder.METRICS));
        for (String key : List.of("test_loss", "test_accuracy", "params", "epoch_seconds", "provenance")) {
            assertTrue(metrics.containsKey(key), key);
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> provenance = (Map<String, Object>) metrics.get("provenance");
        for (String key : List.of("seed", "dl4j_version", "nd4j_backend", "native_classifier", "jvm", "os", "cpu", "data_files")) {
            assertTrue(provenance.containsKey(key), key);
        }
        assertEquals(r.config().name(), ConfigLoader.load(dir.resolve(RunFolder.CONFIG), List.of()).name());
        MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(dir.resolve(RunFolder.MODEL).toFile(), true);
        assertEquals(r.params(), restored.numParams());
        assertNotNull(restored.getUpdater().getStateViewArray(), "updater state saved");
        List<String> confusion = Files.readAllLines(dir.resolve(RunFolder.CONFUSION));
        assertEquals(11, confusion.size());
        assertEquals(dir.getParent().getFileName().toString(), r.config().folderName());
    }

    @Test
    void mnistCnnOnAFewHundredRealSamples() throws Exception {
        RunResult r = run("mnist-cnn-dropout", "training.epochs=2", "data.train_subset=600", "data.test_subset=300");
        assertCompleteRunFolder(r, 2);
        assertEquals(480, ((Number) MetricsJson.read(r.runDir().resolve(RunFolder.METRICS)).get("train_samples")).intValue());
        assertEquals(300, r.test().samples());
        assertTrue(r.test().accuracy() > 0.5, "600 real samples, 2 epochs of Adadelta: well above chance, got " + r.test().accuracy());
    }

    @Test
    void cifarOnAFewHundredRealSamples() throws Exception {
        RunResult r = run("cifar10-cnn", "training.epochs=1", "data.train_subset=320", "data.test_subset=200");
        assertCompleteRunFolder(r, 1);
        List<String> confusion = Files.readAllLines(r.runDir().resolve(RunFolder.CONFUSION));
        assertEquals("true\\predicted,airplane,automobile,bird,cat,deer,dog,frog,horse,ship,truck", confusion.get(0));
        assertEquals(200, r.test().samples());
    }

    @Test
    void aSecondRunGetsANewFolder() {
        RunResult a = run("mnist-linear", "training.epochs=1", "data.train_subset=300", "data.test_subset=100");
        RunResult b = run("mnist-linear", "training.epochs=1", "data.train_subset=300", "data.test_subset=100");
        assertNotEquals(a.runDir(), b.runDir());
        assertTrue(Files.exists(a.runDir().resolve(RunFolder.METRICS)));
    }

    @Test
    void missingDataIsBadInputNamingTheDirectoriesAndWritesNothing(@TempDir Path empty) {
        org.junit.jupiter.api.Assumptions.assumeFalse(Files.isDirectory(Path.of(System.getProperty("user.home"), ".deepnets", "data", "mnist")),
                "skipped: ~/.deepnets/data/mnist exists on this machine");
        DataSources offline = new DataSources(List.of("http://127.0.0.1:9/"), DataSources.canonical().mnistMd5(),
                "http://127.0.0.1:9/c.tar.gz", DataSources.canonical().cifarMd5());
        ExperimentRunner runner = new ExperimentRunner(System.out, System.err, false, Map.of(), offline);
        Path runs = out.resolve("runs");
        io.deepnets.BadInputException e = org.junit.jupiter.api.Assertions.assertThrows(io.deepnets.BadInputException.class,
                () -> runner.run(new RunRequest(Path.of("configs/mnist-linear.yaml"), List.of(), empty, runs)));
        assertTrue(e.getMessage().contains(empty.resolve("mnist").toString()), e.getMessage());
        assertTrue(e.getMessage().contains(".deepnets/data/mnist"), e.getMessage());
        assertTrue(e.getMessage().contains("t10k-labels-idx1-ubyte.gz"), e.getMessage());
        assertTrue(!Files.exists(runs), "nothing written");
    }

    @Test
    void modelThatCannotTakeTheImagesIsRejectedBeforeTraining() {
        Path runs = out.resolve("runs");
        Path data = RealData.dir();
        ExperimentRunner runner = new ExperimentRunner(System.out, System.err, false, Map.of(), DataSources.canonical());
        io.deepnets.BadInputException e = org.junit.jupiter.api.Assertions.assertThrows(io.deepnets.BadInputException.class,
                () -> runner.run(new RunRequest(Path.of("configs/cifar10-cnn.yaml"), List.of("data.dataset=mnist",
                        "data.validation_split=0.2", "data.validation_data=null"), data, runs)));
        assertTrue(e.getMessage().contains("model.input_shape: [32, 32, 3] does not take the mnist images"), e.getMessage());
        assertTrue(!Files.exists(runs), "nothing written");
    }
}
