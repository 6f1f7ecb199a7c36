package io.deepnets.scratch;

import java.util.List;

/**
 * Convolution (cross-correlation, as every framework computes it) through im2col and ONE matrix product for the
 * whole batch: the {@code k = channels x kh x kw} input values under each of the {@code p = oh x ow} output positions
 * of every sample become a column of {@code cols [k][n x p]}; then {@code Y [filters][n x p] = W [filters][k] . cols}
 * plus the bias. Backward is the same two matrices the other way round: {@code dW += dY . cols^T},
 * {@code dcols = W^T . dY}, and col2im adds each column back onto the input positions it came from. Zero padding
 * and any stride.
 */
public final class Convolution implements Layer {
    private final int inChannels;
    private final int filters;
    private final int kh;
    private final int kw;
    private final int stride;
    private final int pad;
    private final Param weights;
    private final Param bias;
    private Shape in;
    private int oh;
    private int ow;
    private float[] cols;
    private int batch;

    public Convolution(int inChannels, int filters, int kernel, int stride, int pad) {
        this.inChannels = inChannels;
        this.filters = filters;
        this.kh = kernel;
        this.kw = kernel;
        this.stride = stride;
        this.pad = pad;
        // [filters][channels][kh][kw]: the layout of Caffe and of DL4J's ConvolutionLayer "W".
        this.weights = new Param("W", filters * inChannels * kernel * kernel, 1f);
        this.bias = new Param("b", filters, 2f);
    }

    public Param weights() {
        return weights;
    }

    public Param bias() {
        return bias;
    }

    @Override
    public Shape outputShape(Shape input) {
        if (input.channels() != inChannels) {
            throw new IllegalArgumentException("convolution over " + inChannels + " channels gets " + input);
        }
        int h = (input.height() + 2 * pad - kh) / stride + 1;
        int w = (input.width() + 2 * pad - kw) / stride + 1;
        if (h < 1 || w < 1) {
            throw new IllegalArgumentException(kh + "x" + kw + " kernel larger than the padded input " + input);
        }
        return new Shape(filters, h, w);
    }

    /** Remembers the input shape the next forward pass gets (the layer is used inside a {@link Network}). */
    public void setInputShape(Shape input) {
        Shape out = outputShape(input);
        this.in = input;
        this.oh = out.height();
        this.ow = out.width();
    }

    @Override
    public float[] forward(float[] x, int n) {
        batch = n;
        int k = inChannels * kh * kw;
        int p = oh * ow;
        cols = im2col(x, n);
        float[] y = new float[filters * n * p];
        Gemm.multiply(weights.value(), cols, y, filters, k, n * p, false);
        // [filters][n][p] -> [n][filters][p], plus the bias.
        float[] out = new float[n * filters * p];
        for (int f = 0; f < filters; f++) {
            float b = bias.value()[f];
            for (int s = 0; s < n; s++) {
                System.arraycopy(y, (f * n + s) * p, out, (s * filters + f) * p, p);
                for (int q = 0; q < p; q++) {
                    out[(s * filters + f) * p + q] += b;
                }
            }
        }
        return out;
    }

    float[] im2col(float[] x, int n) {
        int k = inChannels * kh * kw;
        int p = oh * ow;
        int h = in.height();
        int w = in.width();
        float[] c = new float[k * n * p];
        int width = n * p;
        java.util.stream.IntStream.range(0, n).parallel().forEach(s -> {
            int base = s * inChannels * h * w;
            for (int ch = 0; ch < inChannels; ch++) {
                for (int i = 0; i < kh; i++) {
                    for (int j = 0; j < kw; j++) {
                        int row = (ch * kh + i) * kw + j;
                        int rowStart = row * width + s * p;
                        for (int r = 0; r < oh; r++) {
                            int yy = r * stride - pad + i;
                            for (int col = 0; col < ow; col++) {
                                int xx = col * stride - pad + j;
                                c[rowStart + r * ow + col] = yy < 0 || yy >= h || xx < 0 || xx >= w ? 0f : x[base + (ch * h + yy) * w + xx];
                            }
                        }
                    }
                }
            }
        });
        return c;
    }

    @Override
    public float[] backward(float[] dy, int n) {
        int k = inChannels * kh * kw;
        int p = oh * ow;
        // [n][filters][p] -> [filters][n][p], summing the bias gradient on the way.
        float[] g = new float[filters * n * p];
        for (int s = 0; s < n; s++) {
            for (int f = 0; f < filters; f++) {
                System.arraycopy(dy, (s * filters + f) * p, g, (f * n + s) * p, p);
                float sum = 0;
                for (int q = 0; q < p; q++) {
                    sum += dy[(s * filters + f) * p + q];
                }
                bias.gradient()[f] += sum;
            }
        }
        Gemm.multiplyTransposedB(g, cols, weights.gradient(), filters, n * p, k, true);
        float[] dcols = new float[k * n * p];
        Gemm.multiplyTransposedA(weights.value(), g, dcols, k, filters, n * p, false);
        return col2im(dcols, n);
    }

    private float[] col2im(float[] dcols, int n) {
        int p = oh * ow;
        int h = in.height();
        int w = in.width();
        int width = n * p;
        float[] dx = new float[n * inChannels * h * w];
        java.util.stream.IntStream.range(0, n).parallel().forEach(s -> {
            int base = s * inChannels * h * w;
            for (int ch = 0; ch < inChannels; ch++) {
                for (int i = 0; i < kh; i++) {
                    for (int j = 0; j < kw; j++) {
                        int rowStart = ((ch * kh + i) * kw + j) * width + s * p;
                        for (int r = 0; r < oh; r++) {
                            int yy = r * stride - pad + i;
                            if (yy < 0 || yy >= h) {
                                continue;
                            }
                            for (int col = 0; col < ow; col++) {
                                int xx = col * stride - pad + j;
                                if (xx >= 0 && xx < w) {
                                    dx[base + (ch * h + yy) * w + xx] += dcols[rowStart + r * ow + col];
                                }
                            }
                        }
                    }
                }
            }
        });
        return dx;
    }

    @Override
    public List<Param> params() {
        return List.of(weights, bias);
    }

    @Override
    public String describe() {
        return "convolution " + filters + " " + kh + "x" + kw + (stride > 1 ? " stride " + stride : "") + (pad > 0 ? " pad " + pad : "");
    }

    int batch() {
        return batch;
    }
}
