package io.deepnets.runs;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;

/**
 * The state after a completed epoch, enough to continue exactly where training stopped: the network with its
 * updater state ({@code checkpoint/model.zip}) and {@code checkpoint/state.json} (the epoch, the seed, the
 * iteration count). The random state needs no saving: shuffling and dropout are reseeded from (seed, epoch) at
 * the start of every epoch. The history is the run folder's history.csv.
 */
public final class Checkpoint {
    public static final String FOLDER = "checkpoint";
    private static final ObjectMapper JSON = new ObjectMapper();

    private Checkpoint() {
    }

    /** A saved checkpoint. */
    public record Saved(int epoch, long seed, MultiLayerNetwork network) {
    }

    /** Writes the checkpoint of 1-based {@code epoch}: the model first, then state.json, each atomically. */
    public static void save(Path runDir, MultiLayerNetwork net, int epoch, long seed) throws IOException {
        Path dir = Files.createDirectories(runDir.resolve(FOLDER));
        AtomicFiles.write(dir.resolve("model.zip"), out -> ModelSerializer.writeModel(net, out, true));
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("epoch", epoch);
        state.put("seed", seed);
        state.put("iteration", net.getIterationCount());
        AtomicFiles.writeString(dir.resolve("state.json"), JSON.writeValueAsString(state));
    }

    /** The epoch of the checkpoint in {@code runDir}, or 0 when there is none. */
    public static int epoch(Path runDir) {
        Path state = runDir.resolve(FOLDER).resolve("state.json");
        if (!Files.isRegularFile(state) || !Files.isRegularFile(runDir.resolve(FOLDER).resolve("model.zip"))) {
            return 0;
        }
        try {
            return ((Number) JSON.readValue(state.toFile(), Map.class).get("epoch")).intValue();
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    public static Saved load(Path runDir) throws IOException {
        Path dir = runDir.resolve(FOLDER);
        Map<?, ?> state = JSON.readValue(dir.resolve("state.json").toFile(), Map.class);
        MultiLayerNetwork net = ModelSerializer.restoreMultiLayerNetwork(dir.resolve("model.zip").toFile(), true);
        return new Saved(((Number) state.get("epoch")).intValue(), ((Number) state.get("seed")).longValue(), net);
    }

    /** Removes the checkpoint once the run is complete (model.zip holds the final network). */
    public static void delete(Path runDir) throws IOException {
        Path dir = runDir.resolve(FOLDER);
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
