package io.deepnets.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deepnets.bench.Benchmark;
import io.deepnets.config.ConfigLoader;
import io.deepnets.config.ExperimentConfig;
import io.deepnets.data.BatchAssembler;
import io.deepnets.data.EpochShuffler;
import io.deepnets.data.ImageSet;
import io.deepnets.model.KerasModelMapper;
import java.nio.file.Path;
import java.util.List;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** DL4J's backprop with the fused RMSprop update against DL4J's own {@code fit}, and which step a network gets. */
class Dl4jBackpropStepTest {

    /** A small CIFAR-10-like net: 'same' and 'valid' convolutions, pooling, dropout, dense, time-decayed RMSprop. */
    private static final String SMALL_CNN = """
            name: small-cnn
            data: {dataset: cifar10, validation_data: test}
            model:
              input_shape: [12, 12, 3]
              layers:
                - {type: conv2d, filters: 6, kernel_size: 3, padding: same, activation: relu}
                - {type: conv2d, filters: 4, kernel_size: 3, padding: valid, activation: relu}
                - {type: max_pool2d, pool_size: 2}
                - {type: dropout, rate: 0.25}
                - {type: flatten}
                - {type: dense, units: 16, activation: relu}
                - {type: dropout, rate: 0.5}
                - {type: output, units: 10, activation: softmax}
            optimizer: {name: rmsprop, learning_rate: 0.01, rho: 0.9, epsilon: 1.0e-7, decay: 0.05}
            training: {batch_size: 20, epochs: 1}
            """;

    /** The parameterless layers batch norm nets use around it: average pooling ('same'), an activation layer, global pooling. */
    private static final String POOLING_CNN = """
            name: pooling-cnn
            data: {dataset: cifar10, validation_data: test}
            model:
              input_shape: [12, 12, 3]
              layers:
                - {type: conv2d, filters: 6, kernel_size: 3, padding: same}
                - {type: activation, activation: relu}
                - {type: average_pooling2d, pool_size: 2, padding: same}
                - {type: conv2d, filters: 8, kernel_size: 3, activation: tanh}
                - {type: global_average_pooling2d}
                - {type: dense, units: 16, activation: relu}
                - {type: dropout, rate: 0.5}
                - {type: output, units: 10, activation: softmax}
            optimizer: {name: rmsprop, learning_rate: 0.01, rho: 0.9, epsilon: 1.0e-7, decay: 0.05}
            training: {batch_size: 20, epochs: 1}
            """;

    @Test
    void cnnWithDropoutStepsLikeDl4jFit() {
        stepsLikeFit(SMALL_CNN);
    }

    @Test
    void averageAndGlobalPoolingAndActivationLayersStepLikeDl4jFit() {
        stepsLikeFit(POOLING_CNN);
    }

