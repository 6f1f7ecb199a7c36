package io.deepnets.eval;

import io.deepnets.data.BatchAssembler;
import io.deepnets.data.ImageSet;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Runs a network over a whole set in inference mode (no dropout) and scores it. */
public final class Evaluator {
    static final double CLIP = 1e-7;
    private static final int BATCH = 500;

    private Evaluator() {
    }

    public static EvalResult evaluate(MultiLayerNetwork net, ImageSet set, int classes) {
        BatchAssembler batches = new BatchAssembler(set, classes);
        int[] order = BatchAssembler.identity(set.count());
        long[][] confusion = new long[classes][classes];
        int[] predictions = new int[set.count()];
        float[] confidence = new float[set.count()];
        double lossSum = 0;
        long correct = 0;
        for (int from = 0; from < set.count(); from += BATCH) {
            int to = Math.min(set.count(), from + BATCH);
            INDArray out = net.output(batches.features(order, from, to), false);
            float[] p = out.dup('c').data().asFloat();
            for (int i = 0; i < to - from; i++) {
                int truth = set.labels()[from + i];
                int best = 0;
                for (int c = 1; c < classes; c++) {
                    if (p[i * classes + c] > p[i * classes + best]) {
                        best = c;
                    }
                }
                double pt = Math.min(1 - CLIP, Math.max(CLIP, p[i * classes + truth]));
                lossSum -= Math.log(pt);
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
