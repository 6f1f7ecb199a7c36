package io.deepnets.model;

import io.deepnets.config.ModelConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Transfer learning's first step: the trained weights of the base network's layers copied into the new network's
 * first {@link ModelConfig.Transfer#baseLayers()} layers (batch normalisation's moving statistics included), as
 * Keras's {@code Model(base.input, new_head(base.layers[k].output))} shares them. The new layers keep their fresh
 * initialisation.
 */
public final class BaseWeights {
    private BaseWeights() {
    }

    /** What was copied, for the run's provenance. */
    public record Copied(String base, String sha256, int layers, long params) {
    }

    /**
     * Copies the base's weights into {@code net} (built from {@code model} by the mapper). The base's layers must have
     * the same shapes, which the config guarantees unless the base's model.zip and config.yaml disagree.
     */
    public static Copied copyInto(MultiLayerNetwork net, ModelConfig model) {
        ModelConfig.Transfer t = model.transfer();
        Path zip = Path.of(t.base());
        String sha = sha256(zip);
        MultiLayerNetwork base;
        try {
            base = ModelSerializer.restoreMultiLayerNetwork(zip.toFile(), false);
        } catch (IOException | RuntimeException e) {
            throw new io.deepnets.BadInputException("model.base: " + zip + " is not a readable DL4J model (truncated or another kind of file)");
        }
        int[] indices = KerasModelMapper.dl4jIndices(model);
        long copied = 0;
        for (int i = 0; i < t.baseLayers(); i++) {
            int j = indices[i];
            if (j < 0) {
                continue;
            }
            if (j >= base.getnLayers()) {
                throw new io.deepnets.BadInputException("model.base: " + zip + " has " + base.getnLayers() + " layers, fewer than its config.yaml lists");
            }
            INDArray from = base.getLayer(j).params();
            long n = net.getLayer(j).numParams();
            if ((from == null ? 0 : from.length()) != n) {
                throw new io.deepnets.BadInputException("model.base: layer " + j + " of " + zip + " has " + (from == null ? 0 : from.length())
                        + " parameters where its config.yaml gives " + n + "; the model and its config do not belong together");
            }
            if (n > 0) {
                net.getLayer(j).setParams(from.dup());
                copied += n;
            }
        }
        return new Copied(zip.toString(), sha, t.baseLayers(), copied);
    }

    /** SHA-256 of the base network's file, hex. */
    public static String sha256(Path file) {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (IOException e) {
            throw new io.deepnets.BadInputException("model.base: cannot read " + file + " (" + e.getMessage() + ")");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