    /** Keras's GlobalMaxPooling2D (DL4J's GlobalPoolingLayer MAX): the gradient goes to each channel's largest value. */
    @Test
    void globalMaxPoolingStepsLikeDl4jFit() {
        stepsLikeFit(POOLING_CNN.replace("global_average_pooling2d", "global_max_pooling2d"));
        ExperimentConfig config = ConfigLoader.parse(POOLING_CNN.replace("global_average_pooling2d", "global_max_pooling2d"), List.of());
        MultiLayerNetwork net = KerasModelMapper.build(config);
        assertEquals(config.model().totalParams(), net.numParams(), "no parameters of its own");
        org.nd4j.linalg.api.ndarray.INDArray x = org.nd4j.linalg.factory.Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 2, 3, 12, 12);
        java.util.List<org.nd4j.linalg.api.ndarray.INDArray> acts = net.feedForward(x, false);
        org.nd4j.linalg.api.ndarray.INDArray before = acts.get(4);      // the second convolution's output, [2, 8, 10, 10]
        org.nd4j.linalg.api.ndarray.INDArray pooled = acts.get(5);      // [2, 8]
        assertEquals(8, pooled.size(1));
        assertEquals(before.get(org.nd4j.linalg.indexing.NDArrayIndex.point(1), org.nd4j.linalg.indexing.NDArrayIndex.point(3)).maxNumber().doubleValue(),
                pooled.getDouble(1, 3), 1e-6, "each channel's maximum, as Keras");
    }

    /**
     * The graph era's layers in a stack: zero padding, a depthwise and a separable convolution, convolutions and a
     * dense layer without bias. The libnd4j-ops and small-conv steps decline them by class; DL4J's backprop with the
     * fused RMSprop computes them as DL4J's fit does.
     */
    @Test
    void depthwiseSeparablePaddingAndBiasFreeLayersStepLikeDl4jFit() {
        String yaml = POOLING_CNN.replace("""
                    - {type: conv2d, filters: 6, kernel_size: 3, padding: same}
                    - {type: activation, activation: relu}
                """, """
                    - {type: zero_padding2d, padding: [[1, 0], [0, 1]]}
                    - {type: conv2d, filters: 6, kernel_size: 3, padding: same, use_bias: false}
                    - {type: depthwise_conv2d, kernel_size: 3, depth_multiplier: 2, activation: relu}
                    - {type: separable_conv2d, filters: 5, kernel_size: 3, padding: same, use_bias: false}
                    - {type: activation, activation: relu}
                """).replace("{type: dense, units: 16, activation: relu}", "{type: dense, units: 16, activation: relu, use_bias: false}");
        ExperimentConfig config = ConfigLoader.parse(yaml, List.of());
        assertEquals(11, config.model().layers().size(), "the layers: " + config.model().layerNames());
        TrainingStep.Choice choice = TrainingStep.choose(KerasModelMapper.build(config), 20, 10);
        try (TrainingStep chosen = choice.step()) {
            assertEquals(Dl4jBackpropStep.KIND, chosen.kind(), choice.declined().toString());
        }
        // zero padding in front of a 'same' convolution (the oneDNN step folds it only into a 'valid' one)
        assertTrue(choice.declined().get(OneDnnTrainingStep.KIND).contains("zero padding read by something other than one 'valid' convolution"),
                choice.declined().toString());
        stepsLikeFit(yaml);
    }

    /**
     * Every optimizer through the flat update, against DL4J's updater inside {@code fit}: the same DL4J backprop, so the
     * gradients are the same and only the update differs. A batch-normalised net (the moving statistics' no-op
     * updater, gamma and beta trained), L2 and L1, a learning-rate schedule. The convolution has no bias, as before
     * batch normalisation it should: a bias there has a gradient of rounding noise (the normalisation removes any
     * constant), which RMSprop and Adam scale up to full steps, so a one-ulp difference in any parameter would show.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"{name: sgd, learning_rate: 0.05}", "{name: sgd, learning_rate: 0.05, momentum: 0.9}",
        "{name: sgd, learning_rate: 0.05, momentum: 0.9, nesterov: true}", "{name: rmsprop, learning_rate: 0.01}", "{name: adadelta, learning_rate: 1.0}",
        "{name: adam, learning_rate: 0.01}", "{name: adam, learning_rate: 0.01, schedule: {type: exponential, decay_rate: 0.5, decay_steps: 3}}"})
    void everyOptimizerStepsLikeDl4jFit(String optimizer) {
        String yaml = """
                name: bn-cnn
                data: {dataset: cifar10, validation_data: test}
                model:
                  input_shape: [12, 12, 3]
                  layers:
                    - {type: conv2d, filters: 6, kernel_size: 3, padding: same, use_bias: false, kernel_regularizer: {l2: 0.001}}
                    - {type: batch_normalization, momentum: 0.9}
                    - {type: activation, activation: relu}
                    - {type: max_pool2d, pool_size: 2}
                    - {type: flatten}
                    - {type: dense, units: 16, activation: relu, kernel_regularizer: {l1: 0.0005}}
                    - {type: output, units: 10, activation: softmax}
                optimizer: OPTIMIZER
                training: {batch_size: 20, epochs: 1}
                """.replace("OPTIMIZER", optimizer);
        stepsLikeFit(yaml);
    }

    /**
     * Graphs through DL4J's own backprop and the flat update against {@code ComputationGraph.fit}: a residual block
     * with batch norm and classical momentum (SGD), and inception modules (concatenate, one input feeding four
     * branches) with Adam and, the third, with L2 and a multistep schedule.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"digits-residual", "digits-inception", "digits-inception-l2"})
    void graphsStepLikeComputationGraphFit(String name) {
        List<String> sets = new java.util.ArrayList<>();
        String file = name;
        if (name.endsWith("-l2")) {
            file = name.substring(0, name.length() - 3);
            sets.add("model.blocks.inception.layers[2].kernel_regularizer={l2: 0.001}");
            sets.add("optimizer={name: sgd, learning_rate: 0.05, momentum: 0.9, schedule: {type: multistep, milestones: [0.5], drop: 0.1}}");
            sets.add("training.epochs=1");
        }
        ExperimentConfig config = ConfigLoader.load(Path.of("src/test/resources/graphs", file + ".yaml"), sets);
        io.deepnets.model.Network reference = KerasModelMapper.network(config);
        io.deepnets.model.Network fast = KerasModelMapper.network(config);
        ImageSet data = Benchmark.synthetic(config, 9);
        int[] order = EpochShuffler.order(data.count(), 4, 1, true);
        // DL4J's backprop itself, though the residual graph now gets the oneDNN step first (OneDnnTrainingStepTest).
        TrainingStep.Choice choice = TrainingStep.choose(fast, 20, 10, java.util.Set.of(OneDnnTrainingStep.KIND));
        try (ActivationSwap swap = ActivationSwap.install(fast); TrainingStep step = choice.step();
                TrainingStep stock = new Dl4jFitStep(reference, 10)) {
            assertEquals(Dl4jBackpropStep.KIND, step.kind(), choice.declined().toString());
            for (int s = 0; s < 12; s++) {
                if (s == 6) {
                    reference.setEpochCount(1);     // the multistep schedule's milestone
                    fast.setEpochCount(1);
                }
                int from = s * 20 % data.count();
                int to = s % 5 == 4 ? from + 7 : from + 20;
                TrainingStep.Outcome expected = stock.fit(data, order, from, to);
                TrainingStep.Outcome actual = step.fit(data, order, from, to);
                assertEquals(expected.loss(), actual.loss(), 1e-5 * Math.max(1, expected.loss()), name + ": loss at step " + s);
                assertEquals(expected.correct(), actual.correct(), name + ": training hits at step " + s);
                assertEquals(reference.iterationCount(), fast.iterationCount());
                double diff = reference.params().sub(fast.params()).amaxNumber().doubleValue();
                assertTrue(diff < 1e-5, name + " step " + s + ": parameters differ by " + diff);
            }
        }
        double stateDiff = reference.updaterState().sub(fast.updaterState()).amaxNumber().doubleValue();
        assertTrue(stateDiff < 1e-5, name + ": the updater state differs by " + stateDiff);
    }

    /**
     * Transfer learning's frozen layers (a stack's first three, a graph's stem and residual block up to its batch
     * norm, inference-mode batch norm included) through DL4J's backprop and the flat update against DL4J's fit.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(ints = {3, 5})
    void frozenLayersStepLikeDl4jFit(int frozenLayers) {
        frozenLayersStepLikeDl4jFit(frozenLayers, Dl4jBackpropStep.KIND);
    }

    /**
     * The frozen graph and stack of {@link #frozenLayersStepLikeDl4jFit(int)} trained by the step {@code kind} (the
     * faster steps left out), each step against DL4J's fit: losses, parameters to 1e-5, the frozen layers unchanged.
     */
    static void frozenLayersStepLikeDl4jFit(int frozenLayers, String kind) {
        for (ExperimentConfig config : frozenConfigs(frozenLayers)) {
            io.deepnets.model.Network reference = KerasModelMapper.network(config);
            io.deepnets.model.Network fast = KerasModelMapper.network(config);
            INDArray before = fast.params().dup();
            java.util.Map<org.deeplearning4j.nn.api.Layer, INDArray> frozenBefore = new java.util.HashMap<>();
            for (org.deeplearning4j.nn.api.Layer l : fast.layers()) {
                if (l instanceof org.deeplearning4j.nn.layers.FrozenLayer && l.numParams() > 0) {
                    frozenBefore.put(l, l.params().dup());
                }
            }
            ImageSet data = Benchmark.synthetic(config, 9);
            int[] order = EpochShuffler.order(data.count(), 4, 1, true);
            TrainingStep.Choice choice = TrainingStep.choose(fast, 20, 10, kind.equals(Dl4jBackpropStep.KIND) ? java.util.Set.of(OneDnnTrainingStep.KIND)
                    : java.util.Set.of());
            try (ActivationSwap swap = ActivationSwap.install(fast); TrainingStep step = choice.step();
                    TrainingStep stock = new Dl4jFitStep(reference, 10)) {
                assertEquals(kind, step.kind(), choice.declined().toString());
                for (int s = 0; s < 8; s++) {
                    int from = s * 20 % data.count();
                    Nd4j.getRandom().setSeed(100 + s);
                    TrainingStep.Outcome expected = stock.fit(data, order, from, from + 20);
                    Nd4j.getRandom().setSeed(100 + s);
                    TrainingStep.Outcome actual = step.fit(data, order, from, from + 20);
                    assertEquals(expected.loss(), actual.loss(), 1e-5 * Math.max(1, expected.loss()), config.name() + ": loss at step " + s);
                    double diff = reference.params().sub(fast.params()).amaxNumber().doubleValue();
                    // DL4J's backprop computes the frozen base as fit does (within 1.5e-8 here); the oneDNN step's
                    // convolutions sum in oneDNN's order, so a dense ReLU whose input lands within rounding of 0 can
                    // switch, and RMSprop scales the gradient entries it touches to full steps: on the AMD EPYC (Zen 4)
                    // one step of the batch-norm stack with five frozen layers ended 1.6e-5 apart (lr 0.01), every
                    // other step of both networks within 1.3e-7. So 1e-4 (1% of the rate) for that step, 1e-5 for this one.
                    double allowed = kind.equals(OneDnnTrainingStep.KIND) ? 1e-4 : 1e-5;
                    assertTrue(diff < allowed, config.name() + " step " + s + ": parameters differ by " + diff);
                    for (var e : frozenBefore.entrySet()) {
                        // batch norm's moving statistics included: a frozen layer runs in inference mode
                        assertEquals(e.getValue(), e.getKey().params(), config.name() + " step " + s + ": frozen "
                                + e.getKey().conf().getLayer().getLayerName() + " unchanged");
                    }
                    // Each step from the reference's state: carried on, float-rounding differences (oneDNN's kernels
                    // against DL4J's) grow through ReLU kinks from step to step (on the AMD EPYC the batch-norm stack
                    // with five frozen layers was 1.6e-5 apart by step 4).
                    fast.params().assign(reference.params());
                    if (reference.updaterState() != null) {
                        fast.updaterState().assign(reference.updaterState());
                    }
                }
            }
            assertTrue(!frozenBefore.isEmpty(), config.name() + ": frozen layers with parameters");
            assertTrue(reference.params().sub(before).amaxNumber().doubleValue() > 0, "the trainable layers moved");
        }
    }

    /** The digits residual graph (stem and residual block frozen up to a point) and a batch-norm stack with a frozen base. */
    private static List<ExperimentConfig> frozenConfigs(int frozenLayers) {
        ExperimentConfig plain = ConfigLoader.load(Path.of("src/test/resources/graphs/digits-residual.yaml"), List.of());
        io.deepnets.config.ModelConfig m = plain.model();
        ExperimentConfig graph = new ExperimentConfig(plain.name(), "", plain.seed(), plain.data(), new io.deepnets.config.ModelConfig(m.inputShape(),
                m.layers(), m.names(), m.inputs(), new io.deepnets.config.ModelConfig.Transfer("/base/model.zip", "0".repeat(64), m.layers().size() - 1,
                        frozenLayers)), plain.optimizer(), plain.training());
        ExperimentConfig bn = ConfigLoader.parse(SMALL_CNN.replace("{type: max_pool2d, pool_size: 2}", "{type: batch_normalization}"), List.of());
        ExperimentConfig stack = new ExperimentConfig(bn.name(), "", bn.seed(), bn.data(), new io.deepnets.config.ModelConfig(bn.model().inputShape(),
                bn.model().layers(), new io.deepnets.config.ModelConfig.Transfer("/base/model.zip", "0".repeat(64), 5, frozenLayers)), bn.optimizer(),
                bn.training());
        return List.of(graph, stack);
    }

    private static void stepsLikeFit(String yaml) {
        ExperimentConfig config = ConfigLoader.parse(yaml, List.of());
        MultiLayerNetwork reference = KerasModelMapper.build(config);
        MultiLayerNetwork fast = KerasModelMapper.build(config);
        ImageSet data = Benchmark.synthetic(config, 9);
        BatchAssembler batches = new BatchAssembler(data, 10);
        int[] order = EpochShuffler.order(data.count(), 4, 1, true);
        // Dl4jBackpropStep itself, though the image nets of plain layers now get the libnd4j-ops step first.
        try (ActivationSwap swap = ActivationSwap.install(fast); TrainingStep step = Dl4jBackpropStep.forNetwork(fast, 10).orElseThrow();
                TrainingStep stock = TrainingStep.dl4jFit(reference, 10)) {
            assertEquals(Dl4jBackpropStep.KIND, step.kind());
            for (int s = 0; s < 15; s++) {
                int from = s * 20 % data.count();
                int to = s % 5 == 4 ? from + 7 : from + 20;
                Nd4j.getRandom().setSeed(100 + s);       // the same dropout masks for both
                TrainingStep.Outcome expected = stock.fit(data, order, from, to);
                Nd4j.getRandom().setSeed(100 + s);
                TrainingStep.Outcome actual = step.fit(data, order, from, to);
                assertEquals(expected.loss(), actual.loss(), 1e-5 * Math.max(1, expected.loss()), "loss at step " + s);
                assertEquals(expected.correct(), actual.correct(), "training hits at step " + s);
                assertEquals(reference.getIterationCount(), fast.getIterationCount());
                double diff = reference.params().sub(fast.params()).amaxNumber().doubleValue();
                assertTrue(diff < 1e-4, "step " + s + ": parameters differ by " + diff);
                // Each step from the reference's state. Carried on, one-ulp differences of the update (Java's loop
                // against ND4J's native op) flip a ReLU or a max-pooling tie some steps later, and from there the two
                // trainings part: on the AMD EPYC (Zen 4) Adam's run stayed within 6e-8 for seven steps, then 26 of the
                // convolution's weights behind one such flip moved 1.1e-4 apart by step 8.
                fast.params().assign(reference.params());
                if (reference.getUpdater().getStateViewArray() != null) {
                    fast.getUpdater().getStateViewArray().assign(reference.getUpdater().getStateViewArray());
                }
            }
        }
        if (reference.getUpdater().getStateViewArray() != null) {     // plain SGD keeps none
            double stateDiff = reference.getUpdater().getStateViewArray().sub(fast.getUpdater().getStateViewArray()).amaxNumber().doubleValue();
            assertTrue(stateDiff < 1e-5, "the updater state differs by " + stateDiff);
        }
        assertTrue(reference.getListeners().isEmpty() && fast.getListeners().isEmpty(), "closing the steps detaches their listeners");
    }

    /** The conv nets of the assignment, Adadelta and RMSprop, train through the libnd4j ops; the others through the flat update. */
    @Test
    void eachNetworkGetsTheFastestExactStep() {
        String[][] expected = {
                {"mnist-linear", OneDnnTrainingStep.KIND}, {"mnist-relu", OneDnnTrainingStep.KIND},
                {"mnist-cnn", OneDnnTrainingStep.KIND}, {"mnist-cnn-dropout", OneDnnTrainingStep.KIND},
                {"cifar10-cnn", OneDnnTrainingStep.KIND}};
        for (String[] e : expected) {
            ExperimentConfig config = ConfigLoader.load(Path.of("configs", e[0] + ".yaml"), List.of());
            try (TrainingStep step = TrainingStep.forNetwork(KerasModelMapper.build(config), config.training().batchSize(), 10)) {
                assertEquals(e[1], step.kind(), e[0]);
            }
        }
        ExperimentConfig adam = ConfigLoader.load(Path.of("configs", "cifar10-cnn.yaml"), List.of("optimizer={name: adam}"));
        try (TrainingStep step = TrainingStep.forNetwork(KerasModelMapper.build(adam), 32, 10)) {
            assertEquals(OneDnnTrainingStep.KIND, step.kind(), "Adam too, through the flat update");
        }

    }
}
