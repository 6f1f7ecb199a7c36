package io.deepnets.scratch;

/**
 * Max pooling over {@code size x size} windows at a stride, no padding. The forward pass records which input held
 * each maximum (the first one in row order on a tie, as Caffe does); backward routes each output gradient to that
 * input alone.
 */
public final class MaxPooling implements Layer {
    private final int size;
    private final int stride;
    private Shape in;
    private Shape out;
    private int[] argMax;

    public MaxPooling(int size, int stride) {
        this.size = size;
        this.stride = stride;
    }

    @Override
    public Shape outputShape(Shape input) {
        int h = (input.height() - size) / stride + 1;
        int w = (input.width() - size) / stride + 1;
        if (h < 1 || w < 1) {
            throw new IllegalArgumentException(size + "x" + size + " pooling larger than its input " + input);
        }
        return new Shape(input.channels(), h, w);
    }

    public void setInputShape(Shape input) {
        in = input;
        out = outputShape(input);
    }

    @Override
    public float[] forward(float[] x, int n) {
        int planes = n * in.channels();
        int ih = in.height();
        int iw = in.width();
        int oh = out.height();
        int ow = out.width();
        float[] y = new float[planes * oh * ow];
        argMax = new int[y.length];
        for (int pl = 0; pl < planes; pl++) {
            int ib = pl * ih * iw;
            int ob = pl * oh * ow;
            for (int r = 0; r < oh; r++) {
                for (int c = 0; c < ow; c++) {
                    int best = ib + (r * stride) * iw + c * stride;
                    for (int i = 0; i < size; i++) {
                        for (int j = 0; j < size; j++) {
                            int at = ib + (r * stride + i) * iw + c * stride + j;
                            if (x[at] > x[best]) {
                                best = at;
                            }
                        }
                    }
                    y[ob + r * ow + c] = x[best];
                    argMax[ob + r * ow + c] = best;
                }
            }
        }
        return y;
    }

    @Override
    public float[] backward(float[] dy, int n) {
        float[] dx = new float[n * in.size()];
        for (int i = 0; i < dy.length; i++) {
            dx[argMax[i]] += dy[i];
        }
        return dx;
    }

    @Override
    public String describe() {
        return "max pooling " + size + "x" + size + " stride " + stride;
    }
}
