package io.deepnets.lowlevel;

import io.deepnets.model.NativeRuntime;
import java.util.Map;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * The same backward pass by DL4J's own machinery, chained from the loss down without using any hand-computed
 * gradient: an OutputLayer (softmax, multi-class cross-entropy) with the dense weights gives the gradients of the
 * dense weights, bias and input; the per-channel standardisation, which has no DL4J layer, is differentiated by
 * SameDiff (ND4J's automatic differentiation); then DL4J's SubsamplingLayer, ReLU ActivationLayer and
 * ConvolutionLayer each backpropagate the gradient the stage above produced. Double precision throughout.
 */
public final class Dl4jBackward {
    private Dl4jBackward() {
    }

    public static Gradients run(Stages s, int label) {
        NativeRuntime.configure();
        LayerWorkspaceMgr ws = LayerWorkspaceMgr.noWorkspaces();
        int h = s.image().length;
        int w = s.image()[0].length;
        int c = s.image()[0][0].length;
        int f = s.filters().length;
        int kh = s.filters()[0].length;
        int kw = s.filters()[0][0].length;
        int ph = s.pool().length;
        int pw = s.pool()[0].length;
        int classes = s.dense().length;
        int inputs = ph * pw * f;

        // 1. Dense + softmax + cross-entropy: DL4J's OutputLayer.
        MultiLayerNetwork top = net(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(classes).activation(Activation.SOFTMAX)
                .build(), InputType.feedForward(inputs));
        top.getLayer(0).setParam("W", Nd4j.createFromArray(s.denseWeights()));
        INDArray bias = Nd4j.valueArrayOf(new long[] {1, classes}, LowLevelInput.DENSE_BIAS, DataType.DOUBLE);
        top.getLayer(0).setParam("b", bias);
        INDArray flat = Nd4j.createFromArray(new double[][] {HandOps.flatten(s.norm())});
        INDArray labels = Nd4j.zeros(DataType.DOUBLE, 1, classes);
        labels.putScalar(0, label, 1.0);
        org.deeplearning4j.nn.layers.BaseOutputLayer<?> out = (org.deeplearning4j.nn.layers.BaseOutputLayer<?>) top.getLayer(0);
        INDArray p = out.activate(flat, true, ws).dup();       // DL4J's softmax of its own dense output
        double loss = -Math.log(p.getDouble(0, label));
        out.setLabels(labels);
        Pair<Gradient, INDArray> topBack = out.backpropGradient(null, ws);
        double[] dz = p.sub(labels).toDoubleVector();      // what the OutputLayer's loss hands its pre-activation
        double[][] dW = topBack.getFirst().getGradientFor("W").toDoubleMatrix();
        double[] dB = topBack.getFirst().getGradientFor("b").toDoubleVector();
        double[] dFlat = topBack.getSecond().toDoubleVector();
        double[][][] dNorm = HandBackward.unflatten(dFlat, s.norm());

        // 2. Per-channel standardisation: SameDiff's gradient of sum(norm(x) * dNorm).
        INDArray pooled = nchw(s.pool()).reshape('c', f, (long) ph * pw);
        INDArray upstream = nchw(dNorm).reshape('c', f, (long) ph * pw);
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.var("x", pooled.dup());
        SDVariable centred = x.sub(x.mean(true, 1));
        SDVariable std = sd.math().sqrt(sd.math().square(centred).mean(true, 1));
        SDVariable y = centred.div(std);
        SDVariable objective = y.mul(sd.constant("up", upstream)).sum();
        objective.markAsLoss();
        Map<String, INDArray> grads;
        java.io.PrintStream stdout = System.out;
        try {
            // SameDiff M2.1 prints "Added differentiated op ..." to standard output while it builds the gradient graph,
            // which would corrupt --json; it is silenced for that call.
            System.setOut(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
            grads = sd.calculateGradients(null, "x");
        } finally {
            System.setOut(stdout);
        }
        INDArray dPoolFlat = grads.get("x");
        double[][][] dPool = hwc(dPoolFlat.reshape('c', 1, f, ph, pw));
        for (int k = 0; k < f; k++) {
            if (pooled.getRow(k).stdNumber().doubleValue() == 0) {
                for (double[][] row : dPool) {
                    for (double[] px : row) {
                        px[k] = 0;                                   // a constant channel: output 0, no gradient
                    }
                }
            }
        }

        // 3. Pooling, ReLU and convolution: DL4J's layers, each fed the layer above's gradient.
        MultiLayerNetwork bottom = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().dataType(DataType.DOUBLE).list()
                .layer(new ConvolutionLayer.Builder().nIn(c).nOut(f).kernelSize(kh, kw).stride(1, 1).padding(0, 0).dilation(1, 1)
                        .convolutionMode(ConvolutionMode.Truncate).dataFormat(CNN2DFormat.NCHW).activation(Activation.IDENTITY).hasBias(true).build())
                .layer(new ActivationLayer.Builder().activation(Activation.RELU).build())
                .layer(new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2).padding(0, 0)
                        .convolutionMode(ConvolutionMode.Truncate).dataFormat(CNN2DFormat.NCHW).build())
                .setInputType(InputType.convolutional(h, w, c, CNN2DFormat.NCHW)).build());
        bottom.init();
        bottom.initGradientsView();
        bottom.getLayer(0).setParam("W", Dl4jOps.filterWeights(s.filters()));
        bottom.getLayer(0).setParam("b", Nd4j.zeros(DataType.DOUBLE, 1, f));
        INDArray image = nchw(s.image());
        INDArray conv = bottom.getLayer(0).activate(image, true, ws).dup();
        INDArray relu = bottom.getLayer(1).activate(conv.dup(), true, ws).dup();
        bottom.getLayer(2).activate(relu.dup(), true, ws);
        INDArray dReluArr = bottom.getLayer(2).backpropGradient(nchw(dPool), ws).getSecond().dup();
        bottom.getLayer(1).activate(conv.dup(), true, ws);
        INDArray dConvArr = bottom.getLayer(1).backpropGradient(dReluArr.dup(), ws).getSecond().dup();
        bottom.getLayer(0).activate(image, true, ws);
        Pair<Gradient, INDArray> convBack = bottom.getLayer(0).backpropGradient(dConvArr.dup(), ws);
        INDArray dW4 = convBack.getFirst().getGradientFor("W");
        double[][][][] dFilters = new double[f][kh][kw][c];
        for (int o = 0; o < f; o++) {
            for (int i = 0; i < kh; i++) {
                for (int j = 0; j < kw; j++) {
                    for (int k = 0; k < c; k++) {
                        dFilters[o][i][j][k] = dW4.getDouble(o, k, i, j);
                    }
                }
            }
        }
        return new Gradients(label, loss, dz, dW, dB, dNorm, dPool, hwc(dReluArr), hwc(dConvArr), dFilters,
                convBack.getFirst().getGradientFor("b").toDoubleVector(), hwc(convBack.getSecond()));
    }

    private static MultiLayerNetwork net(org.deeplearning4j.nn.conf.layers.Layer layer, InputType in) {
        MultiLayerNetwork n = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().dataType(DataType.DOUBLE).list().layer(layer)
                .setInputType(in).build());
        n.init();
        n.initGradientsView();
        return n;
    }

    /** [row][column][channel] to [1, C, H, W]. */
    static INDArray nchw(double[][][] x) {
        INDArray a = Nd4j.create(DataType.DOUBLE, 1, x[0][0].length, x.length, x[0].length);
        for (int r = 0; r < x.length; r++) {
            for (int c = 0; c < x[0].length; c++) {
                for (int k = 0; k < x[0][0].length; k++) {
                    a.putScalar(new long[] {0, k, r, c}, x[r][c][k]);
                }
            }
        }
        return a;
    }

    static double[][][] hwc(INDArray a) {
        return Dl4jOps.hwc(a);
    }
}
