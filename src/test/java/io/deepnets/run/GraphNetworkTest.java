package io.deepnets.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.deepnets.cli.Main;
import io.deepnets.data.DataSources;
import io.deepnets.model.Network;
import io.deepnets.predict.ActivationMaps;
import io.deepnets.predict.TrainedModel;
import io.deepnets.runs.RunFolder;
import io.deepnets.testing.KilledCommand;
import io.deepnets.testing.RealData;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A user's residual network and inception network (test resources {@code graphs/}, written from the docs' graph
 * syntax) on the real 8x8 digits: they train as DL4J ComputationGraphs, resume exactly after a kill, transfer to a new
 * head with frozen layers, and predict, activations and the report read them.
 */
class GraphNetworkTest {
    @TempDir
    static Path dir;
    static RunResult residual;
    static RunResult inception;
    static final ByteArrayOutputStream CONSOLE = new ByteArrayOutputStream();
    static final Path RESIDUAL = Path.of("src/test/resources/graphs/digits-residual.yaml");
    static final Path INCEPTION = Path.of("src/test/resources/graphs/digits-inception.yaml");

    static ExperimentRunner runner() {
        return new ExperimentRunner(new PrintStream(CONSOLE, true), System.err, false, Map.of(), DataSources.canonical());
    }

    @BeforeAll
    static void train() {
        residual = runner().run(new RunRequest(RESIDUAL, List.of(), RealData.dir(), dir.resolve("reports")));
        inception = runner().run(new RunRequest(INCEPTION, List.of(), RealData.dir(), dir.resolve("reports")));
    }

    @Test
    void graphsTrainThroughComputationGraphAndLearn() throws Exception {
        assertTrue(residual.config().model().isGraph() && inception.config().model().isGraph());
        // Calibrated on seed 42 (the configs'): 0.69 and 0.84 on the 360 test digits after 6 and 4 epochs; chance is 0.1.
        assertTrue(residual.test().accuracy() > 0.5, "residual: " + residual.test().accuracy());
        assertTrue(inception.test().accuracy() > 0.65, "inception: " + inception.test().accuracy());
        JsonNode m = new ObjectMapper().readTree(inception.runDir().resolve(RunFolder.METRICS).toFile());
        assertEquals("deepnets-onednn", m.get("training_step").asText(), "the inception graph on the oneDNN step");
        JsonNode r = new ObjectMapper().readTree(residual.runDir().resolve(RunFolder.METRICS).toFile());
        assertEquals("deepnets-onednn", r.get("training_step").asText(), "the residual graph on the oneDNN step");
        assertTrue(m.get("training_step_declined").toString().contains("a graph network"), m.get("training_step_declined").toString());
    }

    @Test
    void summaryConfigAndReportShowTheGraph() throws Exception {
        String summary = Files.readString(inception.runDir().resolve(RunFolder.SUMMARY));
        assertTrue(summary.contains("Connected to") && summary.contains("inception_1_out (Concatenate)")
                && summary.contains("inception_1_bpc[0][0]"), summary);
        String config = Files.readString(inception.runDir().resolve(RunFolder.CONFIG));
        assertTrue(config.contains("name: inception_2_b5") && config.contains("inputs:") && !config.contains("blocks:"), config);
        String page = Files.readString(inception.runDir().resolve(RunFolder.REPORT));
        assertTrue(page.contains("<svg") && page.contains(">inception_2_out</text>") && page.contains(">Concatenate</text>"),
                "the report draws the network");
        String stackPage = Files.readString(residual.runDir().resolve(RunFolder.REPORT));
        assertTrue(stackPage.contains(">stem_relu</text>"));
    }

