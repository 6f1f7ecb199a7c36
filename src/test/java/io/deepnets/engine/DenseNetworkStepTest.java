package io.deepnets.engine;

import io.deepnets.train.Trainer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deepnets.bench.Benchmark;
import io.deepnets.config.ConfigLoader;
import io.deepnets.config.ExperimentConfig;
import io.deepnets.data.BatchAssembler;
import io.deepnets.data.EpochShuffler;
import io.deepnets.data.ImageSet;
import io.deepnets.eval.EvalResult;
import io.deepnets.eval.Evaluator;
import io.deepnets.model.KerasModelMapper;
import java.nio.file.Path;
import java.util.List;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.DataSet;

/**
 * The engine ({@link OneDnnTrainingStep}) on dense networks, the assignment's MLPs among them, against DL4J's own
 * {@code fit}: same scores, parameters, updater state and iteration count. These networks had a step of their own
 * (OpenBLAS sgemm) until the engine computed them faster; its tests are these.
 */
class DenseNetworkStepTest {

    private static ExperimentConfig config(String name, String... overrides) {
        return ConfigLoader.load(Path.of("configs", name + ".yaml"), List.of(overrides));
    }

    /** Trains two identically initialised networks side by side and compares them after every step. */
    private static void assertSameAsDl4jFit(ExperimentConfig config, int steps, double paramTolerance) {
        MultiLayerNetwork reference = KerasModelMapper.build(config);
        MultiLayerNetwork fast = KerasModelMapper.build(config);
        assertEquals(reference.params(), fast.params(), "the mapper initialises from the seed");
        int batch = config.training().batchSize();
        TrainingStep step = TrainingStep.forNetwork(fast, batch, config.model().classes());
        assertEquals(OneDnnTrainingStep.KIND, step.kind());
        ImageSet data = Benchmark.synthetic(config, 5);
        int classes = config.model().classes();
        BatchAssembler batches = new BatchAssembler(data, classes);
        int[] order = EpochShuffler.order(data.count(), 3, 1, true);
        for (int s = 0; s < steps; s++) {
            int from = (s * batch) % data.count();
            // Every fourth step a short batch, as an epoch's last one.
            int to = s % 4 == 3 ? from + batch / 3 : from + batch;
            org.nd4j.linalg.factory.Nd4j.getRandom().setSeed(100 + s);      // the same dropout masks for both
            reference.fit(new DataSet(batches.features(order, from, to), batches.labels(order, from, to)));
            org.nd4j.linalg.factory.Nd4j.getRandom().setSeed(100 + s);
            TrainingStep.Outcome outcome = step.fit(data, order, from, to);

            assertEquals(reference.score(), outcome.loss(), 1e-5 * Math.max(1, reference.score()), "loss at step " + s);
            assertEquals(reference.getIterationCount(), fast.getIterationCount(), "iteration count at step " + s);
            double diff = reference.params().sub(fast.params()).amaxNumber().doubleValue();
            assertTrue(diff < paramTolerance, "step " + s + ": parameters differ by " + diff);
            assertEquals(reference.output(batches.features(order, from, to), false).argMax(1), fast.output(batches.features(order, from, to),
                    false).argMax(1), "predictions after step " + s);
        }
        if (reference.getUpdater().getStateViewArray() != null) {
            double stateDiff = reference.getUpdater().getStateViewArray().sub(fast.getUpdater().getStateViewArray()).amaxNumber().doubleValue();
            assertTrue(stateDiff < 1e-4, "the updater state differs by " + stateDiff);
        }
    }

    /** The other optimizers through the flat update: Adam, classical momentum, Nesterov's, AdaDelta. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"{name: adam, learning_rate: 0.001}", "{name: sgd, learning_rate: 0.01, momentum: 0.9}",
        "{name: sgd, learning_rate: 0.01, momentum: 0.9, nesterov: true}", "{name: adadelta, learning_rate: 1.0}"})
    void otherOptimizersStepLikeDl4jFit(String optimizer) {
        assertSameAsDl4jFit(config("mnist-relu", "optimizer=" + optimizer), 8, 1e-5);
    }

    @Test
    void linearMlpStepsLikeDl4jFit() {
        assertSameAsDl4jFit(config("mnist-linear"), 12, 1e-4);
    }

    @Test
    void reluMlpStepsLikeDl4jFit() {
        assertSameAsDl4jFit(config("mnist-relu"), 12, 1e-4);
    }

    @Test
    void deeperTanhSigmoidNetworkWithDecayStepsLikeDl4jFit() {
        ExperimentConfig config = ConfigLoader.parse("""
                name: small
                data: {dataset: mnist, validation_split: 0.2}
                model:
                  input_shape: [784]
                  layers:
                    - {type: dense, units: 40, activation: tanh}
                    - {type: dense, units: 24, activation: sigmoid}
                    - {type: dense, units: 16, activation: relu}
                    - {type: output, units: 10, activation: softmax}
                optimizer: {name: rmsprop, learning_rate: 0.01, rho: 0.8, epsilon: 1.0e-6, decay: 0.05}
                training: {batch_size: 30, epochs: 1}
                """, List.of());
        assertSameAsDl4jFit(config, 16, 1e-4);
    }

    @Test
    void inferenceEqualsDl4jOutput() {
        ExperimentConfig config = config("mnist-relu");
        MultiLayerNetwork net = KerasModelMapper.build(config);
        TrainingStep step = TrainingStep.forNetwork(net, 128, 10);
        assertEquals(OneDnnTrainingStep.KIND, step.kind());
        ImageSet data = Benchmark.synthetic(config, 2);
        int[] order = BatchAssembler.identity(data.count());
        for (int s = 0; s < 5; s++) {
            step.fit(data, order, s * 128, s * 128 + 128);
        }
        int from = 37;
        int to = 37 + 300;      // more rows than one batch of the step, and a partial last one
        float[] fast = step.predictor().probabilities(data, from, to);
        float[] expected = Evaluator.dl4jOutput(net, 10).probabilities(data, from, to);
        assertEquals(expected.length, fast.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], fast[i], 1e-5, "probability " + i);
        }
        EvalResult a = Evaluator.evaluate(step.predictor(), data, 10);
        EvalResult b = Evaluator.evaluate(net, data, 10);
        assertEquals(b.accuracy(), a.accuracy());
        assertEquals(b.loss(), a.loss(), 1e-5);
    }

    /** What the old sgemm step declined, the engine computes: a kernel regulariser; dropout (DL4J's masks) with L1. */
    @Test
    void regularisedMlpStepsLikeDl4jFit() {
        assertSameAsDl4jFit(config("mnist-relu", "model.layers[0].kernel_regularizer={l2: 0.001}"), 8, 1e-4);
    }

