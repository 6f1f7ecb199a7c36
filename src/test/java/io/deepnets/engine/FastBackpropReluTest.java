package io.deepnets.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deepnets.config.ConfigLoader;
import io.deepnets.engine.kernels.FastBackpropRelu;
import io.deepnets.model.KerasModelMapper;
import java.nio.file.Path;
import java.util.List;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class FastBackpropReluTest {

    @Test
    void forwardAndBackwardEqualDl4jsRelu() {
        INDArray z = Nd4j.rand(DataType.FLOAT, 4, 8, 6, 6).subi(0.5);
        z.putScalar(new long[] {0, 0, 0, 0}, 0f);           // the kink: both take the derivative at 0 as 0
        INDArray eps = Nd4j.rand(DataType.FLOAT, 4, 8, 6, 6).subi(0.5);
        ActivationReLU stock = new ActivationReLU();
        FastBackpropRelu fast = new FastBackpropRelu();
        assertEquals(stock.getActivation(z.dup(), true), fast.getActivation(z.dup(), true));
        Pair<INDArray, INDArray> expected = stock.backprop(z.dup(), eps.dup());
        Pair<INDArray, INDArray> actual = fast.backprop(z.dup(), eps.dup());
        assertEquals(expected.getFirst(), actual.getFirst());
        assertEquals(0f, Math.abs(actual.getFirst().getFloat(0, 0, 0, 0)));
        assertEquals(expected.getSecond(), actual.getSecond());
    }

    @Test
    void swapIsUndoneSoSavedModelsNameOnlyDl4jClasses() {
        MultiLayerNetwork net = KerasModelMapper.build(ConfigLoader.load(Path.of("configs", "cifar10-cnn.yaml"), List.of()));
        try (ActivationSwap ignored = ActivationSwap.install(net)) {
            long swapped = net.getLayerWiseConfigurations().getConfs().stream()
                    .filter(c -> c.getLayer() instanceof BaseLayer b && b.getActivationFn() instanceof FastBackpropRelu).count();
            assertEquals(5, swapped, "four conv layers and the dense layer");
            assertInstanceOf(ActivationSoftmax.class, ((BaseLayer) net.getLayerWiseConfigurations().getConf(
                    net.getnLayers() - 1).getLayer()).getActivationFn());
        }
        String json = net.getLayerWiseConfigurations().toJson();
        assertTrue(json.contains("ActivationReLU") && !json.contains("FastBackpropRelu"), json);

        // A network restored from a mid-training checkpoint carries the fast ReLU: training it ends with DL4J's.
        ((BaseLayer) net.getLayerWiseConfigurations().getConf(0).getLayer()).setActivationFn(new FastBackpropRelu());
        ActivationSwap.install(net).close();
        assertInstanceOf(ActivationReLU.class, ((BaseLayer) net.getLayerWiseConfigurations().getConf(0).getLayer()).getActivationFn());
    }
}