    @Test
    void predictAndActivationsReadAGraph() {
        TrainedModel model = TrainedModel.load(inception.runDir());
        assertTrue(model.network().isGraph());
        assertEquals(10, model.classNames().size());
        float[] row = new float[64];
        Arrays.fill(row, 0.5f);
        float[] p = model.network().output(org.nd4j.linalg.factory.Nd4j.create(row, new long[] {1, 64}, 'c')).dup('c').data().asFloat();
        double sum = 0;
        for (float v : p) {
            sum += v;
        }
        assertEquals(1.0, sum, 1e-4, "softmax over the 10 classes");
        List<ActivationMaps.LayerMaps> maps = ActivationMaps.compute(model.network(), row);
        List<String> names = maps.stream().map(ActivationMaps.LayerMaps::name).toList();
        assertTrue(names.contains("inception_1_b1") && names.contains("inception_2_b5") && names.contains("conv2d_1"), names.toString());
        assertEquals(4, maps.get(names.indexOf("inception_2_b5")).after().length, "b5 has 4 maps");
    }

    @Test
    void transferFromAGraphFreezesUpToANamedLayer() throws Exception {
        Path config = Files.writeString(dir.resolve("transfer.yaml"), """
                name: digits-residual-transfer
                seed: 7
                data: {dataset: digits, test_split: 0.2, validation_split: 0.2}
                model:
                  base: %s
                  freeze: pool
                  layers:
                    - {name: head, type: dense, units: 16, activation: relu}
                    - {name: new_predictions, type: output, units: 10}
                optimizer: {name: adam, learning_rate: 0.01}
                training: {batch_size: 32, epochs: 2}
                """.formatted(residual.runDir()));
        RunResult tl = runner().run(new RunRequest(config, List.of(), RealData.dir(), dir.resolve("reports")));
        assertTrue(tl.config().model().isGraph());
        // The whole base frozen, its add included: DL4J skips the backward pass of a frozen base only when the add is
        // frozen too (a FrozenVertex), which the mapper makes it.
        assertEquals(8, tl.config().model().transfer().frozen(), "stem .. pool");
        Network before = Network.read(residual.runDir().resolve(RunFolder.MODEL).toFile(), new long[] {1, 8, 8}, false);
        Network after = Network.read(tl.runDir().resolve(RunFolder.MODEL).toFile(), new long[] {1, 8, 8}, false);
        for (String frozen : List.of("stem", "stem_bn", "conv_a", "conv_b")) {
            assertArrayEquals(before.graph().orElseThrow().getLayer(frozen).params().dup().data().asFloat(),
                    after.graph().orElseThrow().getLayer(frozen).params().dup().data().asFloat(), frozen + " is frozen: bit-identical");
        }
        assertTrue(after.graph().orElseThrow().getLayer("head") != null);
        String summary = Files.readString(tl.runDir().resolve(RunFolder.SUMMARY));
        assertTrue(summary.contains("frozen") && summary.contains("head (Dense)") && summary.contains("pool[0][0]"), summary);
    }

