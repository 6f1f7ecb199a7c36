package io.deepnets.train;

import io.deepnets.engine.FlatUpdate;
import java.util.Optional;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DL4J's forward and backward pass ({@code computeGradientAndScore}, layer helpers and all), then the
 * {@link FlatUpdate} in place of DL4J's solver and updater: for the stacks the faster steps decline (batch
 * normalisation, the graph era's layers, any optimizer DL4J's updater has a flat twin of).
 */
final class Dl4jBackpropStep extends Dl4jFitStep {
    static final String KIND = "dl4j-backprop+flat-update";

    private final FlatUpdate update;
    private final MultiLayerNetwork stack;

    private Dl4jBackpropStep(MultiLayerNetwork net, FlatUpdate update, int classes) {
        super(net, classes);
        this.update = update;
        this.stack = net;
    }

    static Optional<TrainingStep> forNetwork(MultiLayerNetwork net, int classes) {
        return forNetwork(net, classes, reason -> { });
    }

    /** As {@link #forNetwork(MultiLayerNetwork, int)}, telling {@code why} the reason when it declines. */
    static Optional<TrainingStep> forNetwork(MultiLayerNetwork net, int classes, java.util.function.Consumer<String> why) {
        if (TrainingStep.hasFrozenLayer(net)) {
            return TrainingStep.declined(why, "a frozen layer (transfer learning): its updater is DL4J's no-op");
        }
        return FlatUpdate.forNetwork(net, why).map(u -> new Dl4jBackpropStep(net, u, classes));
    }

    @Override
    void step(INDArray features, INDArray labels) {
        stack.setInput(features);
        stack.setLabels(labels);
        stack.computeGradientAndScore();
        update.apply(Math.toIntExact(features.size(0)));
        stack.clearLayersStates();
    }

    @Override
    public String kind() {
        return KIND;
    }
}
