package io.deepnets.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deepnets.config.ConfigLoader;
import io.deepnets.config.ExperimentConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Keras's SGD with classical momentum ({@code v = m v - lr g; w = w + v}), which DL4J lacks: the mapper's updater
 * against that formula step by step (each step's gradient taken from a twin network holding the formula's weights),
 * and its state saved with the model so training continues exactly after a restore (the fast steps declining it:
 * {@code NewLayersStepChoiceTest}).
 */
class ClassicalMomentumTest {
    @TempDir
    Path dir;

    static ExperimentConfig config(String optimizer) {
        return ConfigLoader.parse("""
                name: momentum
                data: {dataset: mnist, validation_split: 0.2}
                model:
                  input_shape: [6, 6, 1]
                  layers:
                    - {type: conv2d, filters: 3, kernel_size: 3, activation: relu, kernel_regularizer: {l2: 0.001}}
                    - {type: flatten}
                    - {type: dense, units: 5, activation: relu}
                    - {type: output, units: 3}
                optimizer: %s
                training: {batch_size: 4, epochs: 1}
                """.formatted(optimizer), List.of());
    }

    static DataSet batch(int seed) {
        java.util.Random r = new java.util.Random(seed);
        float[] pixels = new float[4 * 36];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = r.nextFloat();
        }
        INDArray x = Nd4j.create(pixels, new long[] {4, 1, 6, 6}, 'c');
        INDArray y = Nd4j.zeros(DataType.FLOAT, 4, 3);
        for (int i = 0; i < 4; i++) {
            y.putScalar(i, (i + seed) % 3, 1);
        }
        return new DataSet(x, y);
    }

    @Test
    void theUpdaterFollowsKerasFormulaStepByStep() {
        ExperimentConfig c = config("{name: sgd, learning_rate: 0.05, momentum: 0.9}");
        MultiLayerNetwork net = KerasModelMapper.build(c);
        assertTrue(net.getLayer(0).conf().getLayer() instanceof org.deeplearning4j.nn.conf.layers.BaseLayer b
                && b.getIUpdater() instanceof ClassicalMomentum, "the mapper's updater for sgd with momentum and nesterov: false");
        MultiLayerNetwork twin = KerasModelMapper.build(c);
        INDArray w = net.params().dup();
        INDArray v = Nd4j.zeros(w.dataType(), w.shape());
        for (int step = 0; step < 8; step++) {
            DataSet d = batch(step);
            // The formula's gradient at the formula's weights (L2 included, as DL4J adds it to the gradient).
            twin.setParams(w);
            twin.setInput(d.getFeatures());
            twin.setLabels(d.getLabels());
            twin.computeGradientAndScore();
            // DL4J's backprop sums the loss's gradient over the batch; its updater divides by the batch size (Keras's mean).
            twin.gradient().gradient().divi(4);
            // Keras's l2(0.001) on the first kernel is 2 x 0.001 x W in the gradient (DL4J adds it before the updater).
            twin.gradient().getGradientFor("0_W").addi(twin.getLayer(0).getParam("W").mul(0.002));
            INDArray g = twin.gradient().gradient().dup();
            // Keras: v = m v - lr g; w = w + v.
            v.muli(0.9).subi(g.mul(0.05));
            w.addi(v);
            net.fit(d);
            // Float rounding only: the same sums in another order (DL4J's axpy against the formula's mul/sub).
            double diff = net.params().sub(w).amaxNumber().doubleValue();
            assertTrue(diff < 1e-6 * Math.max(1, w.amaxNumber().doubleValue()), "step " + step + ": largest difference " + diff);
            double state = net.getUpdater().getStateViewArray().add(v).amaxNumber().doubleValue();
            assertTrue(state < 1e-6, "the state is -v at step " + step + ": largest difference " + state);
        }
    }

    /** DL4J's L2 penalty comes through: the twin's gradient above includes it, so the comparison is with regularisation. */
    @Test
    void savedAndRestoredItContinuesExactly() throws Exception {
        ExperimentConfig c = config("{name: sgd, learning_rate: 0.05, momentum: 0.9}");
        MultiLayerNetwork net = KerasModelMapper.build(c);
        for (int s = 0; s < 3; s++) {
            net.fit(batch(s));
        }
        Path file = dir.resolve("model.zip");
        ModelSerializer.writeModel(net, file.toFile(), true);
        MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(file.toFile(), true);
        assertTrue(((org.deeplearning4j.nn.conf.layers.BaseLayer) restored.getLayer(0).conf().getLayer()).getIUpdater() instanceof ClassicalMomentum,
                "the model file names the updater");
        assertEquals(net.getUpdater().getStateViewArray(), restored.getUpdater().getStateViewArray(), "the velocity is saved");
        for (int s = 3; s < 6; s++) {
            net.fit(batch(s));
            restored.fit(batch(s));
        }
        assertEquals(net.params(), restored.params(), "the restored network trains on exactly as the first");
        assertTrue(Files.size(file) > 0);
    }

}
