package io.deepnets.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deepnets.bench.Benchmark;
import io.deepnets.config.ExperimentConfig;
import io.deepnets.data.EpochShuffler;
import io.deepnets.data.ImageSet;
import io.deepnets.model.KerasModelMapper;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

/** The profile times the real step: the network trains exactly as without it, and every layer is accounted for. */
class LayerProfilerTest {

    @Test
    void profilingTheOpsStepTrainsLikeTheStepAlone() {
        profilesWithoutChangingTraining(NewLayersStepChoiceTest.config("rmsprop", NewLayersStepChoiceTest.CONV,
                "{type: max_pool2d, pool_size: 2}", "{type: dropout, rate: 0.3}", "{type: flatten}", "{type: dense, units: 6, activation: relu}",
                NewLayersStepChoiceTest.OUT), OneDnnTrainingStep.KIND);
    }

    /** The small-conv step (plain Java kernels) times its own layers too; each layer's activation derivative counts in its backward. */
    @Test
    void profilingTheSmallConvStepTrainsLikeTheStepAlone() {
        profilesWithoutChangingTraining(NewLayersStepChoiceTest.config("sgd", NewLayersStepChoiceTest.CONV,
                "{type: max_pool2d, pool_size: 2}", "{type: flatten}", "{type: dense, units: 6, activation: relu}", NewLayersStepChoiceTest.OUT),
                SmallConvTrainingStep.KIND);
    }

    @Test
    void profilingDl4jLayersTrainsLikeTheStepAlone() {
        profilesWithoutChangingTraining(NewLayersStepChoiceTest.config("rmsprop", NewLayersStepChoiceTest.CONV,
                "{type: global_max_pooling2d}", "{type: dropout, rate: 0.3}", NewLayersStepChoiceTest.OUT),
                Dl4jBackpropStep.KIND);
    }

    @Test
    void profilingAGraphTrainsLikeTheStepAloneAndTimesEveryLayerVertex() throws Exception {
        ExperimentConfig config = io.deepnets.config.ConfigLoader.load(java.nio.file.Path.of("src/test/resources/graphs/digits-residual.yaml"),
                java.util.List.of());
        ImageSet data = Benchmark.synthetic(config, 3);
        int[] order = EpochShuffler.order(data.count(), 1, 1, true);
        int batch = config.training().batchSize();
        io.deepnets.model.Network profiled = KerasModelMapper.network(config);
        io.deepnets.model.Network plain = KerasModelMapper.network(config);
        LayerProfiler.Profile p;
        try (ActivationSwap swap = ActivationSwap.install(profiled)) {
            p = LayerProfiler.run(profiled, data, order, batch, 10, 2, 4, java.util.Set.of());
        }
        try (ActivationSwap swap = ActivationSwap.install(plain); TrainingStep step = TrainingStep.forNetwork(plain, batch, 10)) {
            for (int s = 0; s < 6; s++) {
                int from = s % (data.count() / batch) * batch;
                step.fit(data, order, from, from + batch);
            }
        }
        assertEquals(OneDnnTrainingStep.KIND, p.step());
        assertArrayEquals(plain.params().toFloatVector(), profiled.params().toFloatVector(), "the same parameters after the same steps");
        // Every vertex in the graph's order, the add too (the oneDNN step computes it as a stage of its own).
        assertEquals(java.util.List.of("stem", "stem_bn", "stem_relu", "conv_a", "conv_b", "sum", "relu", "pool", "predictions"),
                p.layers().stream().map(LayerProfiler.LayerTime::name).toList());
        assertEquals("Add", p.layers().get(5).type());
        assertTrue(p.layers().stream().allMatch(l -> l.forwardMs() > 0 && l.backwardMs() > 0), "every layer timed both ways: " + p.layers());
        assertEquals("[32, 8, 8, 8] nchw", p.layers().get(3).shape(), "the shape and layout (8 channels: less than a block)");
        // Through DL4J's backprop (the oneDNN step left out): each layer vertex wrapped, the merge in "other".
        io.deepnets.model.Network viaDl4j = KerasModelMapper.network(config);
        LayerProfiler.Profile q = LayerProfiler.run(viaDl4j, data, order, batch, 10, 2, 4, java.util.Set.of(OneDnnTrainingStep.KIND));
        assertEquals(Dl4jBackpropStep.KIND, q.step());
        assertEquals(java.util.List.of("stem", "stem_bn", "stem_relu", "conv_a", "conv_b", "relu", "pool", "predictions"),
                q.layers().stream().map(LayerProfiler.LayerTime::name).toList());
        assertTrue(q.layers().stream().allMatch(l -> l.forwardMs() > 0 && l.backwardMs() > 0), "every layer timed both ways: " + q.layers());
        double parts = p.layers().stream().mapToDouble(l -> l.forwardMs() + l.backwardMs()).sum() + p.updateMs();
        assertTrue(p.updateMs() > 0 && parts <= p.stepMs() * 1.01, "the parts fit in the step: " + parts + " of " + p.stepMs());
        assertTrue(profiled.graph().orElseThrow().getLayer("conv_a") instanceof org.deeplearning4j.nn.layers.convolution.ConvolutionLayer,
                "the real layers are back");
    }

    private static void profilesWithoutChangingTraining(ExperimentConfig config, String kind) {
        ImageSet data = Benchmark.synthetic(config, 3);
        int[] order = EpochShuffler.order(data.count(), 1, 1, true);
        int batch = config.training().batchSize();
        MultiLayerNetwork profiled = KerasModelMapper.build(config);
        MultiLayerNetwork plain = KerasModelMapper.build(config);
        Nd4j.getRandom().setSeed(7);
        LayerProfiler.Profile p;
        try (ActivationSwap swap = ActivationSwap.install(profiled)) {
            p = LayerProfiler.run(profiled, data, order, batch, 2, 2, 4);
        }
        Nd4j.getRandom().setSeed(7);
        try (ActivationSwap swap = ActivationSwap.install(plain); TrainingStep step = TrainingStep.forNetwork(plain, batch, 2)) {
            for (int s = 0; s < 6; s++) {
                int from = s % (data.count() / batch) * batch;
                step.fit(data, order, from, from + batch);
            }
        }
        assertEquals(kind, p.step());
        assertArrayEquals(plain.params().toFloatVector(), profiled.params().toFloatVector(), "the same parameters after the same steps");
        assertEquals(plain.getnLayers(), p.layers().size());
        assertTrue(p.layers().stream().allMatch(l -> l.forwardMs() > 0 && l.backwardMs() > 0), "every layer timed both ways: " + p.layers());
        assertTrue(p.updateMs() > 0 && p.stepMs() > 0);
        double parts = p.layers().stream().mapToDouble(l -> l.forwardMs() + l.backwardMs()).sum() + p.updateMs();
        assertTrue(parts <= p.stepMs() * 1.01, "the parts fit in the step: " + parts + " of " + p.stepMs());
        assertTrue(profiled.getLayer(0) instanceof org.deeplearning4j.nn.layers.convolution.ConvolutionLayer, "the real layers are back");
    }
}
