package io.deepnets.train;

import io.deepnets.data.BatchAssembler;
import io.deepnets.data.ImageSet;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.DataSet;

/** DL4J's {@code MultiLayerNetwork.fit(DataSet)}; training accuracy from its own forward pass via a listener. */
final class Dl4jFitStep implements TrainingStep {
    static final String KIND = "dl4j-fit";

    private final MultiLayerNetwork net;
    private final int classes;
    private final BatchAccuracyListener accuracy = new BatchAccuracyListener();
    private BatchAssembler batches;
    private ImageSet assembled;

    Dl4jFitStep(MultiLayerNetwork net, int classes) {
        this.net = net;
        this.classes = classes;
        net.addListeners(accuracy);
    }

    @Override
    public Outcome fit(ImageSet set, int[] order, int from, int to) {
        BatchAssembler b = assembler(set);
        accuracy.expect(b.labelIndices(order, from, to));
        net.fit(new DataSet(b.features(order, from, to), b.labels(order, from, to)));
        return new Outcome(net.score(), accuracy.correct());
    }

    BatchAssembler assembler(ImageSet set) {
        if (assembled != set) {
            batches = new BatchAssembler(set, classes);
            assembled = set;
        }
        return batches;
    }

    BatchAccuracyListener accuracy() {
        return accuracy;
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public void close() {
        net.getListeners().remove(accuracy);
    }
}
