package io.deepnets.engine;

import io.deepnets.data.ImageSet;
import io.deepnets.eval.BatchPredictor;
import io.deepnets.model.Network;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * One gradient step per batch of training rows. The implementations compute the same arithmetic as DL4J's
 * {@code MultiLayerNetwork.fit(DataSet)} with less of DL4J's machinery around it; {@link #forNetwork} picks the
 * fastest that applies to a network.
 */
public interface TrainingStep extends AutoCloseable {

    /** Loss (batch mean, DL4J's score) and correct predictions of a step's training forward pass. */
    record Outcome(double loss, int correct) {
    }

    /** Trains on rows {@code order[from..to)} of {@code set}: forward pass, loss, backward pass, update. */
    Outcome fit(ImageSet set, int[] order, int from, int to);

    /** A batch normalisation layer's batch mean and (uncorrected) variance, by channel, in one training-mode forward pass. */
    record BatchStatistics(org.deeplearning4j.nn.api.Layer layer, float[] mean, float[] variance) {
    }

    /**
     * The batch statistics of every unfrozen batch normalisation layer in a training-mode forward pass over rows
     * {@code order[from..to)} of {@code set}, with no gradient taken and no weight changed (stochastic weight averaging's
     * recount); empty where the step has no forward pass of its own to run alone (DL4J's then serves).
     */
    default java.util.Optional<java.util.List<BatchStatistics>> batchNormStatistics(ImageSet set, int[] order, int from, int to) {
        return java.util.Optional.empty();
    }

    /** The kinds of the custom steps, fastest first: what {@code bench --without} accepts. */
    java.util.List<String> KINDS = java.util.List.of(SmallConvTrainingStep.KIND, OneDnnTrainingStep.KIND, Dl4jBackpropStep.KIND);

    /** A short name for reports: {@code deepnets-small-conv-sgd}, {@code deepnets-onednn}, {@code dl4j-backprop+flat-update} or {@code dl4j-fit}. */
    String kind();

    /** Class probabilities by the network as it stands, the way validation and the benchmark's inference run it. */
    BatchPredictor predictor();

    /** Detaches whatever the step attached to the network. */
    @Override
    void close();

    /**
     * {@link SmallConvTrainingStep} for small SGD conv nets (with L1/L2); {@link OneDnnTrainingStep} for networks of
     * convolution, batch normalisation, ReLU, max and global average pooling, dropout and dense layers, dense-only
     * networks included; else DL4J's forward and backward pass with the
     * {@link io.deepnets.engine.update.FlatUpdate} (any other stack without frozen layers); else DL4J's own {@code fit}.
     * Every optimizer the configs offer has a flat update.
     */
    static TrainingStep forNetwork(MultiLayerNetwork net, int maxBatch, int classes) {
        return choose(net, maxBatch, classes).step();
    }

    /** As {@link #forNetwork(MultiLayerNetwork, int, int)} for a stack or a graph. */
    static TrainingStep forNetwork(Network net, int maxBatch, int classes) {
        return choose(net, maxBatch, classes, java.util.Set.of()).step();
    }

