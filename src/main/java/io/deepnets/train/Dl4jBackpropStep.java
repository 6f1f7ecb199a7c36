package io.deepnets.train;

import io.deepnets.data.BatchAssembler;
import io.deepnets.data.ImageSet;
import java.util.Optional;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * DL4J's forward and backward pass ({@code computeGradientAndScore}, layer helpers and all), then the
 * {@link FusedRmsProp} update in place of DL4J's solver and updater: for the convolutional RMSprop networks.
 */
final class Dl4jBackpropStep implements TrainingStep {
    static final String KIND = "dl4j-backprop+fused-rmsprop";

    private final MultiLayerNetwork net;
    private final FusedRmsProp update;
    private final Dl4jFitStep listenerAndBatches;

    private Dl4jBackpropStep(MultiLayerNetwork net, FusedRmsProp update, int classes) {
        this.net = net;
        this.update = update;
        this.listenerAndBatches = new Dl4jFitStep(net, classes);
    }

    static Optional<TrainingStep> forNetwork(MultiLayerNetwork net, int classes) {
        if (net.getFlattenedGradients() == null) {
            net.initGradientsView();     // DL4J creates it on the first fit; the update needs it now
        }
        return FusedRmsProp.forNetwork(net, net.getFlattenedGradients()).map(u -> new Dl4jBackpropStep(net, u, classes));
    }

    @Override
    public Outcome fit(ImageSet set, int[] order, int from, int to) {
        BatchAssembler b = listenerAndBatches.assembler(set);
        BatchAccuracyListener accuracy = listenerAndBatches.accuracy();
        accuracy.expect(b.labelIndices(order, from, to));
        net.setInput(b.features(order, from, to));
        net.setLabels(b.labels(order, from, to));
        net.computeGradientAndScore();
        update.apply(to - from);
        net.clearLayersStates();
        return new Outcome(net.score(), accuracy.correct());
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public void close() {
        listenerAndBatches.close();
    }
}
