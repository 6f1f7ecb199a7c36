package io.deepnets.model;

import io.deepnets.config.BaseNetwork;
import io.deepnets.config.ModelConfig;
import java.io.IOException;
import java.nio.file.Path;
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

    /** What was copied, for the console. */
    public record Copied(String base, int layers, long params) {
    }

    /**
     * Copies the base's weights into {@code net} (built from {@code model} by the mapper). The base's layers must have
     * the same shapes, which the config guarantees unless the base's model.zip and config.yaml disagree.
     */
    public static Copied copyInto(MultiLayerNetwork net, ModelConfig model) {
        return copyInto(Network.of(net), model);
    }

    /** As {@link #copyInto(MultiLayerNetwork, ModelConfig)} for a stack or a graph (a graph's layers matched by name). */
    public static Copied copyInto(Network net, ModelConfig model) {
        ModelConfig.Transfer t = model.transfer();
        Path zip = Path.of(t.base());
        if (!BaseNetwork.sha256(zip).equals(t.baseSha256())) {
            throw new io.deepnets.BadInputException("model.base: " + zip + " has changed since this config was resolved (SHA-256 "
                    + t.baseSha256() + "); its weights are not the ones the run records");
        }
        Network base;
        try {
            base = Network.read(zip.toFile(), KerasModelMapper.imageShape(model), false);
        } catch (IOException | RuntimeException e) {
            throw new io.deepnets.BadInputException("model.base: " + zip + (e instanceof java.nio.file.FileSystemException
                    ? ": cannot read (" + io.deepnets.FailureText.describe(e) + ")" : " is not a readable DL4J model (truncated or another kind of file)"), e);
        }
        int[] indices = KerasModelMapper.dl4jIndices(model);
        long copied = 0;
        if (base.isGraph() && !net.isGraph()) {
            throw new io.deepnets.BadInputException("model.base: " + zip + " holds a graph where its config.yaml describes a stack of layers; "
                    + "the model and its config do not belong together");
        }
        // A stack base's layers are found by their DL4J index (the same in the base as among the new network's first
        // layers), a graph's by name; a stack base under a graph head (a residual head) takes both ways.
        for (int i = 0; i < t.baseLayers(); i++) {
            int j = indices[i];
            String name = model.layerNames().get(i);
            org.deeplearning4j.nn.api.Layer target = net.layer(name, j);
            if (target == null) {
                continue;
            }
            org.deeplearning4j.nn.api.Layer source;
            try {
                source = base.layer(name, j);
            } catch (RuntimeException e) {
                source = null;
            }
            if (source == null) {
                throw new io.deepnets.BadInputException("model.base: " + zip + " has no layer " + (net.isGraph() ? "'" + name + "'" : j)
                        + " where its config.yaml lists one; the model and its config do not belong together");
            }
            INDArray from = source.params();
            long n = target.numParams();
            if ((from == null ? 0 : from.length()) != n) {
                throw new io.deepnets.BadInputException("model.base: layer " + j + " of " + zip + " has " + (from == null ? 0 : from.length())
                        + " parameters where its config.yaml gives " + n + "; the model and its config do not belong together");
            }
            if (n > 0) {
                target.setParams(from.dup());
                copied += n;
            }
        }
        return new Copied(zip.toString(), t.baseLayers(), copied);
    }

}
