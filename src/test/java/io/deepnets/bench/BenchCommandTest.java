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
}
