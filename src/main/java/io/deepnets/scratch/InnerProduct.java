package io.deepnets.scratch;

import java.util.List;

/**
 * Caffe's InnerProduct (Keras's Dense without activation): {@code y = x W^T + b} with {@code W} as Caffe stores it,
 * {@code [outputs][inputs]}. Backward: {@code dW += dy^T x}, {@code db += sum over the batch of dy},
 * {@code dx = dy W}.
 */
public final class InnerProduct implements Layer {
    private final int inputs;
    private final int outputs;
    private final Param weights;
    private final Param bias;
    private float[] input;

    public InnerProduct(int inputs, int outputs) {
        this.inputs = inputs;
        this.outputs = outputs;
        this.weights = new Param("W", outputs * inputs, 1f);
        this.bias = new Param("b", outputs, 2f);
    }

    public Param weights() {
        return weights;
    }

    public Param bias() {
        return bias;
    }

    @Override
    public Shape outputShape(Shape in) {
        if (in.size() != inputs) {
            throw new IllegalArgumentException("inner product of " + inputs + " inputs gets " + in + " = " + in.size() + " values");
        }
        return Shape.flat(outputs);
    }

    @Override
    public float[] forward(float[] x, int n) {
        input = x;
        float[] y = new float[n * outputs];
        Gemm.multiplyTransposedB(x, weights.value(), y, n, inputs, outputs, false);
        for (int s = 0; s < n; s++) {
            for (int o = 0; o < outputs; o++) {
                y[s * outputs + o] += bias.value()[o];
            }
        }
        return y;
    }

    @Override
    public float[] backward(float[] dy, int n) {
        Gemm.multiplyTransposedA(dy, input, weights.gradient(), outputs, n, inputs, true);
        for (int s = 0; s < n; s++) {
            for (int o = 0; o < outputs; o++) {
                bias.gradient()[o] += dy[s * outputs + o];
            }
        }
        float[] dx = new float[n * inputs];
        Gemm.multiply(dy, weights.value(), dx, n, outputs, inputs, false);
        return dx;
    }

    @Override
    public List<Param> params() {
        return List.of(weights, bias);
    }

    @Override
    public String describe() {
        return "inner product " + inputs + " -> " + outputs;
    }
}
