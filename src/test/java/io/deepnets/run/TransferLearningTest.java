package io.deepnets.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.deepnets.BadInputException;
import io.deepnets.config.ConfigException;
import io.deepnets.data.DataSources;
import io.deepnets.predict.ImagePreprocessor;
import io.deepnets.predict.Predictor;
import io.deepnets.predict.TrainedModel;
import io.deepnets.runs.RunFolder;
import io.deepnets.testing.RealData;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Short real runs on the catsdogs photo folder: a small batch-norm CNN from scratch (the base), then transfer
 * learning from it with its convolutional part frozen; predict on a folder-trained model.
 */
class TransferLearningTest {
    @TempDir
    static Path dir;
    static Path data;
    static RunResult base;
    static final ByteArrayOutputStream CONSOLE = new ByteArrayOutputStream();

    static final String BASE = """
            name: catsdogs-base
            seed: 4
            data:
              dataset: folder
              path: catsdogs
              image_size: [32, 32]
              channels: 3
              validation_split: 0.2
              train_subset: 500
              test_subset: 200
              augment: {horizontal_flip: true, width_shift: 0.1}
            model:
              input_shape: [32, 32, 3]
              layers:
                - {type: conv2d, filters: 8, kernel_size: 3, padding: same}
                - {type: batch_normalization}
                - {type: activation, activation: relu}
                - {type: max_pool2d, pool_size: 2}
                - {type: conv2d, filters: 8, kernel_size: 3}
                - {type: global_average_pooling2d}
                - {type: dense, units: 16, activation: relu}
                - {type: output, units: 2}
            optimizer: {name: rmsprop, learning_rate: 0.003}
            training: {batch_size: 32, epochs: 2}
            """;

    static ExperimentRunner runner() {
        return new ExperimentRunner(new PrintStream(CONSOLE, true), System.err, false, Map.of(), DataSources.canonical());
    }

    @BeforeAll
    static void trainBase() throws Exception {
        data = RealData.dir();
        Path config = Files.writeString(dir.resolve("base.yaml"), BASE);
        base = runner().run(new RunRequest(config, List.of(), data, dir.resolve("reports")));
    }

    static Path transferConfig(String model, String dataOverrides) throws Exception {
        String yaml = BASE.replace("name: catsdogs-base", "name: catsdogs-tl").replace("epochs: 2", "epochs: 2")
                .replaceAll("(?s)model:.*optimizer:", "model:\n" + model + "\noptimizer:");
        if (dataOverrides != null) {
            yaml = yaml.replace("image_size: [32, 32]", dataOverrides);
        }
        return Files.writeString(dir.resolve("tl-" + Math.abs(model.hashCode()) + ".yaml"), yaml);
    }

    @Test
    void theBaseRunRecordsClassCountsAndTrainsOnTheOneDnnStep() throws Exception {
        JsonNode m = new ObjectMapper().readTree(base.runDir().resolve(RunFolder.METRICS).toFile());
        assertEquals("deepnets-onednn", m.get("training_step").asText(), "batch norm, Adam and global pooling on oneDNN's primitives");
        assertTrue(m.get("training_step_declined").get("deepnets-small-conv-sgd").asText().length() > 0, m.get("training_step_declined").toString());
        assertEquals(List.of("cat", "dog"), List.of(m.get("class_names").get(0).asText(), m.get("class_names").get(1).asText()));
        int train = m.get("class_counts").get("train").get("cat").asInt() + m.get("class_counts").get("train").get("dog").asInt();
        assertEquals(400, train, "train_subset 500, the last 0.2 validation");
        assertTrue(CONSOLE.toString().contains("class counts (train): cat 1500, dog 1500"), CONSOLE.toString());
        String summary = Files.readString(base.runDir().resolve(RunFolder.SUMMARY));
        assertTrue(summary.contains("Non-trainable params: 16"), summary);
        String page = Files.readString(base.runDir().resolve(RunFolder.REPORT));
        assertTrue(page.contains("Samples per class"), "the report shows the class counts");
    }

