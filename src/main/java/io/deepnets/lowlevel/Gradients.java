package io.deepnets.lowlevel;

/**
 * The loss of one labelled image through the pipeline and its gradient at every stage, in the layouts of
 * {@link Stages}: maps {@code [row][column][channel]}, filters {@code [filter][row][column][channel]}, dense weights
 * {@code [input][output]}.
 *
 * @param label the target class
 * @param loss cross-entropy {@code -log softmax[label]}
 * @param dense gradient at the dense output (softmax's input): {@code softmax - onehot(label)}
 */
public record Gradients(int label, double loss, double[] dense, double[][] denseWeights, double[] denseBias, double[][][] norm, double[][][] pool,
        double[][][] relu, double[][][] conv, double[][][][] filters, double[] convBias, double[][][] image) {
}
