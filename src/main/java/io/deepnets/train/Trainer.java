package io.deepnets.train;

import io.deepnets.engine.TrainingStep;
import io.deepnets.engine.ActivationSwap;
import io.deepnets.config.TrainingConfig;
import io.deepnets.data.BatchAssembler;
import io.deepnets.data.EpochShuffler;
import io.deepnets.data.ImageAugmenter;
import io.deepnets.data.ImageSet;
import io.deepnets.eval.EvalResult;
import io.deepnets.eval.Evaluator;
import io.deepnets.runs.EpochResult;
import io.deepnets.runs.FaultInjection;
import java.util.ArrayList;
import java.util.List;
import io.deepnets.model.Network;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Keras's {@code fit}: per epoch, the training part in a seeded order, one gradient step per batch, running
 * means of loss and accuracy weighted by batch size, then the whole validation set in inference mode.
 */
public final class Trainer {
    private final Network net;
    private final ImageSet train;
    private final ImageSet validation;
    private final int classes;
    private final TrainingConfig schedule;
    private final long seed;
    private final List<TrainingObserver> observers;
    private final Callbacks callbacks;
    private INDArray bestParams;
    private String stepKind;
    private java.util.Map<String, String> stepDeclines = java.util.Map.of();
    private ImageAugmenter augmenter;
    private INDArray swaParams;
    private int swaCount;

    public Trainer(MultiLayerNetwork net, ImageSet train, ImageSet validation, int classes, TrainingConfig schedule, long seed,
            List<TrainingObserver> observers) {
        this(Network.of(net), train, validation, classes, schedule, seed, observers, new Callbacks(schedule), null);
    }

    public Trainer(Network net, ImageSet train, ImageSet validation, int classes, TrainingConfig schedule, long seed,
            List<TrainingObserver> observers) {
        this(net, train, validation, classes, schedule, seed, observers, new Callbacks(schedule), null);
    }

    /**
     * @param callbacks the callbacks' state (restored from a checkpoint when resuming)
     * @param bestParams the best epoch's weights kept for restore_best_weights (restored too), or null
     */
    public Trainer(Network net, ImageSet train, ImageSet validation, int classes, TrainingConfig schedule, long seed,
            List<TrainingObserver> observers, Callbacks callbacks, INDArray bestParams) {
        this.net = net;
        this.train = train;
        this.validation = validation;
        this.classes = classes;
        this.schedule = schedule;
        this.seed = seed;
        this.observers = List.copyOf(observers);
        this.callbacks = callbacks;
        this.bestParams = bestParams;
    }

    /** Augments every training batch (a copy of it) before the step; validation data is never augmented. */
    public Trainer augmenting(ImageAugmenter augmenter) {
        this.augmenter = augmenter;
        return this;
    }

    /**
     * Continues a stochastic weight average of {@code count} epochs (from a checkpoint); {@code params} is taken over,
     * not copied.
     */
    public Trainer resumingAverage(INDArray params, int count) {
        this.swaParams = params;
        this.swaCount = params == null ? 0 : count;
        return this;
    }

    /** The running average of stochastic weight averaging so far (null before its first epoch): for the checkpoint. */
    public INDArray averagedParams() {
        return swaParams;
    }

    /** How many epochs {@link #averagedParams()} averages. */
    public int averagedEpochs() {
        return swaCount;
    }

    public Callbacks callbacks() {
        return callbacks;
    }

    /** The weights of the best epoch so far, kept for restore_best_weights; null when not kept. */
    public INDArray bestParams() {
        return bestParams;
    }

