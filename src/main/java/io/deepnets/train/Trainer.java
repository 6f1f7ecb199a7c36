package io.deepnets.train;

import io.deepnets.config.TrainingConfig;
import io.deepnets.data.BatchAssembler;
import io.deepnets.data.EpochShuffler;
import io.deepnets.data.ImageSet;
import io.deepnets.eval.EvalResult;
import io.deepnets.eval.Evaluator;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Keras's {@code fit}: per epoch, the training part in a seeded order, one gradient step per batch, running
 * means of loss and accuracy weighted by batch size, then the whole validation set in inference mode.
 */
public final class Trainer {
    private final MultiLayerNetwork net;
    private final ImageSet train;
    private final ImageSet validation;
    private final int classes;
    private final TrainingConfig schedule;
    private final long seed;
    private final List<TrainingObserver> observers;
    private final DenseTrainingStep denseStep;

    public Trainer(MultiLayerNetwork net, ImageSet train, ImageSet validation, int classes, TrainingConfig schedule, long seed,
            List<TrainingObserver> observers) {
        this.net = net;
        this.train = train;
        this.validation = validation;
        this.classes = classes;
        this.schedule = schedule;
        this.seed = seed;
        this.observers = List.copyOf(observers);
        this.denseStep = DenseTrainingStep.forNetwork(net, schedule.batchSize()).orElse(null);
    }

    /** Which implementation of the gradient step trains this network (recorded in metrics.json). */
    public String stepKind() {
        return denseStep != null ? DenseTrainingStep.KIND : DL4J_FIT;
    }

    /** {@link #stepKind()} when DL4J's own {@code MultiLayerNetwork.fit} trains the network. */
    public static final String DL4J_FIT = "dl4j-fit";

    /** Steps per epoch: {@code ceil(samples / batch_size)}, the last batch possibly smaller, as in Keras. */
    public int stepsPerEpoch() {
        return (train.count() + schedule.batchSize() - 1) / schedule.batchSize();
    }

    /** Trains 1-based epochs {@code firstEpoch..schedule.epochs()} and returns their results. */
    public List<EpochResult> fit(int firstEpoch) {
        BatchAccuracyListener accuracy = new BatchAccuracyListener();
        net.addListeners(accuracy);
        List<EpochResult> results = new ArrayList<>();
        try (ActivationSwap ignored = ActivationSwap.install(net)) {
            for (int epoch = firstEpoch; epoch <= schedule.epochs(); epoch++) {
                results.add(epoch(epoch, accuracy));
            }
        } finally {
            net.getListeners().remove(accuracy);
        }
        return results;
    }

    private EpochResult epoch(int epoch, BatchAccuracyListener accuracy) {
        int steps = stepsPerEpoch();
        int batch = schedule.batchSize();
        observers.forEach(o -> o.epochStarted(epoch, schedule.epochs(), steps));
        long start = System.nanoTime();
        // Dropout draws from ND4J's global generator: reseeded from (seed, epoch) so that an epoch's masks do not
        // depend on what ran before it in this JVM, and a resumed run continues exactly.
        Nd4j.getRandom().setSeed(seed * 1_000_003L + epoch);
        int[] order = EpochShuffler.order(train.count(), seed, epoch, schedule.shuffle());
        BatchAssembler batches = new BatchAssembler(train, classes);
        double lossSum = 0;
        long correct = 0;
        long seen = 0;
        for (int step = 0; step < steps; step++) {
            int from = step * batch;
            int to = Math.min(train.count(), from + batch);
            double loss;
            int hits;
            if (denseStep != null) {
                DenseTrainingStep.Outcome outcome = denseStep.fit(train, order, from, to);
                loss = outcome.loss();
                hits = outcome.correct();
            } else {
                INDArray x = batches.features(order, from, to);
                INDArray y = batches.labels(order, from, to);
                accuracy.expect(batches.labelIndices(order, from, to));
                net.fit(new DataSet(x, y));
                loss = net.score();
                hits = accuracy.correct();
                if (hits < 0) {
                    throw new IllegalStateException("the training forward pass was not observed");
                }
            }
            if (!Double.isFinite(loss)) {
                throw new TrainingDivergedException("epoch " + epoch + ", step " + (step + 1) + ": the loss is " + loss
                        + "; training diverged (try a smaller learning_rate)");
            }
            lossSum += loss * (to - from);
            correct += hits;
            seen += to - from;
            double elapsed = (System.nanoTime() - start) / 1e9;
            int done = step + 1;
            double runLoss = lossSum / seen;
            double runAcc = (double) correct / seen;
            observers.forEach(o -> o.batchFinished(done, steps, runLoss, runAcc, elapsed));
        }
        EvalResult val = Evaluator.evaluate(net, validation, classes);
        double seconds = (System.nanoTime() - start) / 1e9;
        EpochResult result = new EpochResult(epoch, lossSum / seen, (double) correct / seen, val.loss(), val.accuracy(), seconds,
                seconds * 1000.0 / steps);
        observers.forEach(o -> o.epochFinished(result, schedule.epochs()));
        return result;
    }
}
