package io.deepnets.scratch;

/**
 * A layer's trainable array and the gradient the last backward pass accumulated into it.
 *
 * @param learningRateMultiplier Caffe's {@code lr_mult}: LeNet trains biases at twice the base rate
 */
public record Param(String name, float[] value, float[] gradient, float learningRateMultiplier) {
    public Param(String name, int size, float learningRateMultiplier) {
        this(name, new float[size], new float[size], learningRateMultiplier);
    }
}
