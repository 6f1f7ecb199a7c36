package io.deepnets.engine;

import io.deepnets.data.BatchAssembler;
import io.deepnets.data.ImageSet;
import io.deepnets.eval.BatchPredictor;
import io.deepnets.eval.Evaluator;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/**
 * DL4J's {@code MultiLayerNetwork.fit(DataSet)}; training accuracy from its own forward pass via a listener, batches
 * from a {@link BatchAssembler}, inference by DL4J's {@code output}. {@link Dl4jBackpropStep} replaces the step itself.
 */
class Dl4jFitStep implements TrainingStep {
    static final String KIND = "dl4j-fit";

    final io.deepnets.model.Network net;
    private final int classes;
    private final BatchAccuracyListener accuracy = new BatchAccuracyListener();
    private final BatchPredictor predictor;
    private BatchAssembler batches;
    private ImageSet assembled;

    Dl4jFitStep(MultiLayerNetwork net, int classes) {
        this(io.deepnets.model.Network.of(net), classes);
    }

    Dl4jFitStep(io.deepnets.model.Network net, int classes) {
        this.net = net;
        this.classes = classes;
        this.predictor = Evaluator.dl4jOutput(net, classes);
        net.addListeners(accuracy);
    }

    @Override
    public final Outcome fit(ImageSet set, int[] order, int from, int to) {
        if (assembled != set) {
            batches = new BatchAssembler(set, classes);
            assembled = set;
        }
        accuracy.expect(batches.labelIndices(order, from, to));
        step(batches.features(order, from, to), batches.labels(order, from, to));
        return new Outcome(net.score(), accuracy.correct());
    }

    /** One gradient step on a batch of features and one-hot labels, leaving the batch loss as the net's score. */
    void step(INDArray features, INDArray labels) {
        net.fit(features, labels);
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public BatchPredictor predictor() {
        return predictor;
    }

    @Override
    public void close() {
        net.listeners().remove(accuracy);
    }
}
