package io.deepnets.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deepnets.config.ConfigLoader;
import io.deepnets.config.ExperimentConfig;
import io.deepnets.engine.TrainingStep;
import java.util.List;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Keras's {@code kernel_regularizer: {l2: lambda}} adds {@code lambda * sum(w^2)} to the loss: one SGD step moves each
 * weight by an extra {@code -lr * 2 * lambda * w} and leaves biases alone, and the loss DL4J reports includes the
 * penalty. Checked against the same network without the penalty, from the same initial weights.
 */
class RegularizerMappingTest {
    static final String CONFIG = """
            name: l2
            data: {dataset: mnist, validation_split: 0.2}
            model:
              input_shape: [6]
              layers:
                - {type: dense, units: 5, activation: tanh, kernel_regularizer: {l2: LAMBDA}}
                - {type: output, units: 3, kernel_regularizer: {l2: LAMBDA, l1: L1}}
            optimizer: {name: sgd, learning_rate: 0.1}
            training: {epochs: 1, batch_size: 4}
            """;

    static MultiLayerNetwork net(double lambda, double l1) {
        ExperimentConfig c = ConfigLoader.parse(CONFIG.replace("LAMBDA", Double.toString(lambda)).replace("L1", Double.toString(l1)), List.of());
        return KerasModelMapper.build(c);
    }

    @Test
    void oneStepMatchesTheKerasFormula() {
        double lambda = 0.05;
        MultiLayerNetwork plain = net(0, 0);
        MultiLayerNetwork reg = net(lambda, 0);
        assertEquals(plain.params(), reg.params(), "same initial weights");
        INDArray w0Dense = reg.getLayer(0).getParam("W").dup();
        INDArray w0Out = reg.getLayer(1).getParam("W").dup();
        double penalty = lambda * (w0Dense.mul(w0Dense).sumNumber().doubleValue() + w0Out.mul(w0Out).sumNumber().doubleValue());
        Nd4j.getRandom().setSeed(1);
        INDArray x = Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 4, 6);
        INDArray y = Nd4j.zeros(org.nd4j.linalg.api.buffer.DataType.FLOAT, 4, 3);
        for (int i = 0; i < 4; i++) {
            y.putScalar(i, i % 3, 1f);
        }
        plain.fit(new DataSet(x, y));
        reg.fit(new DataSet(x, y));
        assertEquals(plain.score() + penalty, reg.score(), 1e-5, "the loss includes lambda * sum(w^2)");
        for (int layer = 0; layer < 2; layer++) {
            INDArray w0 = layer == 0 ? w0Dense : w0Out;
            INDArray expected = plain.getLayer(layer).getParam("W").sub(w0.mul(0.1 * 2 * lambda));
            assertTrue(expected.equalsWithEps(reg.getLayer(layer).getParam("W"), 1e-6), "W(" + layer + ") = plain step - lr * 2 lambda w0");
            assertTrue(plain.getLayer(layer).getParam("b").equalsWithEps(reg.getLayer(layer).getParam("b"), 1e-7), "biases are not penalised");
        }
    }

    @Test
    void l1AddsLambdaTimesTheSignOfEachWeight() {
        double l1 = 0.02;
        MultiLayerNetwork plain = net(0, 0);
        MultiLayerNetwork reg = net(0, l1);
        INDArray w0 = reg.getLayer(1).getParam("W").dup();
        INDArray x = Nd4j.ones(org.nd4j.linalg.api.buffer.DataType.FLOAT, 2, 6);
        INDArray y = Nd4j.zeros(org.nd4j.linalg.api.buffer.DataType.FLOAT, 2, 3);
        y.putScalar(0, 0, 1f);
        y.putScalar(1, 2, 1f);
        plain.fit(new DataSet(x, y));
        reg.fit(new DataSet(x, y));
        INDArray expected = plain.getLayer(1).getParam("W").sub(org.nd4j.linalg.ops.transforms.Transforms.sign(w0).mul(0.1 * l1));
        assertTrue(expected.equalsWithEps(reg.getLayer(1).getParam("W"), 1e-6));
        assertTrue(plain.getLayer(0).getParam("W").equalsWithEps(reg.getLayer(0).getParam("W"), 1e-7), "no L1 on the dense layer");
    }

    @Test
    void regularisedNetworksTrainThroughTheFlatUpdate() {
        String rms = CONFIG.replace("{name: sgd, learning_rate: 0.1}", "{name: rmsprop}");
        MultiLayerNetwork without = KerasModelMapper.build(ConfigLoader.parse(rms.replace("LAMBDA", "0").replace("L1", "0"), List.of()));
        MultiLayerNetwork with = KerasModelMapper.build(ConfigLoader.parse(rms.replace("LAMBDA", "0.01").replace("L1", "0"), List.of()));
        try (TrainingStep a = TrainingStep.forNetwork(without, 4, 3); TrainingStep b = TrainingStep.forNetwork(with, 4, 3)) {
            assertEquals("deepnets-onednn", a.kind(), "the engine serves the plain network");
            assertEquals("deepnets-onednn", b.kind(), "and the regularised one (its L2 term in the loss and the flat update)");
        }
    }
}
