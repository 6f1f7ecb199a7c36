package io.deepnets.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deepnets.bench.Benchmark;
import io.deepnets.config.ConfigLoader;
import io.deepnets.config.ExperimentConfig;
import io.deepnets.data.BatchAssembler;
import io.deepnets.data.EpochShuffler;
import io.deepnets.data.ImageSet;
import io.deepnets.eval.Evaluator;
import io.deepnets.model.KerasModelMapper;
import java.nio.file.Path;
import java.util.List;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The small-conv SGD step against DL4J's own {@code fit} with the layer helpers off (DL4J's built-in convolution
 * and pooling): same scores (loss plus the L1/L2 terms), parameters, predictions and iteration count, step by step,
 * with short batches; and the networks it must decline.
 */
class SmallConvTrainingStepTest {
    private String helpersProperty;
    private boolean helpersAllowed;

    @BeforeEach
    void helpersOff() {
        // The native set-up first: it sets the helpers switch where unset. Recorded before it, the switch would be
        // cleared afterwards, and DL4J reads an unset switch as "disabled": every later test in the JVM would lose the
        // helpers (OneDnnTrainingStepTest's and BenchCommandTest's references need them).
        io.deepnets.model.NativeRuntime.configure();
        helpersProperty = System.getProperty("org.eclipse.deeplearning4j.helpers.disable");
        helpersAllowed = Nd4j.getEnvironment().helpersAllowed();
    }

    @AfterEach
    void restoreHelpers() {
        if (helpersProperty == null) {
            System.clearProperty("org.eclipse.deeplearning4j.helpers.disable");
        } else {
            System.setProperty("org.eclipse.deeplearning4j.helpers.disable", helpersProperty);
        }
        Nd4j.getEnvironment().allowHelpers(helpersAllowed);
    }

    static ExperimentConfig digits(String... overrides) {
        return ConfigLoader.load(Path.of("configs/digits-cnn.yaml"), List.of(overrides));
    }

    private static void assertSameAsDl4jFit(ExperimentConfig config, int steps) {
        System.setProperty("org.eclipse.deeplearning4j.helpers.disable", "true");
        Nd4j.getEnvironment().allowHelpers(false);
        MultiLayerNetwork reference = KerasModelMapper.build(config);
        MultiLayerNetwork fast = KerasModelMapper.build(config);
        assertEquals(reference.params(), fast.params(), "the mapper initialises from the seed");
        int batch = config.training().batchSize();
        TrainingStep step = TrainingStep.forNetwork(fast, batch, 10);
        assertEquals(SmallConvTrainingStep.KIND, step.kind());
        ImageSet data = Benchmark.synthetic(config, 5);
        BatchAssembler batches = new BatchAssembler(data, 10);
        int[] order = EpochShuffler.order(data.count(), 3, 1, true);
        for (int s = 0; s < steps; s++) {
            int from = (s * batch) % (data.count() - batch);
            int to = s % 4 == 3 ? from + batch / 3 : from + batch;
            reference.fit(new DataSet(batches.features(order, from, to), batches.labels(order, from, to)));
            TrainingStep.Outcome outcome = step.fit(data, order, from, to);
            assertEquals(reference.score(), outcome.loss(), 2e-5 * Math.max(1, reference.score()), "score at step " + s);
            assertEquals(reference.getIterationCount(), fast.getIterationCount(), "iteration count at step " + s);
            double diff = reference.params().sub(fast.params()).amaxNumber().doubleValue();
            assertTrue(diff < 2e-5, "step " + s + ": parameters differ by " + diff);
        }
        float[] a = Evaluator.dl4jOutput(reference, 10).probabilities(data, 0, 64);
        float[] b = step.predictor().probabilities(data, 0, 64);
        for (int i = 0; i < a.length; i++) {
            assertEquals(a[i], b[i], 1e-5, "inference probability " + i);
        }
        step.close();
    }

    @Test
    void theDigitsNetworkWithL2StepsLikeDl4jFit() {
        assertSameAsDl4jFit(digits(), 10);
    }

    @Test
    void l1StridesTwoConvsTanhAndAScheduleStepLikeDl4jFit() {
        assertSameAsDl4jFit(ConfigLoader.parse("""
                name: conv
                data: {dataset: mnist, validation_split: 0.2}
                model:
                  input_shape: [12, 10, 2]
                  layers:
                    - {type: conv2d, filters: 4, kernel_size: [3, 2], strides: [2, 1], activation: tanh, kernel_regularizer: {l1: 0.01, l2: 0.02}}
                    - {type: conv2d, filters: 3, kernel_size: 2, activation: relu}
                    - {type: max_pool2d, pool_size: [2, 3], strides: [1, 2]}
                    - {type: flatten}
                    - {type: dense, units: 7, activation: sigmoid, kernel_regularizer: {l1: 0.003}}
                    - {type: output, units: 10, kernel_regularizer: {l2: 0.01}}
                optimizer: {name: sgd, learning_rate: 0.2, schedule: {type: exponential, decay_rate: 0.5, decay_steps: 4}}
                training: {epochs: 1, batch_size: 24}
                """, List.of()), 9);
    }

    @Test
    void declinesWhatItDoesNotCompute() {
        for (String override : List.of("optimizer={name: rmsprop}", "model.layers[0].padding=same", "optimizer={name: sgd, momentum: 0.9, nesterov: true}",
                "model.layers[4].label_smoothing=0.1")) {
            MultiLayerNetwork net = KerasModelMapper.build(digits(override));
            try (TrainingStep step = TrainingStep.forNetwork(net, 100, 10)) {
                assertTrue(!step.kind().equals(SmallConvTrainingStep.KIND), override + " is declined: " + step.kind());
            }
        }
        MultiLayerNetwork dropout = KerasModelMapper.build(ConfigLoader.parse("""
                name: d
                data: {dataset: mnist, validation_split: 0.2}
                model:
                  input_shape: [8, 8, 1]
                  layers:
                    - {type: conv2d, filters: 4, kernel_size: 3}
                    - {type: dropout, rate: 0.5}
                    - {type: flatten}
                    - {type: output, units: 10}
                optimizer: {name: sgd}
                training: {epochs: 1}
                """, List.of()));
        try (TrainingStep step = TrainingStep.forNetwork(dropout, 32, 10)) {
            assertEquals(OneDnnTrainingStep.KIND, step.kind(), "dropout is declined here; the oneDNN step takes it, SGD through the flat update");
        }
        TrainingStep.Choice smoothed = TrainingStep.choose(io.deepnets.model.Network.of(KerasModelMapper.build(digits("model.layers[4].label_smoothing=0.1"))),
                100, 10, java.util.Set.of());
        try (TrainingStep step = smoothed.step()) {
            assertEquals(OneDnnTrainingStep.KIND, step.kind(), "label smoothing: the oneDNN step smooths the labels as the loss does");
            assertEquals("the output layer is not softmax with cross-entropy and bias", smoothed.declined().get(SmallConvTrainingStep.KIND));
        }
    }
}
