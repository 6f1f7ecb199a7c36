package io.deepnets.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deepnets.config.ConfigLoader;
import io.deepnets.config.ExperimentConfig;
import java.nio.file.Path;
import java.util.List;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.dropout.Dropout;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInitXavierUniform;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;
import org.nd4j.linalg.schedule.ISchedule;

class KerasModelMapperTest {

    static ExperimentConfig config(String name, String... overrides) {
        return ConfigLoader.load(Path.of("configs", name + ".yaml"), List.of(overrides));
    }

    static Layer layer(MultiLayerNetwork net, int i) {
        return net.getLayerWiseConfigurations().getConf(i).getLayer();
    }

    @Test
    void parameterCountsOfTheBuiltNetworksEqualKeras() {
        assertEquals(203_530, KerasModelMapper.build(config("mnist-linear")).numParams());
        assertEquals(203_530, KerasModelMapper.build(config("mnist-relu")).numParams());
        assertEquals(1_199_882, KerasModelMapper.build(config("mnist-cnn")).numParams());
        assertEquals(1_199_882, KerasModelMapper.build(config("mnist-cnn-dropout")).numParams());
        assertEquals(443_882, KerasModelMapper.build(config("cifar10-cnn")).numParams());
    }

    @Test
    void kerasDefaultsAreSetExplicitly() {
        MultiLayerNetwork net = KerasModelMapper.build(config("cifar10-cnn"));
        ConvolutionLayer first = (ConvolutionLayer) layer(net, 0);
        assertEquals(ConvolutionMode.Same, first.getConvolutionMode());
        assertEquals(3, first.getKernelSize()[0]);
        assertInstanceOf(WeightInitXavierUniform.class, first.getWeightInitFn());
        assertEquals(0.0, first.getBiasInit());
        ConvolutionLayer second = (ConvolutionLayer) layer(net, 1);
        assertEquals(ConvolutionMode.Truncate, second.getConvolutionMode());
        SubsamplingLayer pool = (SubsamplingLayer) layer(net, 2);
        assertEquals(2, pool.getKernelSize()[0]);
        assertEquals(2, pool.getStride()[0]);
        OutputLayer out = (OutputLayer) layer(net, net.getnLayers() - 1);
        assertInstanceOf(ActivationSoftmax.class, out.getActivationFn());
        assertInstanceOf(LossMCXENT.class, out.getLossFn());
        MultiLayerNetwork linear = KerasModelMapper.build(config("mnist-linear"));
        assertInstanceOf(ActivationIdentity.class, ((org.deeplearning4j.nn.conf.layers.DenseLayer) layer(linear, 0)).getActivationFn());
    }

    @Test
    void glorotUniformBoundsAndZeroBiases() {
        MultiLayerNetwork net = KerasModelMapper.build(config("mnist-linear"));
        INDArray w = net.getLayer(0).getParam("W");
        double limit = Math.sqrt(6.0 / (784 + 256));
        assertTrue(w.amaxNumber().doubleValue() <= limit);
        assertTrue(w.amaxNumber().doubleValue() > 0.9 * limit, "uniform, not Gaussian: values reach the bound");
        assertEquals(0.0, net.getLayer(0).getParam("b").amaxNumber().doubleValue());
    }