    @Test
    void frozenLayersStayBitIdenticalTheHeadTrainsAndProvenanceNamesTheBase() throws Exception {
        Path config = transferConfig("""
                  base: %s
                  freeze: global_average_pooling2d_1
                  layers:
                    - {type: dense, units: 8, activation: relu}
                    - {type: output, units: 2}
                """.formatted(base.runDir()), null);
        RunResult tl = runner().run(new RunRequest(config, List.of(), data, dir.resolve("reports")));
        MultiLayerNetwork before = ModelSerializer.restoreMultiLayerNetwork(base.runDir().resolve(RunFolder.MODEL).toFile(), false);
        MultiLayerNetwork after = ModelSerializer.restoreMultiLayerNetwork(tl.runDir().resolve(RunFolder.MODEL).toFile(), false);
        // DL4J layers: conv, bn, activation, pool, conv, gap (frozen), dense 16 (from the base, trained), dense 8, output (new).
        for (int i = 0; i < 6; i++) {
            assertArrayEquals(before.getLayer(i).params() == null ? new float[0] : before.getLayer(i).params().dup().data().asFloat(),
                    after.getLayer(i).params() == null ? new float[0] : after.getLayer(i).params().dup().data().asFloat(),
                    "frozen layer " + i + " (batch norm's moving statistics included) is bit-identical");
        }
        assertFalse(java.util.Arrays.equals(before.getLayer(6).params().dup().data().asFloat(), after.getLayer(6).params().dup().data().asFloat()),
                "the base's dense layer, not frozen, trained on");
        assertEquals(9, after.getnLayers());
        JsonNode m = new ObjectMapper().readTree(tl.runDir().resolve(RunFolder.METRICS).toFile());
        assertEquals("deepnets-onednn", m.get("training_step").asText(), "a frozen base on the oneDNN step");
        JsonNode b = m.get("provenance").get("base_network");
        assertEquals(base.runDir().resolve(RunFolder.MODEL).toAbsolutePath().toString(), b.get("model").asText());
        assertEquals(io.deepnets.config.BaseNetwork.sha256(base.runDir().resolve(RunFolder.MODEL)), b.get("model_sha256").asText());
        assertEquals(6, b.get("frozen_layers").asInt());
        String summary = Files.readString(tl.runDir().resolve(RunFolder.SUMMARY));
        assertTrue(summary.contains("frozen"), summary);
        // frozen: conv 224 + bn 32 + conv 584 = 840; plus nothing else non-trainable outside them
        assertTrue(summary.contains("Non-trainable params: 840"), summary);
        String saved = Files.readString(tl.runDir().resolve(RunFolder.CONFIG));
        assertTrue(saved.contains("transfer:") && saved.contains("frozen: 6"), saved);
        // The saved config reloads to the same network, without reading the base again.
        assertEquals(io.deepnets.config.ConfigLoader.toYaml(tl.config()),
                io.deepnets.config.ConfigLoader.toYaml(io.deepnets.config.ConfigLoader.load(tl.runDir().resolve(RunFolder.CONFIG), List.of())));

        TrainedModel model = TrainedModel.load(tl.runDir());
        Path photo = data.resolve("catsdogs/test/dog").resolve(Files.list(data.resolve("catsdogs/test/dog")).sorted().findFirst().orElseThrow()
                .getFileName());
        List<Predictor.Outcome> out = new Predictor(model, ImagePreprocessor.Invert.AUTO).classify(List.of(photo), null);
        assertTrue(out.get(0).ok(), String.valueOf(out.get(0).error()));
        assertTrue(List.of("cat", "dog").contains(out.get(0).top().get(0).label()), "class names from the folders");
        float[] expected = new io.deepnets.data.ImageDecoder(32, 32, 3, "stretch").prepare(javax.imageio.ImageIO.read(photo.toFile()));
        assertArrayEquals(expected, model.prepare(javax.imageio.ImageIO.read(photo.toFile()), ImagePreprocessor.Invert.AUTO).pixels(),
                "predict prepares a photo as the run's data section did (RGB, stretch), not MNIST-style");
        Path maps = dir.resolve("maps");
        assertEquals(0, io.deepnets.cli.Main.execute("activations", "--model", tl.runDir().toString(), "--image", photo.toString(), "--out",
                maps.toString()));
        try (var files = Files.list(maps)) {
            assertTrue(files.filter(f -> f.toString().endsWith(".png")).count() >= 2, "feature maps of both (frozen) convolutions");
        }
    }

