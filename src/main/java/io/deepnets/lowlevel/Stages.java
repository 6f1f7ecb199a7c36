package io.deepnets.lowlevel;

/**
 * Every intermediate result of the pipeline. Images and feature maps are {@code [row][column][channel]};
 * {@code filters} is {@code [filter][row][column][channel]}; {@code denseWeights} is {@code [input][output]}.
 */
public record Stages(double[][][] image, double[][][][] filters, double[][][] conv, double[][][] relu, double[][][] pool,
        double[][][] norm, double[][] denseWeights, double[] dense, double[] softmax) {
}
