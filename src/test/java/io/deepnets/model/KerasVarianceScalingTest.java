package io.deepnets.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deepnets.config.ConfigException;
import io.deepnets.config.ConfigLoader;
import io.deepnets.config.ExperimentConfig;
import io.deepnets.config.KernelInitializer;
import java.nio.file.Path;
import java.util.List;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInitXavierUniform;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Keras's kernel initializers: the drawn weights against Keras's VarianceScaling formula, counted Keras's way. */
class KerasVarianceScalingTest {
    @TempDir
    Path dir;

    /** A conv 3x3 of 16 maps on 8x8x16 (stride 2), a dense 256 -> 64, the output 64 -> 10, all with {@code init}. */
    private static ExperimentConfig config(String init) {
        String with = init == null ? "" : ", kernel_initializer: " + init;
        return ConfigLoader.parse("""
                name: t
                data: {dataset: mnist, validation_split: 0.2}
                model:
                  input_shape: [8, 8, 16]
                  layers:
                    - {type: conv2d, filters: 16, kernel_size: 3, strides: 2, padding: same%1$s}
                    - {type: flatten}
                    - {type: dense, units: 64, activation: relu%1$s}
                    - {type: output, units: 10%1$s}
                optimizer: {name: sgd}
                training: {epochs: 1}
                """.formatted(with), List.of());
    }

    private static double[] values(MultiLayerNetwork net, int layer) {
        return net.getLayer(layer).getParam("W").dup().data().asDouble();
    }

    private static double std(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x * x;
        }
        return Math.sqrt(s / v.length);
    }

    private static double maxAbs(double[] v) {
        double m = 0;
        for (double x : v) {
            m = Math.max(m, Math.abs(x));
        }
        return m;
    }

    @Test
    void heNormalIsANormalCutAtTwoDeviationsWithKerasVariance() {
        MultiLayerNetwork net = KerasModelMapper.build(config("he_normal"));
        // Keras: fan_in = 3 * 3 * 16 (the stride does not count), std = sqrt(2 / fan_in) after the cut.
        double[] conv = values(net, 0);
        double want = Math.sqrt(2.0 / 144);
        assertEquals(want, std(conv), 0.05 * want, "the cut normal's deviation is Keras's sqrt(2 / fan_in)");
        double cut = 2 * want / KerasVarianceScaling.TRUNCATED_STD;
        assertTrue(maxAbs(conv) <= cut * (1 + 1e-6), "no weight beyond two deviations of the uncut normal: " + maxAbs(conv) + " > " + cut);
        assertTrue(maxAbs(conv) > 0.95 * cut, "the tails reach the cut: " + maxAbs(conv));
        double[] dense = values(net, 1);
        assertEquals(Math.sqrt(2.0 / 256), std(dense), 0.05 * Math.sqrt(2.0 / 256), "dense: fan_in = 256 inputs");
    }

    @Test
    void uniformInitializersStayInsideKerasBound() {
        for (String name : List.of("he_uniform", "lecun_uniform")) {
            double scale = name.startsWith("he") ? 2 : 1;
            MultiLayerNetwork net = KerasModelMapper.build(config(name));
            double[] dense = values(net, 1);
            double limit = Math.sqrt(3 * scale / 256);
            assertTrue(maxAbs(dense) <= limit, name + ": inside sqrt(3 * scale / fan_in)");
            assertTrue(maxAbs(dense) > 0.99 * limit, name + ": the bound is reached");
            assertEquals(limit / Math.sqrt(3), std(dense), 0.03 * limit, name + ": uniform's deviation");
        }
    }

    @Test
    void glorotNormalAveragesKerasFansNotDl4jStridedOnes() {
        MultiLayerNetwork net = KerasModelMapper.build(config("glorot_normal"));
        // Keras: (fan_in + fan_out) / 2 = (144 + 144) / 2; DL4J's count would divide the fan-out by the stride's area 4.
        double want = Math.sqrt(1.0 / 144);
        assertEquals(want, std(values(net, 0)), 0.05 * want);
        double dl4jCount = Math.sqrt(1.0 / ((144 + 144 / 4.0) / 2));
        assertTrue(Math.abs(std(values(net, 0)) - dl4jCount) > 0.1 * want, "not DL4J's strided fan-out");
        double output = Math.sqrt(2.0 / (64 + 10));
        assertEquals(output, std(values(net, 2)), 0.07 * output, "output 64 -> 10");
    }

    @Test
    void theDefaultStaysDl4jXavierUniformAndNothingElseChanges() {
        MultiLayerNetwork plain = KerasModelMapper.build(config(null));
        MultiLayerNetwork named = KerasModelMapper.build(config("glorot_uniform"));
        for (int i = 0; i < 3; i++) {
            assertInstanceOf(WeightInitXavierUniform.class, ((BaseLayer) plain.getLayer(i).conf().getLayer()).getWeightInitFn());
        }
        assertEquals(plain.params(), named.params(), "naming Keras's default changes nothing");
        assertEquals(ConfigLoader.toYaml(config(null)), ConfigLoader.toYaml(config("glorot_uniform")), "the default is not written out");
    }

    @Test
    void seededAndSavedWithTheModel() throws Exception {
        MultiLayerNetwork a = KerasModelMapper.build(config("he_normal"));
        MultiLayerNetwork b = KerasModelMapper.build(config("he_normal"));
        assertEquals(a.params(), b.params(), "the same seed draws the same weights");
        Path file = dir.resolve("model.zip");
        ModelSerializer.writeModel(a, file.toFile(), true);
        MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(file.toFile(), true);
        assertEquals(new KerasVarianceScaling(KernelInitializer.HE_NORMAL), ((BaseLayer) restored.getLayer(0).conf().getLayer()).getWeightInitFn());
        INDArray p = restored.params();
        assertEquals(a.params(), p);
        String yaml = ConfigLoader.toYaml(config("he_normal"));
        assertTrue(yaml.contains("kernel_initializer: he_normal"), yaml);
        assertEquals(yaml, ConfigLoader.toYaml(ConfigLoader.parse(yaml, List.of())), "the resolved file reads back the same");
    }

    @Test
    void anUnknownNameIsOneClearLine() {
        ConfigException e = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class, () -> config("kaiming"));
        assertEquals("model.layers[0].kernel_initializer", e.keyPath());
        assertTrue(e.getMessage().contains("expected one of glorot_uniform, glorot_normal, he_normal, he_uniform, lecun_normal, lecun_uniform, got 'kaiming'"),
                e.getMessage());
    }
}
