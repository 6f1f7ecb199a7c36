package io.deepnets.engine.kernels;


import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The oneDNN layers against their definitions, computed here in double with plain loops: convolution (strides,
 * DL4J's asymmetric 'same' padding, the fused ReLU) forward and all three gradients, max pooling forward and its
 * routed gradient, the dense layer with DL4J's 'f'-order weights. The training step built on them is compared with
 * DL4J's {@code fit} in {@link OneDnnTrainingStepTest}; these cases reach shapes the assignment's nets do not.
 */
class OneDnnLayersTest {
    private static final double TOLERANCE = 2e-5;
    private final Random random = new Random(11);

    @BeforeAll
    static void oneDnnLoads() {
        assertEquals(java.util.Optional.empty(), OneDnnPrimitives.unavailable(), "oneDNN's native library loads on this machine");
    }

    @ParameterizedTest(name = "stride {0}, same {1}, relu {2}")
    @CsvSource({"1, false, false", "1, true, true", "2, true, true", "2, false, true", "3, true, false"})
    void convolutionMatchesItsDefinition(int stride, boolean same, boolean relu) {
        int n = 3;
        int c = 2;
        int h = 7;
        int w = 6;
        int o = 4;
        int k = 3;
        int oh = same ? (h + stride - 1) / stride : (h - k) / stride + 1;
        int ow = same ? (w + stride - 1) / stride : (w - k) / stride + 1;
        // DL4J's 'same': half the missing rows/columns before (rounded down), the rest after.
        int padT = same ? ((oh - 1) * stride + k - h) / 2 : 0;
        int padL = same ? ((ow - 1) * stride + k - w) / 2 : 0;
        INDArray x = random(n, c, h, w);
        INDArray weights = random(o, c, k, k);
        INDArray bias = random(o);
        INDArray eps = random(n, o, oh, ow);
        INDArray out = Nd4j.create(DataType.FLOAT, n, o, oh, ow);
        INDArray gW = Nd4j.create(DataType.FLOAT, o, c, k, k);
        INDArray gb = Nd4j.create(DataType.FLOAT, o);
        INDArray gx = Nd4j.create(DataType.FLOAT, n, c, h, w);
        try (OneDnnConvolution conv = new OneDnnConvolution(new long[] {c, h, w}, new long[] {o, oh, ow}, new int[] {k, k},
                new int[] {stride, stride}, new int[] {padT, padL}, relu, true)) {
            conv.forward(x, weights, bias, out, true);
            INDArray inference = Nd4j.create(DataType.FLOAT, n, o, oh, ow);
            conv.forward(x, weights, bias, inference, false);
            conv.backward(x, weights, out, eps.dup(), gW, gb, gx);

            double[] z = new double[n * o * oh * ow];
            double[] expGW = new double[o * c * k * k];
            double[] expGb = new double[o];
            double[] expGx = new double[n * c * h * w];
            float[] xs = x.reshape(x.length()).toFloatVector();
            float[] ws = weights.reshape(weights.length()).toFloatVector();
            int[] inputAt = new int[c * k * k];      // one output's window: the flat input and weight index of each tap
            int[] weightAt = new int[c * k * k];
            for (int b = 0; b < n; b++) {
                for (int f = 0; f < o; f++) {
                    for (int y = 0; y < oh; y++) {
                        for (int xx = 0; xx < ow; xx++) {
                            int taps = 0;
                            for (int ch = 0; ch < c; ch++) {
                                for (int i = 0; i < k; i++) {
                                    for (int j = 0; j < k; j++) {
                                        int iy = y * stride + i - padT;
                                        int ix = xx * stride + j - padL;
                                        if (iy >= 0 && iy < h && ix >= 0 && ix < w) {     // outside: padding, a zero
                                            inputAt[taps] = ((b * c + ch) * h + iy) * w + ix;
                                            weightAt[taps++] = ((f * c + ch) * k + i) * k + j;
                                        }
                                    }
                                }
                            }
                            double sum = bias.getDouble(f);
                            for (int t = 0; t < taps; t++) {
                                sum += (double) xs[inputAt[t]] * ws[weightAt[t]];
                            }
                            z[((b * o + f) * oh + y) * ow + xx] = relu ? Math.max(sum, 0) : sum;
                            double delta = eps.getDouble(b, f, y, xx) * (relu && sum <= 0 ? 0 : 1);
                            expGb[f] += delta;
                            for (int t = 0; t < taps; t++) {
                                expGW[weightAt[t]] += delta * xs[inputAt[t]];
                                expGx[inputAt[t]] += delta * ws[weightAt[t]];
                            }
                        }
                    }
                }
            }
            assertClose(z, out, "forward");
            assertClose(z, inference, "inference forward");
            assertClose(expGW, gW, "weight gradient");
            assertClose(expGb, gb, "bias gradient");
            assertClose(expGx, gx, "input gradient");
        }
    }

    @Test
    void theFirstLayerComputesNoInputGradient() {
        INDArray x = random(2, 1, 5, 5);
        INDArray weights = random(3, 1, 3, 3);
        INDArray gx = Nd4j.valueArrayOf(new long[] {2, 1, 5, 5}, 7f);
        try (OneDnnConvolution conv = new OneDnnConvolution(new long[] {1, 5, 5}, new long[] {3, 3, 3}, new int[] {3, 3}, new int[] {1, 1},
                new int[] {0, 0}, true, false)) {
            INDArray out = Nd4j.create(DataType.FLOAT, 2, 3, 3, 3);
            conv.forward(x, weights, random(3), out, true);
            conv.backward(x, weights, out, random(2, 3, 3, 3), Nd4j.create(DataType.FLOAT, 3, 1, 3, 3), Nd4j.create(DataType.FLOAT, 3), gx);
            assertEquals(7f, gx.minNumber().floatValue(), "the array for an input gradient is left as it was");
            assertEquals(7f, gx.maxNumber().floatValue());
        }
    }

    @Test
    void maxPoolingRoutesEachGradientToItsMaximum() {
        int n = 2;
        int c = 3;
        int h = 5;
        int w = 4;
        INDArray x = random(n, c, h, w);
        INDArray out = Nd4j.create(DataType.FLOAT, n, c, 2, 2);
        INDArray eps = random(n, c, 2, 2);
        INDArray gx = Nd4j.create(DataType.FLOAT, n, c, h, w);
        try (OneDnnMaxPooling pool = new OneDnnMaxPooling(new long[] {c, h, w}, new long[] {c, 2, 2}, new int[] {2, 2}, new int[] {2, 2})) {
            pool.forward(x, out, true);
            pool.backward(eps, gx);
            double[] expected = new double[n * c * 4];
            double[] expGx = new double[n * c * h * w];
            for (int b = 0; b < n; b++) {
                for (int ch = 0; ch < c; ch++) {
                    for (int y = 0; y < 2; y++) {
                        for (int xx = 0; xx < 2; xx++) {
                            int best = -1;
                            double max = Double.NEGATIVE_INFINITY;
                            for (int i = 0; i < 2; i++) {
                                for (int j = 0; j < 2; j++) {
                                    double v = x.getDouble(b, ch, 2 * y + i, 2 * xx + j);
                                    if (v > max) {
                                        max = v;
                                        best = ((b * c + ch) * h + 2 * y + i) * w + 2 * xx + j;
                                    }
                                }
                            }
                            expected[((b * c + ch) * 2 + y) * 2 + xx] = max;
                            expGx[best] += eps.getDouble(b, ch, y, xx);
                        }
                    }
                }
            }
            assertClose(expected, out, "pooled maxima");
            assertClose(expGx, gx, "routed gradient (row 4 of 5 is outside every window)");
        }
    }

    @ParameterizedTest(name = "relu {0}")
    @CsvSource({"true", "false"})
    void theDenseLayerReadsDl4jsWeightLayout(boolean relu) {
        int n = 5;
        int nIn = 7;
        int nOut = 3;
        INDArray x = random(n, nIn);
        INDArray weights = random(nIn, nOut).dup('f');        // DL4J's dense W: [nIn, nOut], column-major
        INDArray bias = random(1, nOut);
        INDArray eps = random(n, nOut);
        INDArray out = Nd4j.create(DataType.FLOAT, n, nOut);
        INDArray gW = Nd4j.create(DataType.FLOAT, new long[] {nIn, nOut}, 'f');
        INDArray gb = Nd4j.create(DataType.FLOAT, 1, nOut);
        INDArray gx = Nd4j.create(DataType.FLOAT, n, nIn);
        try (OneDnnInnerProduct dense = new OneDnnInnerProduct(nIn, nOut, relu, true)) {
            dense.forward(x, weights, bias, out, true);
            dense.backward(x, weights, out, eps.dup(), gW, gb, gx);
            double[] z = new double[n * nOut];
            double[] delta = new double[n * nOut];
            for (int r = 0; r < n; r++) {
                for (int j = 0; j < nOut; j++) {
                    double s = bias.getDouble(0, j);
                    for (int i = 0; i < nIn; i++) {
                        s += x.getDouble(r, i) * weights.getDouble(i, j);
                    }
                    z[r * nOut + j] = relu ? Math.max(s, 0) : s;
                    delta[r * nOut + j] = eps.getDouble(r, j) * (relu && s <= 0 ? 0 : 1);
                }
            }
            double[] expGW = new double[nIn * nOut];
            double[] expGb = new double[nOut];
            double[] expGx = new double[n * nIn];
            for (int r = 0; r < n; r++) {
                for (int j = 0; j < nOut; j++) {
                    expGb[j] += delta[r * nOut + j];
                    for (int i = 0; i < nIn; i++) {
                        expGW[i * nOut + j] += x.getDouble(r, i) * delta[r * nOut + j];
                        expGx[r * nIn + i] += delta[r * nOut + j] * weights.getDouble(i, j);
                    }
                }
            }
            assertClose(z, out, "forward");
            assertClose(expGW, gW.dup('c'), "weight gradient, written in DL4J's 'f' layout");
            assertClose(expGb, gb, "bias gradient");
            assertClose(expGx, gx, "input gradient");
        }
    }

    @Test
    void anArrayThatIsNotDenseIsRefusedNotMisread() {
        INDArray x = random(4, 7).get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 5));
        try (OneDnnInnerProduct dense = new OneDnnInnerProduct(5, 2, false, false)) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> dense.forward(x, random(5, 2).dup('f'), random(2), Nd4j.create(DataType.FLOAT, 4, 2), false));
            assertTrue(e.getMessage().startsWith("oneDNN: expected a dense float array in 'c' order"), e.getMessage());
        }
    }

    private INDArray random(long... shape) {
        long size = 1;
        for (long s : shape) {
            size *= s;
        }
        float[] v = new float[(int) size];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return Nd4j.create(v, shape, 'c');
    }

    /**
     * The depthwise convolution (one 3x3 filter per channel, DL4J's weights [kH, kW, channels, 1]) after Keras's
     * {@code ZeroPadding2D(((0, 1), (0, 1)))}, stride 2, 'valid', as MobileNet's strided blocks: forward and backward
     * against the definition in double, the padding computed as the convolution's own; the forward pass also against
     * DL4J's own {@code DepthwiseConvolution2D} layer after its {@code ZeroPaddingLayer} (which fixes the weights' layout).
     */
    @ParameterizedTest(name = "{0} channels, {1}")
    @CsvSource({"3, nchw", "16, nchw", "16, blocked"})
    void depthwiseConvolutionMatchesItsDefinitionAndDl4j(int c, String layout) {
        int n = 2;
        int h = 9;
        int w = 9;
        int k = 3;
        int stride = 2;
        int oh = (h + 1 - k) / stride + 1;
        int ow = (w + 1 - k) / stride + 1;
        int tag = layout.equals("blocked") ? OneDnnPrimitives.blocked().orElseThrow().tag() : org.bytedeco.dnnl.global.dnnl.dnnl_nchw;
        INDArray x = random(n, c, h, w);
        INDArray weights = random(k, k, c, 1);
        INDArray bias = random(c);
        INDArray eps = random(n, c, oh, ow);
        INDArray out = Nd4j.create(DataType.FLOAT, n, c, oh, ow);
        INDArray gW = Nd4j.create(DataType.FLOAT, k, k, c, 1);
        INDArray gb = Nd4j.create(DataType.FLOAT, c);
        INDArray gx = Nd4j.create(DataType.FLOAT, n, c, h, w);
        try (OneDnnConvolution conv = new OneDnnConvolution(new long[] {c, h, w}, new long[] {c, oh, ow}, new int[] {k, k},
                new int[] {stride, stride}, new int[] {0, 0}, ActivationKind.IDENTITY, true, true, tag, tag, true)) {
            conv.forward(blocked(x, tag), weights, bias, out, true);
            conv.backward(blocked(x, tag), weights, out, blocked(eps, tag), gW, gb, gx);
            out = plain(out, tag);
            gx = plain(gx, tag);
        }
        double[] z = new double[n * c * oh * ow];
        double[] expGW = new double[k * k * c];
        double[] expGb = new double[c];
        double[] expGx = new double[n * c * h * w];
        for (int b = 0; b < n; b++) {
            for (int ch = 0; ch < c; ch++) {
                for (int y = 0; y < oh; y++) {
                    for (int xx = 0; xx < ow; xx++) {
                        double sum = bias.getDouble(ch);
                        for (int i = 0; i < k; i++) {
                            for (int j = 0; j < k; j++) {
                                int iy = y * stride + i;
                                int ix = xx * stride + j;
                                if (iy < h && ix < w) {     // the row and column of zeros after the input
                                    sum += x.getDouble(b, ch, iy, ix) * weights.getDouble(i, j, ch, 0);
                                }
                            }
                        }
                        z[((b * c + ch) * oh + y) * ow + xx] = sum;
                        double delta = eps.getDouble(b, ch, y, xx);
                        expGb[ch] += delta;
                        for (int i = 0; i < k; i++) {
                            for (int j = 0; j < k; j++) {
                                int iy = y * stride + i;
                                int ix = xx * stride + j;
                                if (iy < h && ix < w) {
                                    expGW[(i * k + j) * c + ch] += delta * x.getDouble(b, ch, iy, ix);
                                    expGx[((b * c + ch) * h + iy) * w + ix] += delta * weights.getDouble(i, j, ch, 0);
                                }
                            }
                        }
                    }
                }
            }
        }
        assertClose(z, out, "forward");
        assertClose(expGW, gW, "weight gradient");
        assertClose(expGb, gb, "bias gradient");
        assertClose(expGx, gx, "input gradient");

        io.deepnets.config.ExperimentConfig config = io.deepnets.config.ConfigLoader.parse("""
                name: dw
                data: {dataset: cifar10, validation_data: test}
                model:
                  input_shape: [%d, %d, %d]
                  layers:
                    - {type: zero_padding2d, padding: [[0, 1], [0, 1]]}
                    - {type: depthwise_conv2d, kernel_size: 3, strides: 2, padding: valid}
                    - {type: flatten}
                    - {type: output, units: 2}
                optimizer: {name: sgd, learning_rate: 0.1}
                training: {batch_size: 2, epochs: 1}
                """.formatted(h, w, c), java.util.List.of());
        org.deeplearning4j.nn.multilayer.MultiLayerNetwork net = io.deepnets.model.KerasModelMapper.build(config);
        net.getLayer(1).setParam("W", weights);
        net.getLayer(1).setParam("b", bias.reshape(1, c));
        INDArray dl4j = net.feedForward(x.reshape(n, c * h * w), false).get(2);
        assertClose(dl4j.reshape(dl4j.length()).toDoubleVector(), out, "forward against DL4J's DepthwiseConvolution2D");
    }

    /** {@code a} (NCHW) in layout {@code tag}, by oneDNN's reorder. */
    private static INDArray blocked(INDArray a, int tag) {
        return tag == org.bytedeco.dnnl.global.dnnl.dnnl_nchw ? a : Reorder.of(a, org.bytedeco.dnnl.global.dnnl.dnnl_nchw, tag);
    }

    /** {@code a} in layout {@code tag} back in NCHW. */
    private static INDArray plain(INDArray a, int tag) {
        return tag == org.bytedeco.dnnl.global.dnnl.dnnl_nchw ? a : Reorder.of(a, tag, org.bytedeco.dnnl.global.dnnl.dnnl_nchw);
    }

    /** One reorder between two layouts of a 4-d float array. */
    private static final class Reorder extends OneDnnPrimitives {
        static INDArray of(INDArray a, int from, int to) {
            INDArray result = Nd4j.create(DataType.FLOAT, a.shape());
            try (Reorder r = new Reorder()) {
                org.bytedeco.dnnl.dnnl_memory_desc_t src = desc(a.shape(), from);
                org.bytedeco.dnnl.dnnl_memory_desc_t dst = desc(a.shape(), to);
                org.bytedeco.dnnl.dnnl_memory in = r.memory(src);
                org.bytedeco.dnnl.dnnl_memory out = r.memory(dst);
                setHandle(in, a);
                setHandle(out, result);
                r.run(r.reorder(src, dst, in, out));
            }
            return result;
        }
    }

    private static void assertClose(double[] expected, INDArray actual, String what) {
        float[] a = actual.reshape(actual.length()).toFloatVector();
        assertEquals(expected.length, a.length, what);
        for (int i = 0; i < a.length; i++) {
            assertEquals(expected[i], a[i], TOLERANCE * Math.max(1, Math.abs(expected[i])), what + " at " + i);
        }
    }
}
