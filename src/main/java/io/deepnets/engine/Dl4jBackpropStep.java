package io.deepnets.engine;

import io.deepnets.engine.update.FlatUpdate;
import io.deepnets.model.Network;
import java.util.Optional;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DL4J's forward and backward pass ({@code computeGradientAndScore}, layer helpers and all), then the
 * {@link FlatUpdate} in place of DL4J's solver and updater: for the stacks the faster steps decline and for graphs
 * (residual and inception networks: DL4J's {@code ComputationGraph} computes the merges and the gradients summed
 * where a layer feeds several others), with any optimizer the configs offer; frozen layers (transfer learning) as
 * DL4J computes them (no gradient, the no-op updater).
 */
final class Dl4jBackpropStep extends Dl4jFitStep {
    static final String KIND = "dl4j-backprop+flat-update";

    private final FlatUpdate update;

    private Dl4jBackpropStep(Network net, FlatUpdate update, int classes) {
        super(net, classes);
        this.update = update;
    }

    static Optional<TrainingStep> forNetwork(MultiLayerNetwork net, int classes) {
        return forNetwork(net, classes, reason -> { });
    }

    /** As {@link #forNetwork(MultiLayerNetwork, int)}, telling {@code why} the reason when it declines. */
    static Optional<TrainingStep> forNetwork(MultiLayerNetwork net, int classes, java.util.function.Consumer<String> why) {
        return forNetwork(Network.of(net), classes, why);
    }

    /** As {@link #forNetwork(MultiLayerNetwork, int, java.util.function.Consumer)} for a stack or a graph. */
    static Optional<TrainingStep> forNetwork(Network net, int classes, java.util.function.Consumer<String> why) {
        return FlatUpdate.forNetwork(net.model(), why).map(u -> new Dl4jBackpropStep(net, u, classes));
    }

    @Override
    void step(INDArray features, INDArray labels) {
        net.computeGradientAndScore(features, labels);
        update.apply(Math.toIntExact(features.size(0)));
        net.clearLayersStates();
    }

    @Override
    public String kind() {
        return KIND;
    }
}