    @Test
    void dropoutRateIsTheDropProbability() {
        MultiLayerNetwork net = KerasModelMapper.build(config("mnist-cnn-dropout"));
        // conv, conv, pool, dropout(0.25), dense, dropout(0.5), output
        DropoutLayer first = (DropoutLayer) layer(net, 3);
        assertEquals(0.75, ((Dropout) first.getIDropout()).getP(), 1e-12, "DL4J takes the RETAIN probability");
        DropoutLayer second = (DropoutLayer) layer(net, 5);
        assertEquals(0.5, ((Dropout) second.getIDropout()).getP(), 1e-12);
        assertNull(layer(net, 4).getIDropout(), "dropout is its own layer, not folded into Dense");

        // Behaviour: in training, about 25% of units are zeroed and the rest scaled by 1/0.75 (inverted dropout).
        org.deeplearning4j.nn.api.Layer dropout = net.getLayer(3);
        Nd4j.getRandom().setSeed(1);
        INDArray x = Nd4j.ones(org.nd4j.linalg.api.buffer.DataType.FLOAT, 100, 1000);
        INDArray y = dropout.activate(x, true, LayerWorkspaceMgr.noWorkspaces());
        double zeros = y.eq(0).castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).meanNumber().doubleValue();
        assertEquals(0.25, zeros, 0.01);
        assertEquals(1 / 0.75, y.maxNumber().doubleValue(), 1e-5);
        assertEquals(x, dropout.activate(x, false, LayerWorkspaceMgr.noWorkspaces()), "no dropout at inference");
    }

    /** One step of the mapped updater on a tiny tensor, its state started as the mapper starts it (zero). */
    static float[] step(IUpdater updater, float[] grad, int iteration) {
        long n = updater.stateSize(grad.length);
        INDArray state = Nd4j.zeros(org.nd4j.linalg.api.buffer.DataType.FLOAT, 1, n);
        GradientUpdater<?> u = updater.instantiate(state, true);
        state.assign(0);
        INDArray g = Nd4j.createFromArray(grad).reshape(1, grad.length);
        u.applyUpdater(g, iteration, 0);
        return g.toFloatVector();
    }

    @Test
    void rmspropStepMatchesKeras() {
        double lr = 0.001;
        double rho = 0.9;
        double eps = 1e-7;
        float[] grad = {0.5f, -2.0f, 1e-3f, 3.0f};
        float[] update = step(KerasModelMapper.updater(config("mnist-linear").optimizer()), grad, 0);
        for (int i = 0; i < grad.length; i++) {
            double v = (1 - rho) * grad[i] * grad[i];                 // Keras: v = rho * v + (1 - rho) * g^2, v0 = 0
            double keras = lr * grad[i] / (Math.sqrt(v) + eps);       // w -= lr * g / (sqrt(v) + eps)
            assertEquals(keras, update[i], Math.abs(keras) * 1e-3, "element " + i);
        }
    }

    @Test
    void adadeltaStepMatchesKerasWithLearningRateOne() {
        double rho = 0.95;
        double eps = 1e-7;
        float[] grad = {0.5f, -2.0f, 1e-3f, 3.0f};
        float[] update = step(KerasModelMapper.updater(config("mnist-cnn").optimizer()), grad, 0);
        for (int i = 0; i < grad.length; i++) {
            double a = (1 - rho) * grad[i] * grad[i];                          // accumulator, from 0
            double keras = 1.0 * grad[i] * Math.sqrt(0 + eps) / Math.sqrt(a + eps); // delta accumulator starts at 0
            assertEquals(keras, update[i], Math.abs(keras) * 1e-3, "element " + i);
        }
    }

    @Test
    void timeDecayMatchesKerasFormula() {
        ISchedule schedule = KerasModelMapper.learningRateSchedule(1e-4, 1e-6);
        for (int it : new int[] {0, 1, 1562, 31_240, 1_000_000}) {
            assertEquals(1e-4 / (1 + 1e-6 * it), schedule.valueAt(it, 0), 1e-15, "iteration " + it);
        }
        IUpdater updater = KerasModelMapper.updater(config("cifar10-cnn").optimizer());
        float[] grad = {1.0f};
        float late = step(updater, grad, 500_000)[0];
        float early = step(updater, grad, 0)[0];
        assertEquals(1 / (1 + 1e-6 * 500_000), late / early, 1e-4, "the decayed rate is what the updater uses");
    }

    @Test
    void updaterStateStartsAtZeroLikeKeras() {
        MultiLayerNetwork net = KerasModelMapper.build(config("mnist-linear"));
        assertEquals(0.0, net.getUpdater().getStateViewArray().amaxNumber().doubleValue());
    }

    @Test
    void summaryTableHasKerasNamesAndTotal() {
        ExperimentConfig c = config("mnist-cnn");
        String table = ModelSummary.of(c, KerasModelMapper.build(c).numParams()).render();
        assertTrue(table.contains("conv2d_1 (Conv2D)"), table);
        assertTrue(table.contains("(None, 26, 26, 32)"), table);
        assertTrue(table.contains("max_pooling2d_1 (MaxPooling2D)"), table);
        assertTrue(table.contains("(None, 9216)"), table);
        assertTrue(table.contains("Total params: 1,199,882"), table);
    }

    @Test
    void oneDnnHelpersEngageOnConvolution() {
        MultiLayerNetwork net = KerasModelMapper.build(config("mnist-cnn"));
        net.output(Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 2, 784));
        if (NativeRuntime.oneDnnEnabled()) {
            var helper = ((org.deeplearning4j.nn.layers.convolution.ConvolutionLayer) net.getLayer(0)).getHelper();
            assertTrue(helper != null && helper.getClass().getSimpleName().contains("MKLDNN"), "helper: " + helper);
        }
    }

    /**
     * Stochastic weight averaging's rate: the schedule's (or the constant rate) until 0-based epoch round(start * epochs),
     * the averaging rate from there on, for weights and biases, and the same after model.zip is written and read back.
     */
    @Test
    void theAveragingRateTakesOverFromTheScheduleAndSurvivesModelZip(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        for (String schedule : List.of("{type: cosine}", "null")) {
            ExperimentConfig c = config("digits-cnn", "optimizer={name: sgd, learning_rate: 0.1, momentum: 0.9"
                    + (schedule.equals("null") ? "" : ", schedule: " + schedule) + "}", "training.epochs=10",
                    "training.swa={start: 0.6, learning_rate: 0.02}");
            Network net = KerasModelMapper.network(c);
            java.io.File zip = dir.resolve("swa-" + schedule.length() + ".zip").toFile();
            net.save(zip, true);
            Network back = Network.read(zip, KerasModelMapper.imageShape(c.model()), true);
            for (Network n : List.of(net, back)) {
                int checked = 0;
                for (org.deeplearning4j.nn.api.Layer l : n.layers()) {
                    if (!(l.conf().getLayer() instanceof org.deeplearning4j.nn.conf.layers.BaseLayer base)) {
                        continue;       // pooling: no parameters, no updater
                    }
                    checked++;
                    for (IUpdater u : List.of(base.getIUpdater(), base.getBiasUpdater())) {
                        double before = schedule.equals("null") ? 0.1 : 0.1 * 0.5 * (1 + Math.cos(Math.PI * 5 / 10));
                        assertEquals(before, u.getLearningRate(500, 5), 1e-12, schedule + ": epoch 5 (0-based) still the schedule's");
                        assertEquals(0.02, u.getLearningRate(600, 6), 0, schedule + ": epoch 6 = round(0.6 * 10) on, the averaging rate");
                        assertEquals(0.02, u.getLearningRate(900, 9), 0, schedule);
                    }
                }
                assertEquals(3, checked, "the convolution, the dense layer and the output");
            }
        }
    }
}