    @Test
    void fineTuningUnfreezesTheTopOfTheBaseAndResumesExactlyAcrossThePhases() throws Exception {
        Path config = Files.writeString(dir.resolve("finetune.yaml"), """
                name: digits-finetune
                seed: 7
                data: {dataset: digits, test_split: 0.2, validation_split: 0.2}
                model:
                  base: %s
                  freeze: sum
                  layers:
                    - {name: head, type: dense, units: 16, activation: relu}
                    - {name: new_predictions, type: output, units: 10}
                optimizer: {name: adam, learning_rate: 0.01}
                training:
                  batch_size: 32
                  epochs: 2
                  fine_tune: {epochs: 2, freeze: stem_relu, learning_rate: 0.0005}
                """.formatted(residual.runDir()));
        List<String> args = List.of("run", config.toString(), "--data-dir", RealData.dir().toString(), "--out");
        List<String> whole = new ArrayList<>(args);
        whole.add(dir.resolve("ft-whole").toString());
        KilledCommand.Outcome done = KilledCommand.run(whole, null, null);
        assertEquals(0, done.exit(), done.stderr());
        Path reference;
        try (Stream<Path> dirs = Files.list(dir.resolve("ft-whole").resolve("digits-finetune"))) {
            reference = dirs.findFirst().orElseThrow();
        }
        assertEquals(5, Files.readAllLines(reference.resolve(RunFolder.HISTORY)).size(), "2 + 2 epochs");
        JsonNode m = new ObjectMapper().readTree(reference.resolve(RunFolder.METRICS).toFile());
        assertEquals(4, m.get("planned_epochs").asInt());
        Network base = Network.read(residual.runDir().resolve(RunFolder.MODEL).toFile(), new long[] {1, 8, 8}, false);
        Network tuned = Network.read(reference.resolve(RunFolder.MODEL).toFile(), new long[] {1, 8, 8}, false);
        assertArrayEquals(base.graph().orElseThrow().getLayer("stem").params().dup().data().asFloat(),
                tuned.graph().orElseThrow().getLayer("stem").params().dup().data().asFloat(), "stem stays frozen in both phases");
        assertFalse(Arrays.equals(base.graph().orElseThrow().getLayer("conv_b").params().dup().data().asFloat(),
                tuned.graph().orElseThrow().getLayer("conv_b").params().dup().data().asFloat()), "conv_b is fine-tuned");
        for (String fault : List.of("checkpoint.renamed:2", "checkpoint.renamed:3")) {
            Path out = dir.resolve("ft-" + fault.replace(':', '-'));
            List<String> killed = new ArrayList<>(args);
            killed.add(out.toString());
            assertTrue(KilledCommand.run(killed, fault, null).killed(), fault);
            Path runDir;
            try (Stream<Path> dirs = Files.list(out.resolve("digits-finetune"))) {
                runDir = dirs.findFirst().orElseThrow();
            }
            assertEquals(0, Main.execute("resume", runDir.toString(), "--data-dir", RealData.dir().toString()), fault);
            assertEquals(learning(reference), learning(runDir), fault + ": the resumed history equals the uninterrupted one");
        }
    }

    static List<String> learning(Path runDir) throws Exception {
        return Files.readAllLines(runDir.resolve(RunFolder.HISTORY)).stream().map(l -> String.join(",", Arrays.copyOf(l.split(","), 5))).toList();
    }

    static Path onlyRun(Path out) throws Exception {
        try (Stream<Path> dirs = Files.list(out.resolve("digits-residual"))) {
            return dirs.findFirst().orElseThrow();
        }
    }

    @Test
    void aGraphKilledMidRunResumesExactly() throws Exception {
        List<String> args = new ArrayList<>(List.of("run", RESIDUAL.toString(), "--data-dir", RealData.dir().toString(), "--set", "training.epochs=4"));
        List<String> whole = new ArrayList<>(args);
        whole.addAll(List.of("--out", dir.resolve("whole").toString()));
        assertEquals(0, KilledCommand.run(whole, null, null).exit());
        List<String> killed = new ArrayList<>(args);
        killed.addAll(List.of("--out", dir.resolve("killed").toString()));
        KilledCommand.Outcome o = KilledCommand.run(killed, "checkpoint.renamed:2", null);
        assertTrue(o.killed(), "halted after the second epoch's checkpoint: " + o.stderr());
        Path runDir = onlyRun(dir.resolve("killed"));
        assertFalse(Files.exists(runDir.resolve(RunFolder.METRICS)));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        int code;
        try (PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8); PrintStream out = new PrintStream(java.io.OutputStream.nullOutputStream())) {
            System.setOut(out);
            System.setErr(e);
            code = Main.execute("resume", runDir.toString(), "--data-dir", RealData.dir().toString());
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
        Path reference = onlyRun(dir.resolve("whole"));
        assertEquals(learning(reference), learning(runDir), "the resumed graph's history equals the uninterrupted run's");
        JsonNode a = new ObjectMapper().readTree(reference.resolve(RunFolder.METRICS).toFile());
        JsonNode b = new ObjectMapper().readTree(runDir.resolve(RunFolder.METRICS).toFile());
        assertEquals(a.get("test_loss").asDouble(), b.get("test_loss").asDouble(), 0.0);
        assertEquals(a.get("test_accuracy").asDouble(), b.get("test_accuracy").asDouble(), 0.0);
    }
}
