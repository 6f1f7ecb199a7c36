package io.deepnets.engine;

import io.deepnets.engine.kernels.ActivationKind;
import io.deepnets.engine.kernels.FastBackpropRelu;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.impl.ActivationReLU;

/**
 * Replaces every plain {@link ActivationReLU} of a network's layers by {@link FastBackpropRelu} until closed, then
 * puts DL4J's ReLU back, so that final models name only DL4J's own classes (a checkpoint written mid-training
 * holds the fast one: resuming swaps it back too). The same function, so training is numerically unchanged
 * (checked in {@code FastBackpropReluTest}).
 */
public final class ActivationSwap implements AutoCloseable {
    private final List<BaseLayer> layers = new ArrayList<>();

    private ActivationSwap(io.deepnets.model.Network net) {
        for (org.deeplearning4j.nn.api.Layer l : net.layers()) {
            NeuralNetConfiguration conf = l.conf();
            if (conf.getLayer() instanceof BaseLayer layer
                    && (ActivationKind.isPlainRelu(layer.getActivationFn()) || layer.getActivationFn() instanceof FastBackpropRelu)) {
                layers.add(layer);
                layer.setActivationFn(new FastBackpropRelu());
            }
        }
    }

    /** Installs the fast ReLU in {@code net} for the life of the returned swap. */
    public static ActivationSwap install(MultiLayerNetwork net) {
        return new ActivationSwap(io.deepnets.model.Network.of(net));
    }

    /** Installs the fast ReLU in {@code net} (a stack or a graph) for the life of the returned swap. */
    public static ActivationSwap install(io.deepnets.model.Network net) {
        return new ActivationSwap(net);
    }

    @Override
    public void close() {
        for (BaseLayer layer : layers) {
            layer.setActivationFn(new ActivationReLU());
        }
    }
}