    /** Why each step faster than {@link #stepKind()} declined the network, by kind (for metrics.json). */
    public java.util.Map<String, String> stepDeclines() {
        return stepDeclines;
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
        try (ActivationSwap swap = ActivationSwap.install(net)) {
            TrainingStep.Choice choice = TrainingStep.choose(net, schedule.batchSize(), classes, java.util.Set.of());
            TrainingStep step = choice.step();
            try {
                stepKind = step.kind();
                stepDeclines = choice.declined();
                for (int epoch = firstEpoch; epoch <= schedule.epochs(); epoch++) {
                    EpochResult result = epoch(epoch, step);
                    results.add(result);
                    average(epoch);
                    Callbacks.Decision d = callbacks.onEpochEnd(result);
                    if (d.keepBestWeights()) {
                        bestParams = net.params().dup();
                    }
                    if (d.newLearningRate() != null) {
                        // DL4J rebuilds its updater (and state array) on a new rate: the step is made again on the new one.
                        step.close();
                        setLearningRate(net, d.newLearningRate());
                        step = TrainingStep.forNetwork(net, schedule.batchSize(), classes);
                    }
                    if (d.saveBestModel()) {
                        int e = epoch;
                        observers.forEach(o -> o.bestModel(e));
                    }
                    observers.forEach(o -> o.epochFinished(result, schedule.epochs()));
                    d.messages().forEach(m -> observers.forEach(o -> o.note(m)));
                    if (d.stop()) {
                        break;
                    }
                }
                if (swaCount > 0) {
                    takeAverage(step);
                }
            } finally {
                step.close();
            }
        }
        if (callbacks.keepsBestWeights() && bestParams != null) {
            // Keras 3: restore_best_weights restores at the end of training, whether or not patience ran out.
            net.setParams(bestParams);
            String m = "Restoring model weights from the end of the best epoch: " + callbacks.bestEpoch();
            observers.forEach(o -> o.note(m));
        }
        return results;
    }

    /** Sets the average in the network and recounts its batch normalisation statistics through {@code step}. */
    private void takeAverage(TrainingStep step) {
        net.setParams(swaParams);
        long start = System.nanoTime();
        Recount recount = recountBatchNorm(step);
        double seconds = (System.nanoTime() - start) / 1e9;
        int layers = recount.layers();
        String m = "Stochastic weight averaging: the network now holds the mean of the weights after epochs " + averagedRange()
                + " (" + swaCount + ")" + (layers == 0 ? "" : "; the moving statistics of its " + layers
                + " batch normalisation layer" + (layers == 1 ? "" : "s") + String.format(java.util.Locale.ROOT,
                " recomputed over the training data through %s (%.0f s)", recount.pass(), seconds));
        observers.forEach(o -> o.note(m));
    }

    /** Adds the weights at the end of 1-based {@code epoch} to the running average when the epoch is one averaged. */
    private void average(int epoch) {
        TrainingConfig.Swa swa = schedule.swa();
        if (swa == null || epoch - 1 < swa.firstEpoch(schedule.epochs())) {
            return;
        }
        INDArray w = net.params();
        if (swaParams == null) {
            swaParams = w.dup();
        } else {
            // PyTorch's AveragedModel: avg + (w - avg) / (n + 1), in the weights' own precision.
            swaParams.addi(w.sub(swaParams).divi(swaCount + 1));
        }
        swaCount++;
    }

    /**
     * The training part's order in 1-based {@code epoch}, with ND4J's global generator reseeded for it: dropout draws
     * from that generator, reseeded from (seed, epoch) so that an epoch's masks do not depend on what ran before it in
     * this JVM, and a resumed run continues exactly.
     */
    private int[] epochOrder(int epoch) {
        Nd4j.getRandom().setSeed(seed * 1_000_003L + epoch);
        return EpochShuffler.order(train.count(), seed, epoch, schedule.shuffle());
    }

    /** Rows {@code order[from..to)} as a batch's own arrays (decoded for a streamed set), augmented for the epoch's step. */
    private ImageSet batchRows(int[] order, int from, int to, int epoch, int step) {
        ImageSet rows = train.rows(order, from, to);
        if (augmenter != null) {
            augmenter.apply(rows, epoch, step);
        }
        return rows;
    }

    /** The averaged epochs, 1-based, as "first-last" (for the note and metrics.json). */
    public String averagedRange() {
        int first = schedule.swa().firstEpoch(schedule.epochs()) + 1;
        return first + "-" + (first + swaCount - 1);
    }

    /** How many batch normalisation layers a recount set, and through which forward pass. */
    private record Recount(int layers, String pass) {
    }

