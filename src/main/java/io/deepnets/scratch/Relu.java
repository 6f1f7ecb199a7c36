package io.deepnets.scratch;

/** {@code max(0, x)}; backward passes the gradient where the input was positive (0 at the kink, as Caffe and DL4J). */
public final class Relu implements Layer {
    private float[] input;

    @Override
    public Shape outputShape(Shape input) {
        return input;
    }

    @Override
    public float[] forward(float[] x, int n) {
        input = x;
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = x[i] > 0 ? x[i] : 0f;
        }
        return y;
    }

    @Override
    public float[] backward(float[] dy, int n) {
        float[] dx = new float[dy.length];
        for (int i = 0; i < dy.length; i++) {
            dx[i] = input[i] > 0 ? dy[i] : 0f;
        }
        return dx;
    }

    @Override
    public String describe() {
        return "relu";
    }
}
