package io.deepnets.scratch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;

/** Each hand-written layer's forward and backward pass equal to DL4J's layer with the same weights. */
class Dl4jLayerParityTest {
    static final LayerWorkspaceMgr NO_WS = LayerWorkspaceMgr.noWorkspaces();

    static MultiLayerNetwork single(org.deeplearning4j.nn.conf.layers.Layer layer, InputType in) {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().dataType(DataType.FLOAT).list().layer(layer)
                .setInputType(in).build());
        net.init();
        net.initGradientsView();         // backpropGradient writes into the gradient views DL4J creates on first fit
        return net;
    }

    static float[] random(Random r, int n) {
        return GradientCheckTest.random(r, n);
    }

    static void close(float[] expected, INDArray actual, String what) {
        float[] a = actual.dup('c').data().asFloat();
        assertEquals(expected.length, a.length, what + ": sizes");
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(expected[i] - a[i]));
        }
        assertTrue(max < 1e-4, what + " differs from DL4J by " + max);
    }

    @Test
    void convolutionWithStrideAndPadding() {
        Random r = new Random(1);
        int n = 2;
        int c = 3;
        int f = 4;
        int h = 9;
        int w = 8;
        for (int[] sp : new int[][] {{1, 0}, {2, 1}}) {
            Convolution mine = new Convolution(c, f, 3, sp[0], sp[1]);
            mine.setInputShape(new Shape(c, h, w));
            System.arraycopy(random(r, mine.weights().value().length), 0, mine.weights().value(), 0, mine.weights().value().length);
            System.arraycopy(random(r, f), 0, mine.bias().value(), 0, f);
            MultiLayerNetwork net = single(new ConvolutionLayer.Builder().nOut(f).kernelSize(3, 3).stride(sp[0], sp[0]).padding(sp[1], sp[1])
                    .convolutionMode(ConvolutionMode.Truncate).activation(Activation.IDENTITY).dataFormat(CNN2DFormat.NCHW).build(),
                    InputType.convolutional(h, w, c, CNN2DFormat.NCHW));
            net.getLayer(0).setParam("W", Nd4j.create(mine.weights().value(), new long[] {f, c, 3, 3}, 'c'));
            net.getLayer(0).setParam("b", Nd4j.create(mine.bias().value(), new long[] {1, f}, 'c'));
            float[] x = random(r, n * c * h * w);
            float[] y = mine.forward(x, n);
            INDArray in = Nd4j.create(x, new long[] {n, c, h, w}, 'c');
            INDArray out = net.getLayer(0).activate(in, true, NO_WS);
            close(y, out, "convolution forward " + sp[0] + "/" + sp[1]);
            float[] dy = random(r, y.length);
            float[] dx = mine.backward(dy, n);
            Pair<Gradient, INDArray> back = net.getLayer(0).backpropGradient(Nd4j.create(dy, out.shape(), 'c'), NO_WS);
            close(dx, back.getSecond(), "convolution input gradient");
            close(mine.weights().gradient(), back.getFirst().getGradientFor("W"), "convolution weight gradient");
            close(mine.bias().gradient(), back.getFirst().getGradientFor("b"), "convolution bias gradient");
        }
    }

    @Test
    void innerProductReluPoolingAndSoftmaxCrossEntropy() {
        Random r = new Random(2);
        int n = 3;
        InnerProduct ip = new InnerProduct(6, 4);
        System.arraycopy(random(r, 24), 0, ip.weights().value(), 0, 24);
        System.arraycopy(random(r, 4), 0, ip.bias().value(), 0, 4);
        MultiLayerNetwork dense = single(new DenseLayer.Builder().nOut(4).activation(Activation.IDENTITY).build(), InputType.feedForward(6));
        // DL4J's dense W is [inputs][outputs]: the transpose of Caffe's.
        dense.getLayer(0).setParam("W", Nd4j.create(Gemm.transpose(ip.weights().value(), 4, 6), new long[] {6, 4}, 'c'));
        dense.getLayer(0).setParam("b", Nd4j.create(ip.bias().value(), new long[] {1, 4}, 'c'));
        float[] x = random(r, n * 6);
        float[] y = ip.forward(x, n);
        close(y, dense.getLayer(0).activate(Nd4j.create(x, new long[] {n, 6}, 'c'), true, NO_WS), "inner product forward");
        float[] dy = random(r, n * 4);
        float[] dx = ip.backward(dy, n);
        Pair<Gradient, INDArray> back = dense.getLayer(0).backpropGradient(Nd4j.create(dy, new long[] {n, 4}, 'c'), NO_WS);
        close(dx, back.getSecond(), "inner product input gradient");
        close(Gemm.transpose(ip.weights().gradient(), 4, 6), back.getFirst().getGradientFor("W"), "inner product weight gradient");
        close(ip.bias().gradient(), back.getFirst().getGradientFor("b"), "inner product bias gradient");

        MaxPooling pool = new MaxPooling(2, 2);
        pool.setInputShape(new Shape(2, 6, 6));
        MultiLayerNetwork sub = single(new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2)
                .convolutionMode(ConvolutionMode.Truncate).dataFormat(CNN2DFormat.NCHW).build(), InputType.convolutional(6, 6, 2, CNN2DFormat.NCHW));
        float[] px = GradientCheckTest.awayFromKinks(random(r, n * 72));
        float[] py = pool.forward(px, n);
        close(py, sub.getLayer(0).activate(Nd4j.create(px, new long[] {n, 2, 6, 6}, 'c'), true, NO_WS), "max pooling forward");
        float[] pdy = random(r, py.length);
        close(pool.backward(pdy, n), sub.getLayer(0).backpropGradient(Nd4j.create(pdy, new long[] {n, 2, 3, 3}, 'c'), NO_WS).getSecond(),
                "max pooling gradient (routed to the arg-max)");

        Relu relu = new Relu();
        MultiLayerNetwork act = single(new ActivationLayer.Builder().activation(Activation.RELU).build(), InputType.feedForward(5));
        float[] rx = GradientCheckTest.awayFromKinks(random(r, n * 5));
        close(relu.forward(rx, n), act.getLayer(0).activate(Nd4j.create(rx, new long[] {n, 5}, 'c').dup(), true, NO_WS), "relu forward");
        float[] rdy = random(r, n * 5);
        act.getLayer(0).activate(Nd4j.create(rx, new long[] {n, 5}, 'c').dup(), true, NO_WS);
        close(relu.backward(rdy, n), act.getLayer(0).backpropGradient(Nd4j.create(rdy, new long[] {n, 5}, 'c'), NO_WS).getSecond(), "relu gradient");

        float[] scores = random(r, n * 4);
        int[] labels = {1, 3, 0};
        INDArray oneHot = Nd4j.zeros(DataType.FLOAT, n, 4);
        for (int s = 0; s < n; s++) {
            oneHot.putScalar(s, labels[s], 1f);
        }
        SoftmaxCrossEntropy mine = new SoftmaxCrossEntropy(4);
        double loss = mine.forward(scores, labels, n);
        INDArray z = Nd4j.create(scores, new long[] {n, 4}, 'c');
        LossMCXENT mcxent = new LossMCXENT();
        assertEquals(mcxent.computeScore(oneHot, z.dup(), new ActivationSoftmax(), null, true), loss, 1e-5, "mean cross-entropy");
        INDArray grad = mcxent.computeGradient(oneHot, z.dup(), new ActivationSoftmax(), null).divi(n);
        close(mine.backward(n), grad, "softmax cross-entropy gradient (DL4J's per sample, divided by the batch as its minibatch mode does)");
    }
}