    @Test
    void aBaseThatTakesOtherImagesIsOneLineSayingWhich() throws Exception {
        Path config = transferConfig("""
                  base: %s
                  freeze: 2
                  layers:
                    - {type: output, units: 2}
                """.formatted(base.runDir()), "image_size: [24, 24]");
        BadInputException e = assertThrows(BadInputException.class, () -> runner().run(new RunRequest(config, List.of(), data, dir.resolve("other"))));
        assertTrue(e.getMessage().contains("the base network") && e.getMessage().contains("32, 32, 3") && e.getMessage().contains("24, 24, 3"),
                e.getMessage());
        assertFalse(Files.exists(dir.resolve("other")), "nothing is created for a refused run");
    }

    @Test
    void aBaseChangedAfterItsConfigWasResolvedIsRefused() throws Exception {
        Path copy = dir.resolve("changed-base");
        io.deepnets.testing.TrainedRuns.copyTree(base.runDir(), copy);
        var resolved = io.deepnets.config.ConfigLoader.load(transferConfig("""
                  base: %s
                  freeze: 2
                  layers: [{type: output, units: 2}]
                """.formatted(copy), null), List.of());
        Path saved = Files.writeString(dir.resolve("resolved.yaml"), io.deepnets.config.ConfigLoader.toYaml(resolved));
        Files.write(copy.resolve(RunFolder.MODEL), new byte[] {0}, java.nio.file.StandardOpenOption.APPEND);
        BadInputException e = assertThrows(BadInputException.class, () -> runner().run(new RunRequest(saved, List.of(), data, dir.resolve("changed"))));
        assertTrue(e.getMessage().contains("has changed since this config was resolved"), e.getMessage());
    }

    @Test
    void badBaseAndFreezeSettingsAreConfigErrors() throws Exception {
        ConfigException unknownLayer = assertThrows(ConfigException.class, () -> io.deepnets.config.ConfigLoader.load(transferConfig("""
                  base: %s
                  freeze: conv2d_9
                  layers: [{type: output, units: 2}]
                """.formatted(base.runDir()), null), List.of()));
        assertTrue(unknownLayer.getMessage().contains("model.freeze") && unknownLayer.getMessage().contains("conv2d_1"), unknownLayer.getMessage());
        ConfigException tooMany = assertThrows(ConfigException.class, () -> io.deepnets.config.ConfigLoader.load(transferConfig("""
                  base: %s
                  freeze: 8
                  layers: [{type: output, units: 2}]
                """.formatted(base.runDir()), null), List.of()));
        assertTrue(tooMany.getMessage().contains("expected 0..7"), tooMany.getMessage());
        ConfigException missing = assertThrows(ConfigException.class, () -> io.deepnets.config.ConfigLoader.load(transferConfig("""
                  base: %s
                  layers: [{type: output, units: 2}]
                """.formatted(dir.resolve("nowhere")), null), List.of()));
        assertTrue(missing.getMessage().contains("no such run folder or model file"), missing.getMessage());
        Path experimentFolder = base.runDir().getParent();
        ConfigException none = assertThrows(ConfigException.class, () -> io.deepnets.config.ConfigLoader.load(transferConfig("""
                  base: %s
                  layers: [{type: output, units: 2}]
                """.formatted(dir), null), List.of()));
        assertTrue(none.getMessage().contains("holds no finished run"), none.getMessage());
        var viaExperiment = io.deepnets.config.ConfigLoader.load(transferConfig("""
                  base: %s
                  layers: [{type: output, units: 2}]
                """.formatted(experimentFolder), null), List.of());
        assertEquals(base.runDir().resolve(RunFolder.MODEL).toAbsolutePath().toString(), viaExperiment.model().transfer().base(),
                "an experiment folder means its newest finished run");
    }
}
