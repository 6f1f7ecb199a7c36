package io.deepnets.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deepnets.config.ConfigLoader;
import io.deepnets.config.ExperimentConfig;
import java.nio.file.Path;
import java.util.List;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/** Batch normalisation as Keras defines it, at training and inference time, and the parameter counts Keras prints. */
class BatchNormalizationTest {
    static final int N = 6;
    static final int C = 2;
    static final int H = 3;
    static final int W = 3;

    static ExperimentConfig bnNet() {
        return ConfigLoader.parse("""
                name: bn
                seed: 3
                data: {dataset: mnist, validation_split: 0.2}
                model:
                  input_shape: [3, 3, 2]
                  layers:
                    - {type: batch_normalization}
                    - {type: flatten}
                    - {type: output, units: 2}
                optimizer: {name: sgd, learning_rate: 0.1}
                training: {batch_size: 6, epochs: 1}
                """, List.of());
    }

    @Test
    void trainingModeUsesTheBatchStatisticsAndInferenceTheMovingOnesWithKerasEpsilonAndMomentum() {
        MultiLayerNetwork net = KerasModelMapper.build(bnNet());
        org.deeplearning4j.nn.conf.layers.BatchNormalization conf =
                (org.deeplearning4j.nn.conf.layers.BatchNormalization) net.getLayerWiseConfigurations().getConf(0).getLayer();
        assertEquals(1e-3, conf.getEps(), 0, "Keras epsilon");
        assertEquals(0.99, conf.getDecay(), 0, "Keras momentum");
        Nd4j.getRandom().setSeed(11);
        INDArray gamma = Nd4j.rand(DataType.FLOAT, 1, C).addi(0.5);
        INDArray beta = Nd4j.rand(DataType.FLOAT, 1, C).subi(0.5);
        net.getLayer(0).setParam("gamma", gamma);
        net.getLayer(0).setParam("beta", beta);
        INDArray x = Nd4j.rand(DataType.FLOAT, N, C * H * W).muli(3).addi(1);
        float[] xs = x.dup('c').data().asFloat();
        float[] train = net.feedForward(x, true).get(1).dup('c').data().asFloat();
        float[] infer = net.feedForward(x, false).get(1).dup('c').data().asFloat();
        double[] mean = new double[C];
        double[] var = new double[C];
        double[] unbiased = new double[C];
        int m = N * H * W;
        for (int c = 0; c < C; c++) {
            for (int n = 0; n < N; n++) {
                for (int p = 0; p < H * W; p++) {
                    mean[c] += xs[n * C * H * W + c * H * W + p];
                }
            }
            mean[c] /= m;
            for (int n = 0; n < N; n++) {
                for (int p = 0; p < H * W; p++) {
                    double d = xs[n * C * H * W + c * H * W + p] - mean[c];
                    var[c] += d * d;
                }
            }
            unbiased[c] = var[c] / (m - 1);
            var[c] /= m;
        }
        for (int n = 0; n < N; n++) {
            for (int c = 0; c < C; c++) {
                for (int p = 0; p < H * W; p++) {
                    int i = n * C * H * W + c * H * W + p;
                    double keras = gamma.getDouble(c) * (xs[i] - mean[c]) / Math.sqrt(var[c] + 1e-3) + beta.getDouble(c);
                    assertEquals(keras, train[i], 2e-5, "training: (x - batch mean) / sqrt(biased batch variance + 1e-3)");
                    double moving = gamma.getDouble(c) * (xs[i] - 0) / Math.sqrt(1 + 1e-3) + beta.getDouble(c);
                    assertEquals(moving, infer[i], 2e-5, "inference: the moving mean 0 and variance 1 Keras starts with");
                }
            }
        }
        INDArray labels = Nd4j.zeros(DataType.FLOAT, N, 2);
        for (int n = 0; n < N; n++) {
            labels.putScalar(n, n % 2, 1f);
        }
        net.fit(new DataSet(x, labels));
        INDArray movingMean = net.getLayer(0).getParam("mean");
        INDArray movingVar = net.getLayer(0).getParam("var");
        for (int c = 0; c < C; c++) {
            assertEquals(0.99 * 0 + 0.01 * mean[c], movingMean.getDouble(c), 1e-6, "moving mean: momentum 0.99");
            // DL4J moves the variance with the biased batch variance (what it normalises with); TensorFlow's fused
            // kernel, Keras's path for images, moves it with the Bessel-corrected one. They differ by m / (m - 1) for
            // m = batch x height x width values per channel: here 54/53, for a 64-image batch of 32x32 maps 1.000015.
            assertEquals(0.99 * 1 + 0.01 * var[c], movingVar.getDouble(c), 1e-6, "moving variance: momentum 0.99, biased batch variance");
            assertTrue(Math.abs(0.99 + 0.01 * unbiased[c] - movingVar.getDouble(c)) < 0.01 * (unbiased[c] - var[c]) + 1e-6);
        }
    }

    @Test
    void parameterCountsEqualKerasWithMovingStatisticsNonTrainable() {
        ExperimentConfig cifar8 = ConfigLoader.load(Path.of("configs", "cifar8-cnn.yaml"), List.of());
        // Keras's counts for these layers (conv k*k*in*out + out; batch norm 4 per channel, the moving mean and variance
        // non-trainable; dense in*out + out): Total 111,688, Trainable 111,240, Non-trainable 448.
        assertEquals(111_688, cifar8.model().totalParams());
        assertEquals(448, cifar8.model().nonTrainableParams());
        MultiLayerNetwork net = KerasModelMapper.build(cifar8);
        assertEquals(111_688, net.numParams(), "DL4J holds the moving statistics in its parameter vector too");
        String summary = ModelSummary.of(cifar8, net.numParams()).render();
        assertTrue(summary.contains("batch_normalization_1 (BatchNormalization)"), summary);
        assertTrue(summary.contains("global_average_pooling2d_1 (GlobalAveragePooling2D) (None, 128)"), "the name column grows to fit: " + summary);
        assertTrue(summary.contains("Trainable params: 111,240"), summary);
        assertTrue(summary.contains("Non-trainable params: 448"), summary);
        List<Long> perLayer = cifar8.model().layerParams();
        assertEquals(List.of(896L, 128L, 0L, 0L, 18_496L, 256L, 0L, 0L, 73_856L, 512L, 0L, 0L, 16_512L, 0L, 1_032L), perLayer);
    }

    @Test
    void averagePoolingLeavesSamePaddingOutOfTheMeanAsKerasDoes() {
        ExperimentConfig c = ConfigLoader.parse("""
                name: avg
                data: {dataset: mnist, validation_split: 0.2}
                model:
                  input_shape: [3, 3, 1]
                  layers:
                    - {type: average_pooling2d, pool_size: 2, padding: same}
                    - {type: flatten}
                    - {type: output, units: 2}
                optimizer: {name: sgd}
                training: {epochs: 1}
                """, List.of());
        MultiLayerNetwork net = KerasModelMapper.build(c);
        INDArray x = Nd4j.create(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, new long[] {1, 9});
        float[] out = net.feedForward(x, false).get(1).dup('c').data().asFloat();
        // Keras: ceil(3/2) = 2 outputs per side; the border windows average only the pixels inside the image.
        assertEquals(4, out.length);
        assertEquals((1 + 2 + 4 + 5) / 4f, out[0], 1e-6);
        assertEquals((3 + 6) / 2f, out[1], 1e-6, "right border: two pixels, not four");
        assertEquals((7 + 8) / 2f, out[2], 1e-6);
        assertEquals(9f, out[3], 1e-6);
    }
}
