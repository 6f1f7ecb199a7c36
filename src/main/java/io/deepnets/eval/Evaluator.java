package io.deepnets.eval;

import io.deepnets.data.BatchAssembler;
import io.deepnets.data.ImageSet;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/** Runs a network over a whole set in inference mode (no dropout) and scores it. */
public final class Evaluator {
    static final double CLIP = 1e-7;
    private static final int BATCH = 500;

    private Evaluator() {
    }

    /** DL4J's {@code output(x, false)} as a {@link BatchPredictor}. */
    public static BatchPredictor dl4jOutput(MultiLayerNetwork net, int classes) {
        return dl4jOutput(io.deepnets.model.Network.of(net), classes);
    }

    /** As {@link #dl4jOutput(MultiLayerNetwork, int)} for a stack or a graph. */
    public static BatchPredictor dl4jOutput(io.deepnets.model.Network net, int classes) {
        return new BatchPredictor() {
            private BatchAssembler batches;
            private ImageSet assembled;
            private int[] order = new int[0];

            @Override
            public float[] probabilities(ImageSet set, int from, int to) {
                if (assembled != set) {
                    batches = new BatchAssembler(set, classes);
                    assembled = set;
                    order = BatchAssembler.identity(set.count());
                }
                return net.output(batches.features(order, from, to)).dup('c').data().asFloat();
            }
        };
    }

    public static EvalResult evaluate(io.deepnets.model.Network net, ImageSet set, int classes) {
        return evaluate(dl4jOutput(net, classes), set, classes, net.labelSmoothing());
    }

    public static EvalResult evaluate(MultiLayerNetwork net, ImageSet set, int classes) {
        return evaluate(io.deepnets.model.Network.of(net), set, classes);
    }

    /** Scores {@code predictor} over the whole set, in batches of 500, with the plain cross-entropy. */
    public static EvalResult evaluate(BatchPredictor predictor, ImageSet set, int classes) {
        return evaluate(predictor, set, classes, 0.0);
    }

    /**
     * Scores {@code predictor} over the whole set, in batches of 500: accuracy, confusion, and Keras's cross-entropy
     * with {@code labelSmoothing} s ({@code -sum_j y_j log p_j}, {@code y = onehot (1 - s) + s / K}, p clipped to
     * [1e-7, 1 - 1e-7]), as Keras's {@code evaluate} scores a model compiled with that loss.
     */
    public static EvalResult evaluate(BatchPredictor predictor, ImageSet set, int classes, double labelSmoothing) {
        double on = 1 - labelSmoothing + labelSmoothing / classes;
        double off = labelSmoothing / classes;
        long[][] confusion = new long[classes][classes];
        int[] predictions = new int[set.count()];
        float[] confidence = new float[set.count()];
        double lossSum = 0;
        long correct = 0;
        int[] identity = set.isStreamed() ? io.deepnets.data.BatchAssembler.identity(set.count()) : null;
        for (int from = 0; from < set.count(); from += BATCH) {
            int to = Math.min(set.count(), from + BATCH);
            // A streamed set is decoded a chunk at a time; an in-memory one is read in place.
            float[] p = identity != null ? predictor.probabilities(set.rows(identity, from, to), 0, to - from) : predictor.probabilities(set, from, to);
            for (int i = 0; i < to - from; i++) {
                int truth = set.labels()[from + i];
                int best = 0;
                for (int c = 1; c < classes; c++) {
                    if (p[i * classes + c] > p[i * classes + best]) {
                        best = c;
                    }
                }
                for (int c = 0; c < classes; c++) {
                    double y = c == truth ? on : off;      // without smoothing: 1 at the label, the other terms 0 and skipped
                    if (y != 0) {
                        lossSum -= y * Math.log(Math.min(1 - CLIP, Math.max(CLIP, p[i * classes + c])));
                    }
                }
                confusion[truth][best]++;
                predictions[from + i] = best;
                confidence[from + i] = p[i * classes + best];
                if (best == truth) {
                    correct++;
                }
            }
        }
        int n = Math.max(1, set.count());
        return new EvalResult(lossSum / n, (double) correct / n, confusion, predictions, confidence);
    }
}
