package io.deepnets.scratchrun;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.deepnets.runs.HistoryCsv;
import io.deepnets.runs.RunFolder;
import io.deepnets.testing.RealData;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A short real LeNet run with the hand-written layers: it learns, its folder is a run folder, its DL4J twin agrees. */
class ScratchTrainerTest {
    @TempDir
    Path dir;

    @Test
    void lenetByHandLearnsMnistAndWritesARunFolder() throws Exception {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        ScratchTrainer.Result r = new ScratchTrainer(new PrintStream(console, true), System.err, Map.of()).train(
                new ScratchTrainer.Options(160, 64, 7, 40, 80, RealData.dir(), dir, 3));
        String text = console.toString();
        assertTrue(r.testAccuracy() >= 0.85, "160 iterations of 64: test accuracy " + r.testAccuracy() + "\n" + text);
        assertTrue(text.contains("iteration 40: cost") && text.contains("iteration 80: test accuracy"), text);
        assertTrue(text.contains("most confused:"), text);
        assertTrue(r.maxProbabilityDifference() < 1e-4, "DL4J's forward pass of the hand-trained weights differs by " + r.maxProbabilityDifference());
        assertTrue(r.dl4jMsPerIteration() > 0);
        for (String f : new String[] {RunFolder.CONFIG, RunFolder.HISTORY, RunFolder.CONFUSION, RunFolder.MODEL, RunFolder.REPORT, RunFolder.METRICS}) {
            assertTrue(Files.isRegularFile(r.runDir().resolve(f)), f);
        }
        assertEquals(2, HistoryCsv.read(r.runDir().resolve(RunFolder.HISTORY)).size(), "one row per test evaluation");
        JsonNode m = new ObjectMapper().readTree(r.runDir().resolve(RunFolder.METRICS).toFile());
        assertEquals(r.testAccuracy(), m.get("test_accuracy").asDouble(), 1e-12);
        assertEquals(2, m.get("most_confused").size());
        assertEquals(431_080, m.get("params").asLong(), "Caffe's LeNet: 520 + 25,050 + 400,500 + 5,010");
        var model = io.deepnets.predict.TrainedModel.load(r.runDir());
        assertEquals(10, model.classNames().size());
    }
}
