package io.deepnets.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.deepnets.config.TensorShape;
import io.deepnets.data.ImageSet;
import org.junit.jupiter.api.Test;

class MirrorAveragedPredictorTest {
    static final double[] W = {1, -2, 3, 0.5};

    /** Two classes scored from one 2 x 2 grey image (pixels a b / c d): p(class 0) = sigmoid(a - 2b + 3c + 0.5d). */
    static final BatchPredictor WEIGHTED = (set, from, to) -> {
        float[] p = new float[(to - from) * 2];
        for (int i = from; i < to; i++) {
            p[(i - from) * 2] = (float) sigmoid(score(set.row(i)));
            p[(i - from) * 2 + 1] = 1 - p[(i - from) * 2];
        }
        return p;
    };

    static double score(float[] x) {
        return W[0] * x[0] + W[1] * x[1] + W[2] * x[2] + W[3] * x[3];
    }

    static double sigmoid(double z) {
        return 1 / (1 + Math.exp(-z));
    }

    @Test
    void eachRowIsTheMeanOfTheImageAndItsMirrorImage() {
        float[] f = {1, 0, 1, 0, 0.6f, 0.1f, 0, 0, 0.9f, 0.2f, 0.3f, 0.1f};
        ImageSet set = new ImageSet(f.clone(), new int[] {0, 1, 0}, 3, 4);
        MirrorAveragedPredictor tta = new MirrorAveragedPredictor(WEIGHTED, TensorShape.of(2, 2, 1));
        float[] p = tta.probabilities(set, 1, 3);
        double loss = 0;
        for (int i = 0; i < 3; i++) {
            float[] x = java.util.Arrays.copyOfRange(f, i * 4, i * 4 + 4);
            float[] mirror = {x[1], x[0], x[3], x[2]};
            double p0 = (sigmoid(score(x)) + sigmoid(score(mirror))) / 2;
            if (i > 0) {
                assertEquals(p0, p[(i - 1) * 2], 1e-6, "row " + i + ", class 0");
                assertEquals(1 - p0, p[(i - 1) * 2 + 1], 1e-6, "row " + i + ", class 1");
            }
            loss -= Math.log(set.labels()[i] == 0 ? p0 : 1 - p0);
        }
        assertArrayEquals(f, set.features(), "the set is not touched");

        EvalResult r = Evaluator.evaluate(tta, set, 2, 0.0);
        assertEquals(loss / 3, r.loss(), 1e-6, "the mean is scored as one view's probabilities are");
        EvalResult single = Evaluator.evaluate(WEIGHTED, set, 2, 0.0);
        assertEquals(2.0 / 3, single.accuracy(), 1e-12, "the image alone: row 1 is taken for class 0");
        assertEquals(1.0, r.accuracy(), 1e-12, "with its mirror image row 1 turns to class 1, its label");

        // Both figures from one pass of each view: the same as scoring the two predictors on their own.
        Evaluator.MirrorEvaluation both = Evaluator.evaluateWithMirrorImage(tta, set, 2, 0.0);
        for (EvalResult[] pair : new EvalResult[][] {{both.mean(), r}, {both.alone(), single}}) {
            assertEquals(pair[1].loss(), pair[0].loss(), 0.0);
            assertEquals(pair[1].accuracy(), pair[0].accuracy(), 0.0);
            assertArrayEquals(pair[1].predictions(), pair[0].predictions());
            assertArrayEquals(pair[1].confidence(), pair[0].confidence());
        }
    }
}
