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
        Tally tally = new Tally(set, classes, labelSmoothing);
        forEachChunk(set, (rows, first, last, from) -> tally.add(predictor.probabilities(rows, first, last), from));
        return tally.result();
    }

    /** The figures of the two views' mean and of the image alone, scored as {@link #evaluate(BatchPredictor, ImageSet, int, double)}. */
    public record MirrorEvaluation(EvalResult mean, EvalResult alone) {
    }

    /** Scores the mean of each image and its mirror image, and the image alone, from one pass of each view. */
    public static MirrorEvaluation evaluateWithMirrorImage(MirrorAveragedPredictor predictor, ImageSet set, int classes, double labelSmoothing) {
        Tally mean = new Tally(set, classes, labelSmoothing);
        Tally alone = new Tally(set, classes, labelSmoothing);
        forEachChunk(set, (rows, first, last, from) -> {
            MirrorAveragedPredictor.Views views = predictor.views(rows, first, last);
            mean.add(views.mean(), from);
            alone.add(views.alone(), from);
        });
        return new MirrorEvaluation(mean.result(), alone.result());
    }

    /** Rows {@code first..last} of {@code rows}, which are the set's rows from {@code from} on. */
    private interface Chunk {
        void score(ImageSet rows, int first, int last, int from);
    }

    private static void forEachChunk(ImageSet set, Chunk chunk) {
        int[] identity = set.isStreamed() ? BatchAssembler.identity(set.count()) : null;
        for (int from = 0; from < set.count(); from += BATCH) {
            int to = Math.min(set.count(), from + BATCH);
            // A streamed set is decoded a chunk at a time; an in-memory one is read in place.
            if (identity != null) {
                chunk.score(set.rows(identity, from, to), 0, to - from, from);
            } else {
                chunk.score(set, from, to, from);
            }
        }
    }

    /** The running sums of one evaluation. */
    private static final class Tally {
        private final ImageSet set;
        private final int classes;
        private final double on;
        private final double off;
        private final long[][] confusion;
        private final int[] predictions;
        private final float[] confidence;
        private double lossSum;
        private long correct;

        Tally(ImageSet set, int classes, double labelSmoothing) {
            this.set = set;
            this.classes = classes;
            this.on = 1 - labelSmoothing + labelSmoothing / classes;
            this.off = labelSmoothing / classes;
            this.confusion = new long[classes][classes];
            this.predictions = new int[set.count()];
            this.confidence = new float[set.count()];
        }

        /** Probabilities {@code p} of consecutive rows from set row {@code from} on. */
        void add(float[] p, int from) {
            for (int i = 0; i < p.length / classes; i++) {
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

        EvalResult result() {
            int n = Math.max(1, set.count());
            return new EvalResult(lossSum / n, (double) correct / n, confusion, predictions, confidence);
        }
    }
}
