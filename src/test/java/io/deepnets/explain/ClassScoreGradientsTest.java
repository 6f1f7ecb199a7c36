package io.deepnets.explain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deepnets.config.ConfigLoader;
import io.deepnets.config.ExperimentConfig;
import io.deepnets.model.KerasModelMapper;
import io.deepnets.model.Network;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.deeplearning4j.nn.api.Layer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.junit.jupiter.api.Test;

/**
 * The backward walk against its definition: central differences of the class logit, in double precision, on a stack
 * and on a graph with every kind of layer the walk handles specially (batch norm with moving statistics far from 0
 * and 1, dropout, add, concatenate, a layer read by three others, pooling, flatten).
 */
class ClassScoreGradientsTest {
    private static final String STACK = """
            name: explain-stack
            data: {dataset: cifar10, validation_data: test}
            model:
              input_shape: [10, 10, 3]
              layers:
                - {type: conv2d, filters: 6, kernel_size: 3, padding: same, activation: relu}
                - {type: batch_normalization}
                - {type: max_pool2d, pool_size: 2}
                - {type: dropout, rate: 0.4}
                - {type: conv2d, filters: 5, kernel_size: 3, activation: tanh}
                - {type: flatten}
                - {type: dense, units: 7, activation: relu}
                - {type: batch_normalization}
                - {type: output, units: 4}
            optimizer: {name: adam}
            training: {batch_size: 8, epochs: 1}
            """;

    @Test
    void stackGradientsAreTheLogitsDerivatives() {
        Network net = randomised(KerasModelMapper.network(ConfigLoader.parse(STACK, List.of())));
        checkAgainstCentralDifferences(net, 300, "4");
    }

    @Test
    void graphGradientsAreTheLogitsDerivatives() {
        ExperimentConfig config = ConfigLoader.load(Path.of("src/test/resources/graphs/mini-resnet-inception.yaml"), List.of());
        Network net = randomised(KerasModelMapper.network(config));
        checkAgainstCentralDifferences(net, 12 * 12 * 3, "branch2");
    }

    /** Double precision, parameters drawn at random and batch norm's moving variance in [0.5, 1.5), mean in [-1, 1). */
    private static Network randomised(Network net) {
        Network d = net.isGraph() ? Network.of(net.graph().get().convertDataType(DataType.DOUBLE), net.imageShape())
                : Network.of(net.stack().get().convertDataType(DataType.DOUBLE));
        Nd4j.getRandom().setSeed(11);
        d.setParams(Nd4j.rand(DataType.DOUBLE, d.params().shape()).subi(0.5));
        for (Layer l : d.layers()) {
            if (l instanceof org.deeplearning4j.nn.layers.normalization.BatchNormalization) {
                l.getParam("var").assign(Nd4j.rand(DataType.DOUBLE, l.getParam("var").shape()).addi(0.5));
                l.getParam("mean").assign(Nd4j.rand(DataType.DOUBLE, l.getParam("mean").shape()).muli(2).subi(1));
            }
        }
        return d;
    }

    private static void checkAgainstCentralDifferences(Network net, int inputs, String layer) {
        Random random = new Random(5);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 1, inputs);
        for (int cls = 0; cls < 2; cls++) {
            ClassScoreGradients.Result r = ClassScoreGradients.of(net, x, cls, layer);
            assertNotNull(r.layerGradient(), "the gradient at " + layer);
            assertEquals(r.layerOutput().length(), r.layerGradient().length());
            INDArray g = r.input().reshape(1, inputs);
            double largest = g.amaxNumber().doubleValue();
            assertTrue(largest > 1e-6, "a gradient that is not zero");
            for (int k = 0; k < 25; k++) {
                int i = random.nextInt(inputs);
                double h = 1e-6;
                INDArray plus = x.dup();
                plus.putScalar(i, x.getDouble(i) + h);
                INDArray minus = x.dup();
                minus.putScalar(i, x.getDouble(i) - h);
                double numeric = (ClassScoreGradients.of(net, plus, cls, null).logit() - ClassScoreGradients.of(net, minus, cls, null).logit()) / (2 * h);
                // Central differences are exact to O(h^2) and 1e-10 rounding in double away from a ReLU or max-pooling kink,
                // which a random input meets within h with probability of order 1e-6.
                assertEquals(numeric, g.getDouble(i), 1e-6 * Math.max(1, largest), "d logit_" + cls + " / d x_" + i);
            }
        }
    }

    @Test
    void gradCamIsTheWeightedSumOfTheMapsAndUpsamplesWithCentresAligned() {
        // Two channels of a 2x2 map: channel 0's gradient averages 1, channel 1's -1.
        INDArray a = Nd4j.create(new float[] {1, 2, 3, 4, 4, 0, 0, 1}, new long[] {1, 2, 2, 2}, 'c');
        INDArray g = Nd4j.create(new float[] {1, 1, 1, 1, -2, 0, 0, -2}, new long[] {1, 2, 2, 2}, 'c');
        float[] cam = Explainer.gradCam(a, g);
        assertEquals(List.of(0f, 2f, 3f, 3f), List.of(cam[0], cam[1], cam[2], cam[3]));
        float[] up = Explainer.upsample(new float[] {0, 1, 2, 3}, 2, 2, 4, 4);
        assertEquals(0f, up[0]);
        assertEquals(0.25f, up[1], 1e-6);
        assertEquals(3f, up[15]);
    }
}