    /** The step chosen for a network, and why each faster one declined it (by {@link #kind()}, in the order tried). */
    record Choice(TrainingStep step, java.util.Map<String, String> declined) {
        public Choice {
            declined = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(declined));
        }
    }

    /** As {@link #forNetwork}, with the reasons the faster steps gave for declining. */
    static Choice choose(MultiLayerNetwork net, int maxBatch, int classes) {
        return choose(net, maxBatch, classes, java.util.Set.of());
    }

    /**
     * As {@link #choose(MultiLayerNetwork, int, int)} without the steps named in {@code without} (by {@link #kind()}),
     * for side-by-side measurements ({@code bench --without}).
     */
    static Choice choose(MultiLayerNetwork net, int maxBatch, int classes, java.util.Set<String> without) {
        return choose(Network.of(net), maxBatch, classes, without);
    }

    /**
     * As {@link #choose(MultiLayerNetwork, int, int, java.util.Set)} for a stack or a graph: the custom steps compute
     * layer stacks only, so a graph trains through DL4J's {@code ComputationGraph.fit}, with that reason.
     */
    static Choice choose(Network network, int maxBatch, int classes, java.util.Set<String> without) {
        java.util.Map<String, String> declined = new java.util.LinkedHashMap<>();
        if (network.isGraph()) {
            declined.put(SmallConvTrainingStep.KIND, "a graph network (branches, add or concatenate): this step computes layer stacks only");
            String backend = org.nd4j.linalg.factory.Nd4j.getBackend().getClass().getSimpleName();
            if (!"CpuBackend".equals(backend)) {
                declined.put(OneDnnTrainingStep.KIND, "backend " + backend + ": host-memory steps run on the CPU backend only");
                declined.put(Dl4jBackpropStep.KIND, "backend " + backend + ": host-memory steps run on the CPU backend only");
                return new Choice(new Dl4jFitStep(network, classes), declined);
            }
            java.util.Optional<TrainingStep> step = java.util.Optional.empty();
            if (without.contains(OneDnnTrainingStep.KIND)) {
                declined.put(OneDnnTrainingStep.KIND, "left out (--without)");
            } else {
                step = OneDnnTrainingStep.forGraph(network.graph().orElseThrow(), network.imageShape(), classes,
                        r -> declined.put(OneDnnTrainingStep.KIND, r));
            }
            if (step.isEmpty() && without.contains(Dl4jBackpropStep.KIND)) {
                declined.put(Dl4jBackpropStep.KIND, "left out (--without)");
            } else if (step.isEmpty()) {
                step = Dl4jBackpropStep.forNetwork(network, classes, r -> declined.put(Dl4jBackpropStep.KIND, r));
            }
            return new Choice(step.isPresent() ? step.get() : new Dl4jFitStep(network, classes), declined);
        }
        MultiLayerNetwork net = network.stack().orElseThrow();
        String backend = org.nd4j.linalg.factory.Nd4j.getBackend().getClass().getSimpleName();
        if (!"CpuBackend".equals(backend)) {
            // Every custom step reads and writes the parameter buffers in host memory (Java arrays, OpenBLAS).
            for (String kind : java.util.List.of(SmallConvTrainingStep.KIND, OneDnnTrainingStep.KIND, Dl4jBackpropStep.KIND)) {
                declined.put(kind, "backend " + backend + ": host-memory steps run on the CPU backend only");
            }
            return new Choice(dl4jFit(net, classes), declined);
        }
        for (String kind : without) {
            declined.put(kind, "left out (--without)");
        }
        java.util.Optional<? extends TrainingStep> step = java.util.Optional.empty();
        if (!without.contains(SmallConvTrainingStep.KIND)) {
            step = SmallConvTrainingStep.forNetwork(net, maxBatch, r -> declined.put(SmallConvTrainingStep.KIND, r));
        }
        if (step.isEmpty() && !without.contains(OneDnnTrainingStep.KIND)) {
            step = OneDnnTrainingStep.forNetwork(net, classes, r -> declined.put(OneDnnTrainingStep.KIND, r));
        }
        if (step.isEmpty() && !without.contains(Dl4jBackpropStep.KIND)) {
            step = Dl4jBackpropStep.forNetwork(net, classes, r -> declined.put(Dl4jBackpropStep.KIND, r));
        }
        return new Choice(step.isPresent() ? step.get() : dl4jFit(net, classes), declined);
    }

    /** Tells {@code why} the reason a step declines a network, and declines it. */
    static <T> java.util.Optional<T> declined(java.util.function.Consumer<String> why, String reason) {
        why.accept(reason);
        return java.util.Optional.empty();
    }

    /**
     * Whether any layer is frozen (transfer learning). DL4J's frozen wrapper hands out the inner layer's
     * configuration, so a step that only reads configurations would not see it; the custom steps decline such networks.
     */
    static boolean hasFrozenLayer(org.deeplearning4j.nn.graph.ComputationGraph graph) {
        return java.util.Arrays.stream(graph.getLayers()).anyMatch(l -> l instanceof org.deeplearning4j.nn.layers.FrozenLayer
                || l instanceof org.deeplearning4j.nn.layers.FrozenLayerWithBackprop);
    }

    /** As {@link #hasFrozenLayer(org.deeplearning4j.nn.graph.ComputationGraph)} for a stack. */
    static boolean hasFrozenLayer(MultiLayerNetwork net) {
        for (int i = 0; i < net.getnLayers(); i++) {
            if (net.getLayer(i) instanceof org.deeplearning4j.nn.layers.FrozenLayer
                    || net.getLayerWiseConfigurations().getConf(i).getLayer() instanceof org.deeplearning4j.nn.conf.layers.misc.FrozenLayer) {
                return true;
            }
        }
        return false;
    }

    /**
     * Class probabilities for {@code net} by the fastest exact forward pass: {@link OneDnnTrainingStep}'s for the conv
     * nets it computes (on the CPU backend), else DL4J's {@code output()}. For test evaluation after training, as
     * validation runs during it.
     */
    static BatchPredictor inference(Network net, int classes) {
        if (net.stack().isPresent()) {
            return inference(net.stack().get(), classes);
        }
        if ("CpuBackend".equals(org.nd4j.linalg.factory.Nd4j.getBackend().getClass().getSimpleName())) {
            java.util.Optional<BatchPredictor> ops = OneDnnTrainingStep.inferenceFor(net.graph().orElseThrow(), net.imageShape(), classes);
            if (ops.isPresent()) {
                return ops.get();
            }
        }
        return io.deepnets.eval.Evaluator.dl4jOutput(net, classes);
    }

    /** As {@link #inference(Network, int)} for a stack. */
    static BatchPredictor inference(MultiLayerNetwork net, int classes) {
        if ("CpuBackend".equals(org.nd4j.linalg.factory.Nd4j.getBackend().getClass().getSimpleName())) {
            java.util.Optional<BatchPredictor> ops = OneDnnTrainingStep.inferenceFor(net, classes);
            if (ops.isPresent()) {
                return ops.get();
            }
        }
        return io.deepnets.eval.Evaluator.dl4jOutput(net, classes);
    }

    /** DL4J's {@code MultiLayerNetwork.fit}, as it comes. */
    static TrainingStep dl4jFit(MultiLayerNetwork net, int classes) {
        return new Dl4jFitStep(net, classes);
    }
}
