package io.deepnets.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deepnets.config.ConfigException;
import io.deepnets.config.ConfigLoader;
import io.deepnets.config.ExperimentConfig;
import io.deepnets.data.ImageSet;
import io.deepnets.eval.EvalResult;
import io.deepnets.eval.Evaluator;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;

/** Keras's label smoothing: the loss against Keras's formula in double, in the config, the saved model and evaluation. */
class KerasCategoricalCrossentropyTest {
    @TempDir
    Path dir;

    private static ExperimentConfig config(String smoothing) {
        return ConfigLoader.parse("""
                name: t
                data: {dataset: mnist, validation_split: 0.2}
                model:
                  input_shape: [6]
                  layers:
                    - {type: dense, units: 8, activation: relu}
                    - {type: output, units: 4%s}
                optimizer: {name: sgd, learning_rate: 0.1}
                training: {epochs: 1}
                """.formatted(smoothing == null ? "" : ", label_smoothing: " + smoothing), List.of());
    }

    @Test
    void scoreAndGradientAreKerasFormula() {
        double s = 0.1;
        int m = 5;
        int k = 4;
        Random r = new Random(3);
        INDArray pre = Nd4j.create(DataType.FLOAT, m, k);
        INDArray labels = Nd4j.zeros(DataType.FLOAT, m, k);
        int[] truth = new int[m];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < k; j++) {
                pre.putScalar(i, j, r.nextGaussian() * 2);
            }
            truth[i] = r.nextInt(k);
            labels.putScalar(i, truth[i], 1);
        }
        KerasCategoricalCrossentropy loss = new KerasCategoricalCrossentropy(s);
        double want = 0;
        double[][] grad = new double[m][k];
        for (int i = 0; i < m; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < k; j++) {
                max = Math.max(max, pre.getDouble(i, j));
            }
            double sum = 0;
            for (int j = 0; j < k; j++) {
                sum += Math.exp(pre.getDouble(i, j) - max);
            }
            for (int j = 0; j < k; j++) {
                double p = Math.exp(pre.getDouble(i, j) - max) / sum;
                double y = (j == truth[i] ? 1 - s : 0) + s / k;
                want -= y * Math.log(p);
                grad[i][j] = p - y;
            }
        }
        assertEquals(want / m, loss.computeScore(labels, pre, new ActivationSoftmax(), null, true), 1e-5, "-mean sum y log p, y = onehot (1 - s) + s / K");
        INDArray g = loss.computeGradient(labels, pre, new ActivationSoftmax(), null);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < k; j++) {
                assertEquals(grad[i][j], g.getDouble(i, j), 1e-6, "p - y at " + i + "," + j);
            }
        }
        double plain = new LossMCXENT().computeScore(labels, pre, new ActivationSoftmax(), null, true);
        assertTrue(loss.computeScore(labels, pre, new ActivationSoftmax(), null, true) != plain, "smoothing changes the loss");
    }

    @Test
    void configMapsSmoothingToTheLossAndLeavesPlainCrossEntropyAlone() throws Exception {
        MultiLayerNetwork plain = KerasModelMapper.build(config(null));
        assertInstanceOf(LossMCXENT.class, ((OutputLayer) plain.getLayer(1).conf().getLayer()).getLossFn());
        assertEquals(0.0, Network.of(plain).labelSmoothing());
        MultiLayerNetwork smoothed = KerasModelMapper.build(config("0.1"));
        assertEquals(new KerasCategoricalCrossentropy(0.1), ((OutputLayer) smoothed.getLayer(1).conf().getLayer()).getLossFn());
        assertEquals(0.1, Network.of(smoothed).labelSmoothing());
        Path file = dir.resolve("model.zip");
        ModelSerializer.writeModel(smoothed, file.toFile(), true);
        MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(file.toFile(), true);
        assertEquals(0.1, Network.of(restored).labelSmoothing(), "saved with the model");
        String yaml = ConfigLoader.toYaml(config("0.1"));
        assertTrue(yaml.contains("label_smoothing: 0.1"), yaml);
        assertEquals(yaml, ConfigLoader.toYaml(ConfigLoader.parse(yaml, List.of())));
        assertTrue(!ConfigLoader.toYaml(config(null)).contains("label_smoothing"), "no smoothing, nothing written");
        ConfigException e = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class, () -> config("1.5"));
        assertEquals("model.layers[1].label_smoothing", e.keyPath());
        assertTrue(e.getMessage().contains("expected a number in [0, 1] (Keras's CategoricalCrossentropy(label_smoothing)), got 1.5"), e.getMessage());
    }

    @Test
    void evaluationScoresTheSmoothedLossAsKerasEvaluateDoes() {
        MultiLayerNetwork net = KerasModelMapper.build(config("0.2"));
        int n = 30;
        Random r = new Random(4);
        float[] f = new float[n * 6];
        int[] labels = new int[n];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) r.nextGaussian();
        }
        for (int i = 0; i < n; i++) {
            labels[i] = r.nextInt(4);
        }
        ImageSet set = new ImageSet(f, labels, n, 6);
        EvalResult got = Evaluator.evaluate(net, set, 4);
        INDArray p = net.output(Nd4j.create(f, new long[] {n, 6}, 'c'));
        double want = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 4; j++) {
                double y = (j == labels[i] ? 0.8 : 0) + 0.05;
                want -= y * Math.log(Math.min(1 - 1e-7, Math.max(1e-7, p.getDouble(i, j))));
            }
        }
        assertEquals(want / n, got.loss(), 1e-9);
        EvalResult plain = Evaluator.evaluate(Evaluator.dl4jOutput(net, 4), set, 4);
        assertEquals(got.accuracy(), plain.accuracy(), "accuracy does not see the smoothing");
        assertTrue(got.loss() > plain.loss() || got.loss() < plain.loss(), "the loss does");
    }
}