    @Test
    void labelSmoothedMlpStepsLikeDl4jFit() {
        assertSameAsDl4jFit(config("mnist-relu", "model.layers[1].label_smoothing=0.1"), 8, 1e-4);
    }

    @Test
    void dropoutMlpStepsLikeDl4jFit() {
        assertSameAsDl4jFit(ConfigLoader.parse("""
                name: dropout
                seed: 7
                data: {dataset: mnist, validation_split: 0.2}
                model:
                  input_shape: [784]
                  layers:
                    - {type: dense, units: 32, activation: relu, kernel_regularizer: {l1: 0.0001}}
                    - {type: dropout, rate: 0.5}
                    - {type: output, units: 10, activation: softmax}
                optimizer: {name: rmsprop}
                training: {batch_size: 32, epochs: 1}
                """, List.of()), 8, 1e-4);
    }

    @Test
    void anActivationItDoesNotComputeIsDeclinedWithItsReason() {
        StringBuilder why = new StringBuilder();
        MultiLayerNetwork net = KerasModelMapper.build(config("mnist-relu", "model.layers[0].activation=elu"));
        assertTrue(OneDnnTrainingStep.forNetwork(net, 10, why::append).isEmpty());
        assertEquals("layer 0: a dense layer other than biased, with ReLU, tanh, sigmoid or none", why.toString());
    }

    /**
     * A Keras schedule (read by DL4J's updater and by the fused update from the same object) and a plateau cut
     * (DL4J rebuilds its updater on a new rate: the trainer makes the step again), step by step against DL4J's fit.
     */
    @Test
    void scheduleAndPlateauCutStepLikeDl4jFit() {
        ExperimentConfig scheduled = config("mnist-linear", "optimizer.schedule={type: exponential, decay_rate: 0.5, decay_steps: 3}");
        assertSameAsDl4jFit(scheduled, 8, 1e-4);
        ExperimentConfig plain = config("mnist-linear");
        MultiLayerNetwork reference = KerasModelMapper.build(plain);
        MultiLayerNetwork fast = KerasModelMapper.build(plain);
        int batch = plain.training().batchSize();
        ImageSet data = Benchmark.synthetic(plain, 5);
        BatchAssembler batches = new BatchAssembler(data, 10);
        int[] order = EpochShuffler.order(data.count(), 3, 1, true);
        TrainingStep step = TrainingStep.forNetwork(fast, batch, 10);
        assertEquals(OneDnnTrainingStep.KIND, step.kind());
        for (int s = 0; s < 8; s++) {
            if (s == 4) {
                Trainer.setLearningRate(reference, 0.0001);
                step.close();
                Trainer.setLearningRate(fast, 0.0001);
                step = TrainingStep.forNetwork(fast, batch, 10);
                assertEquals(OneDnnTrainingStep.KIND, step.kind(), "the fast step serves the network at its new rate");
            }
            int from = s * batch % data.count();
            reference.fit(new DataSet(batches.features(order, from, from + batch), batches.labels(order, from, from + batch)));
            TrainingStep.Outcome outcome = step.fit(data, order, from, from + batch);
            assertEquals(reference.score(), outcome.loss(), 1e-5, "loss at step " + s);
            double diff = reference.params().sub(fast.params()).amaxNumber().doubleValue();
            assertTrue(diff < 1e-4, "step " + s + ": parameters differ by " + diff);
        }
        double stateDiff = reference.getUpdater().getStateViewArray().sub(fast.getUpdater().getStateViewArray()).amaxNumber().doubleValue();
        assertTrue(stateDiff < 1e-4, "RMSprop state differs by " + stateDiff);
        assertEquals(0.0001, Trainer.learningRate(fast, fast.getIterationCount()), 1e-12);
        for (var layer : fast.getLayers()) {
            var base = (org.deeplearning4j.nn.conf.layers.BaseLayer) layer.conf().getLayer();
            assertEquals(0.0001, base.getBiasUpdater().getLearningRate(0, 0), 1e-12, "biases at the new rate too, as in Keras");
        }
        step.close();
    }
}