    /**
     * {@link BatchNormStatistics} over the training data as the epoch after the last would feed it: its order, its
     * batches, augmented; through the step's own forward pass when its first batch gives the statistics of exactly the
     * network's layers, else through DL4J's.
     */
    private Recount recountBatchNorm(TrainingStep trainingStep) {
        BatchNormStatistics stats = new BatchNormStatistics(net);
        if (stats.layers() == 0) {
            return new Recount(0, null);
        }
        int epoch = schedule.epochs() + 1;
        int[] order = epochOrder(epoch);
        int batch = schedule.batchSize();
        boolean own = true;
        for (int step = 0; step < stepsPerEpoch(); step++) {
            int from = step * batch;
            int to = Math.min(train.count(), from + batch);
            ImageSet rows = batchRows(order, from, to, epoch, step);
            int[] all = BatchAssembler.identity(rows.count());
            if (own) {
                java.util.Optional<List<TrainingStep.BatchStatistics>> batchStats = trainingStep.batchNormStatistics(rows, all, 0, rows.count());
                boolean added = batchStats.isPresent() && stats.add(batchStats.get());
                if (!added && step > 0) {
                    throw new IllegalStateException(trainingStep.kind() + " gave batch statistics of other layers than the network's at batch " + step);
                }
                own = added;
            }
            if (!own) {
                stats.add(new BatchAssembler(rows, classes).features(all, 0, rows.count()));
            }
        }
        stats.apply();
        return new Recount(stats.layers(), own ? trainingStep.kind() + "'s forward pass" : "DL4J's feedForward");
    }

    /**
     * Sets the optimizer's rate for weights and biases alike, as Keras's one optimizer rate does. DL4J's own
     * {@code setLearningRate} changes only the weights' updater and leaves the biases at the old rate (and then
     * splits the updater into blocks); the bias updater is set first so both stay one configuration.
     */
    public static void setLearningRate(MultiLayerNetwork net, double lr) {
        setLearningRate(Network.of(net), lr);
    }

    /** As {@link #setLearningRate(MultiLayerNetwork, double)} for a stack or a graph. */
    public static void setLearningRate(Network net, double lr) {
        for (org.deeplearning4j.nn.api.Layer layer : net.layers()) {
            if (layer.conf().getLayer() instanceof org.deeplearning4j.nn.conf.layers.BaseLayer base && base.getBiasUpdater() != null
                    && base.getBiasUpdater().hasLearningRate()) {
                base.getBiasUpdater().setLrAndSchedule(lr, null);
            }
        }
        net.setLearningRate(lr);
    }

    /** The learning rate the optimizer gives step {@code iteration} of the network's current epoch; NaN for Adadelta. */
    public static double learningRate(MultiLayerNetwork net, int iteration) {
        return learningRate(Network.of(net), iteration);
    }

    static double learningRate(Network net, int iteration) {
        for (org.deeplearning4j.nn.api.Layer layer : net.layers()) {
            if (layer.numParams() > 0 && layer.conf().getLayer() instanceof org.deeplearning4j.nn.conf.layers.BaseLayer base
                    && base.getIUpdater() != null && base.getIUpdater().hasLearningRate()) {
                return base.getIUpdater().getLearningRate(Math.max(0, iteration), net.epochCount());
            }
        }
        return Double.NaN;
    }

    private EpochResult epoch(int epoch, TrainingStep trainingStep) {
        int steps = stepsPerEpoch();
        int batch = schedule.batchSize();
        observers.forEach(o -> o.epochStarted(epoch, schedule.epochs(), steps));
        long start = System.nanoTime();
        int[] order = epochOrder(epoch);
        double lossSum = 0;
        long correct = 0;
        long seen = 0;
        for (int step = 0; step < steps; step++) {
            int from = step * batch;
            int to = Math.min(train.count(), from + batch);
            TrainingStep.Outcome outcome;
            if (augmenter != null || train.isStreamed()) {
                // The batch as its own arrays: decoded (streamed set) and/or augmented, never the cached images themselves.
                ImageSet rows = batchRows(order, from, to, epoch, step);
                outcome = trainingStep.fit(rows, BatchAssembler.identity(rows.count()), 0, rows.count());
            } else {
                outcome = trainingStep.fit(train, order, from, to);
            }
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
        EvalResult val = Evaluator.evaluate(trainingStep.predictor(), validation, classes, net.labelSmoothing()).plusPenalty(EvalResult.penalty(net));
        double lr = learningRate(net, net.iterationCount() - 1);
        // DL4J's epoch counter drives per-epoch schedules (DL4J's own fit(iterator) advances it; the step loop does here).
        net.incrementEpochCount();
        double seconds = (System.nanoTime() - start) / 1e9;
        return new EpochResult(epoch, lossSum / seen, (double) correct / seen, val.loss(), val.accuracy(), seconds,
                seconds * 1000.0 / steps, lr);
    }
}
