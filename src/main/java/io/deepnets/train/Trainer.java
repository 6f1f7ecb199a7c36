package io.deepnets.train;

import io.deepnets.config.TrainingConfig;
import io.deepnets.data.EpochShuffler;
import io.deepnets.data.ImageSet;
import io.deepnets.eval.EvalResult;
import io.deepnets.eval.Evaluator;
import io.deepnets.runs.EpochResult;
import io.deepnets.runs.FaultInjection;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
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
    private String stepKind;

    public Trainer(MultiLayerNetwork net, ImageSet train, ImageSet validation, int classes, TrainingConfig schedule, long seed,
            List<TrainingObserver> observers) {
        this.net = net;
        this.train = train;
        this.validation = validation;
        this.classes = classes;
        this.schedule = schedule;
        this.seed = seed;
        this.observers = List.copyOf(observers);
    }

    /** The {@link TrainingStep#kind()} that trained the network in the last {@link #fit} (for metrics.json). */
    public String stepKind() {
        return stepKind;
    }

    /** Steps per epoch: {@code ceil(samples / batch_size)}, the last batch possibly smaller, as in Keras. */
    public int stepsPerEpoch() {
        return (train.count() + schedule.batchSize() - 1) / schedule.batchSize();
    }

    /** Trains 1-based epochs {@code firstEpoch..schedule.epochs()} and returns their results. */
    public List<EpochResult> fit(int firstEpoch) {
        List<EpochResult> results = new ArrayList<>();
        try (ActivationSwap swap = ActivationSwap.install(net);
                TrainingStep step = TrainingStep.forNetwork(net, schedule.batchSize(), classes)) {
            stepKind = step.kind();
            for (int epoch = firstEpoch; epoch <= schedule.epochs(); epoch++) {
                results.add(epoch(epoch, step));
            }
        }
        return results;
    }

    private EpochResult epoch(int epoch, TrainingStep trainingStep) {
        int steps = stepsPerEpoch();
        int batch = schedule.batchSize();
        observers.forEach(o -> o.epochStarted(epoch, schedule.epochs(), steps));
        long start = System.nanoTime();
        // Dropout draws from ND4J's global generator: reseeded from (seed, epoch) so that an epoch's masks do not
        // depend on what ran before it in this JVM, and a resumed run continues exactly.
        Nd4j.getRandom().setSeed(seed * 1_000_003L + epoch);
        int[] order = EpochShuffler.order(train.count(), seed, epoch, schedule.shuffle());
        double lossSum = 0;
        long correct = 0;
        long seen = 0;
        for (int step = 0; step < steps; step++) {
            int from = step * batch;
            int to = Math.min(train.count(), from + batch);
            TrainingStep.Outcome outcome = trainingStep.fit(train, order, from, to);
            double loss = outcome.loss();
            if (!Double.isFinite(loss)) {
                throw new TrainingDivergedException(epoch, "epoch " + epoch + ", step " + (step + 1) + ": the loss is " + loss
                        + "; training diverged (try a smaller learning_rate)");
            }
            lossSum += loss * (to - from);
            correct += outcome.correct();
            seen += to - from;
            double elapsed = (System.nanoTime() - start) / 1e9;
            int done = step + 1;
            double runLoss = lossSum / seen;
            double runAcc = (double) correct / seen;
            observers.forEach(o -> o.batchFinished(done, steps, runLoss, runAcc, elapsed));
            FaultInjection.reach("train.batch");
        }
        EvalResult val = Evaluator.evaluate(trainingStep.predictor(), validation, classes).plusPenalty(EvalResult.penalty(net));
        double seconds = (System.nanoTime() - start) / 1e9;
        EpochResult result = new EpochResult(epoch, lossSum / seen, (double) correct / seen, val.loss(), val.accuracy(), seconds,
                seconds * 1000.0 / steps);
        observers.forEach(o -> o.epochFinished(result, schedule.epochs()));
        return result;
    }
}
