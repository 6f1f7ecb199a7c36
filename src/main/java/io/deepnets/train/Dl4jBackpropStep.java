package io.deepnets.train;

import java.util.Optional;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DL4J's forward and backward pass ({@code computeGradientAndScore}, layer helpers and all), then the
 * {@link FusedRmsProp} update in place of DL4J's solver and updater: for the convolutional RMSprop networks.
 */
final class Dl4jBackpropStep extends Dl4jFitStep {
    static final String KIND = "dl4j-backprop+fused-rmsprop";

    private final FusedRmsProp update;
    private final MultiLayerNetwork stack;

    private Dl4jBackpropStep(MultiLayerNetwork net, FusedRmsProp update, int classes) {
        super(net, classes);
        this.update = update;
        this.stack = net;
    }

    static Optional<TrainingStep> forNetwork(MultiLayerNetwork net, int classes) {
        return forNetwork(net, classes, reason -> { });
    }

    /** As {@link #forNetwork(MultiLayerNetwork, int)}, telling {@code why} the reason when it declines. */
    static Optional<TrainingStep> forNetwork(MultiLayerNetwork net, int classes, java.util.function.Consumer<String> why) {
        if (net.getFlattenedGradients() == null) {
            net.initGradientsView();     // DL4J creates it on the first fit; the update needs it now
        }
        return FusedRmsProp.forNetwork(net, net.getFlattenedGradients(), why).map(u -> new Dl4jBackpropStep(net, u, classes));
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
