package io.deepnets.bench;

import io.deepnets.config.ExperimentConfig;
import io.deepnets.data.EpochShuffler;
import io.deepnets.data.ImageSet;
import io.deepnets.eval.BatchPredictor;
import io.deepnets.model.KerasModelMapper;
import io.deepnets.engine.ActivationSwap;
import io.deepnets.engine.LayerProfiler;
import io.deepnets.engine.TrainingStep;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.deeplearning4j.nn.api.Layer;
import io.deepnets.model.Network;

/**
 * Measures a config's network the way training uses it: batches assembled from an {@link ImageSet} (synthetic
 * data of the right shape, or the real training data) through the same {@link TrainingStep} as
 * {@code Trainer}, one gradient step per batch, timed after a warm-up. A benchmark, never a test assertion.
 */
public final class Benchmark {
    private Benchmark() {
    }

    /** Uniform [0, 1) pixels and random labels, enough for 16 distinct batches. */
    public static ImageSet synthetic(ExperimentConfig config, long seed) {
        int features = (int) config.model().inputShape().size();
        int n = config.training().batchSize() * 16;
        Random random = new Random(seed);
        float[] x = new float[n * features];
        for (int i = 0; i < x.length; i++) {
            x[i] = random.nextFloat();
        }
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = random.nextInt(config.model().classes());
        }
        return new ImageSet(x, y, n, features);
    }

    /**
     * Trains and then runs inference for about {@code seconds} (a third of it for inference) each.
     *
     * @param without training steps left out ({@code bench --without}), by kind
     * @param dl4jFit train with DL4J's {@code MultiLayerNetwork.fit} even where a custom step applies
     */
    public static BenchResult run(ExperimentConfig config, ImageSet data, String dataLabel, double seconds, boolean dl4jFit, java.util.Set<String> without) {
        Network net = KerasModelMapper.network(config);
        try (ActivationSwap ignored = ActivationSwap.install(net)) {
            return run(config, net, data, dataLabel, seconds, dl4jFit, without);
        }
    }

    private static BenchResult run(ExperimentConfig config, Network net, ImageSet data, String dataLabel, double seconds,
            boolean dl4jFit, java.util.Set<String> without) {
        int batch = config.training().batchSize();
        int classes = config.model().classes();
        int perEpoch = data.count() / batch;
        int[] order = EpochShuffler.order(data.count(), config.seed(), 1, true);
        TrainingStep.Choice choice = dl4jFit && net.stack().isPresent()
                ? new TrainingStep.Choice(TrainingStep.dl4jFit(net.stack().get(), classes), java.util.Map.of())
                : TrainingStep.choose(net, batch, classes, without);
        try (TrainingStep trainStep = choice.step()) {
            int warmup = Math.max(3, Math.min(20, (int) (2 + 5 * seconds / 30)));
            int step = 0;
            for (; step < warmup; step++) {
                int from = (step % perEpoch) * batch;
                trainStep.fit(data, order, from, from + batch);
            }
            long start = System.nanoTime();
            long deadline = start + (long) (seconds * 1e9);
            int steps = 0;
            while (System.nanoTime() < deadline || steps < 5) {
                int from = (step++ % perEpoch) * batch;
                trainStep.fit(data, order, from, from + batch);
                steps++;
            }
            double trainSeconds = (System.nanoTime() - start) / 1e9;

            // Inference as validation runs it: the dense step's own forward pass, else DL4J's output().
            BatchPredictor predictor = trainStep.predictor();
            for (int i = 0; i < 3; i++) {
                predictor.probabilities(data, i * batch, i * batch + batch);
            }
            long inferStart = System.nanoTime();
            long inferDeadline = inferStart + (long) (seconds / 3 * 1e9);
            int inferSteps = 0;
            while (System.nanoTime() < inferDeadline || inferSteps < 5) {
                int from = (inferSteps % perEpoch) * batch;
                predictor.probabilities(data, from, from + batch);
                inferSteps++;
            }
            double inferSeconds = (System.nanoTime() - inferStart) / 1e9;
            return new BenchResult(config.name(), dataLabel, batch, steps, steps * (double) batch / trainSeconds, trainSeconds * 1000 / steps,
                    inferSteps * (double) batch / inferSeconds, helpers(net), trainStep.kind(), choice.declined());
        }
    }

    /**
     * Where a step's time goes, per layer and direction ({@link LayerProfiler}), on {@code data}, with the same
     * fast ReLU as training.
     */
    public static LayerProfiler.Profile profile(ExperimentConfig config, ImageSet data, int steps, java.util.Set<String> without) {
        Network net = KerasModelMapper.network(config);
        try (ActivationSwap ignored = ActivationSwap.install(net)) {
            int[] order = EpochShuffler.order(data.count(), config.seed(), 1, true);
            return LayerProfiler.run(net, data, order, config.training().batchSize(), config.model().classes(), 5, steps, without);
        }
    }

    /** The distinct helper classes DL4J's layers use; "none" when every layer runs DL4J's built-in code. */
    static String helpers(Network net) {
        Set<String> names = new LinkedHashSet<>();
        for (Layer layer : net.layers()) {
            Object helper = null;
            if (layer instanceof org.deeplearning4j.nn.layers.convolution.ConvolutionLayer c) {
                helper = c.getHelper();
            } else if (layer instanceof org.deeplearning4j.nn.layers.convolution.subsampling.SubsamplingLayer s) {
                helper = s.getHelper();
            }
            if (helper != null) {
                names.add(helper.getClass().getSimpleName());
            }
        }
        return names.isEmpty() ? "none" : String.join("+", new ArrayList<>(names));
    }
}
