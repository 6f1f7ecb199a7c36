package io.deepnets.scratch;

/**
 * Softmax over each sample's scores and the mean cross-entropy against integer labels (Caffe's SoftmaxWithLoss).
 * The gradient of the mean loss with respect to the scores is {@code (p - onehot(label)) / n}.
 */
public final class SoftmaxCrossEntropy {
    private final int classes;
    private float[] probabilities;
    private int[] labels;

    public SoftmaxCrossEntropy(int classes) {
        this.classes = classes;
    }

    /** Class probabilities of {@code n} samples' scores (shifted by each row's maximum; the result is the same). */
    public static float[] softmax(float[] scores, int n, int classes) {
        float[] p = new float[n * classes];
        for (int s = 0; s < n; s++) {
            float max = Float.NEGATIVE_INFINITY;
            for (int c = 0; c < classes; c++) {
                max = Math.max(max, scores[s * classes + c]);
            }
            double sum = 0;
            for (int c = 0; c < classes; c++) {
                double e = Math.exp(scores[s * classes + c] - max);
                p[s * classes + c] = (float) e;
                sum += e;
            }
            for (int c = 0; c < classes; c++) {
                p[s * classes + c] /= (float) sum;
            }
        }
        return p;
    }

    /** The mean loss of the batch; keeps the probabilities for {@link #backward} and {@link #correct}. */
    public double forward(float[] scores, int[] labels, int n) {
        this.labels = labels;
        probabilities = softmax(scores, n, classes);
        double loss = 0;
        for (int s = 0; s < n; s++) {
            loss -= Math.log(Math.max(probabilities[s * classes + labels[s]], 1e-30f));
        }
        return loss / n;
    }

    public float[] backward(int n) {
        float[] d = new float[n * classes];
        for (int s = 0; s < n; s++) {
            for (int c = 0; c < classes; c++) {
                d[s * classes + c] = (probabilities[s * classes + c] - (c == labels[s] ? 1f : 0f)) / n;
            }
        }
        return d;
    }

    /** Samples of the last batch whose highest probability is the label. */
    public int correct(int n) {
        int hits = 0;
        for (int s = 0; s < n; s++) {
            int best = 0;
            for (int c = 1; c < classes; c++) {
                if (probabilities[s * classes + c] > probabilities[s * classes + best]) {
                    best = c;
                }
            }
            hits += best == labels[s] ? 1 : 0;
        }
        return hits;
    }

    public float[] probabilities() {
        return probabilities;
    }
}
