package io.deepnets.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.deepnets.cli.Main;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The benchmark command works and reports what it measured; its numbers are never asserted. */
class BenchCommandTest {
    @Test
    void writesThroughputAndTheNativeSetUp(@TempDir Path tmp) throws Exception {
        Path json = tmp.resolve("bench.json");
        assertEquals(0, Main.execute("bench", "configs/mnist-linear.yaml", "configs/mnist-cnn.yaml", "--seconds", "0.5", "--json", json.toString()));
        JsonNode root = new ObjectMapper().readTree(json.toFile());
        assertTrue(root.get("setup").has("native_classifier"));
        assertTrue(root.get("setup").has("onednn"));
        assertEquals(2, root.get("results").size());
        JsonNode cnn = root.get("results").get(1);
        assertEquals("mnist-cnn", cnn.get("experiment").asText());
        assertTrue(cnn.get("trainSamplesPerSecond").asDouble() > 0);
        assertTrue(cnn.get("steps").asInt() >= 5);
        if (root.get("setup").get("onednn").asBoolean()) {
            assertTrue(cnn.get("helpers").asText().contains("MKLDNNConvHelper"), cnn.toString());
        }
        assertEquals(2, Main.execute("bench", "configs/mnist-linear.yaml", "--seconds", "-1"));
    }

    /** --profile: one row per layer with both directions, the update and the whole step; --without picks the step measured. */
    @Test
    void profilesEveryLayerOfTheStepItWouldTrainWith(@TempDir Path tmp) throws Exception {
        Path json = tmp.resolve("profile.json");
        assertEquals(0, Main.execute("bench", "configs/cifar10-cnn.yaml", "--profile", "--profile-steps", "2", "--json", json.toString()));
        JsonNode p = new ObjectMapper().readTree(json.toFile()).get("results").get(0).get("profile");
        assertEquals("deepnets-onednn", p.get("step").asText());
        assertEquals(11, p.get("layers").size(), "every DL4J layer of the CIFAR-10 net");
        for (JsonNode layer : p.get("layers")) {
            assertTrue(layer.get("forwardMs").asDouble() > 0 && layer.get("backwardMs").asDouble() > 0, layer.toString());
        }
        assertTrue(p.get("updateMs").asDouble() > 0 && p.get("stepMs").asDouble() > 0);
        Path before = tmp.resolve("before.json");
        assertEquals(0, Main.execute("bench", "configs/cifar10-cnn.yaml", "--profile", "--profile-steps", "2", "--without", "deepnets-onednn",
                "--json", before.toString()));
        assertEquals("dl4j-backprop+flat-update", new ObjectMapper().readTree(before.toFile()).get("results").get(0).get("profile").get("step").asText());
        assertEquals(2, Main.execute("bench", "configs/cifar10-cnn.yaml", "--without", "fast"), "an unknown step is bad input");
        assertEquals(2, Main.execute("bench", "configs/cifar10-cnn.yaml", "--profile", "--profile-steps", "0"));
    }
}
