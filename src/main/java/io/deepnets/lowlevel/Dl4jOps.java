package io.deepnets.lowlevel;

import io.deepnets.model.NativeRuntime;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The same pipeline done by DL4J's own machinery: a ConvolutionLayer whose weights are the filters (zero bias,
 * identity activation), an ActivationLayer with ReLU, a SubsamplingLayer (max, 2x2, stride 2), then ND4J
 * reductions for the per-channel standardisation, a matrix product for the dense layer and DL4J's softmax.
 * Computed in double precision so the two implementations can be compared to 1e-6.
 */
public final class Dl4jOps {
    private Dl4jOps() {
    }

    public static Stages run(double[][][] image, double[][][][] filters, long seed) {
        HandOps.checkShapes(image, filters);
        NativeRuntime.configure();
        int h = image.length;
        int w = image[0].length;
        int c = image[0][0].length;
        int f = filters.length;
        int kh = filters[0].length;
        int kw = filters[0][0].length;
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .dataType(DataType.DOUBLE)
                .list()
                .layer(new ConvolutionLayer.Builder().nIn(c).nOut(f).kernelSize(kh, kw).stride(1, 1).padding(0, 0).dilation(1, 1)
                        .convolutionMode(ConvolutionMode.Truncate).dataFormat(CNN2DFormat.NCHW).activation(Activation.IDENTITY)
                        .hasBias(true).build())
                .layer(new ActivationLayer.Builder().activation(Activation.RELU).build())
                .layer(new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2).padding(0, 0)
                        .convolutionMode(ConvolutionMode.Truncate).dataFormat(CNN2DFormat.NCHW).build())
                .setInputType(InputType.convolutional(h, w, c, CNN2DFormat.NCHW))
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        net.getLayer(0).setParam("W", filterWeights(filters));
        net.getLayer(0).setParam("b", Nd4j.zeros(DataType.DOUBLE, 1, f));

        INDArray input = Nd4j.create(DataType.DOUBLE, 1, c, h, w);
        for (int r = 0; r < h; r++) {
            for (int col = 0; col < w; col++) {
                for (int k = 0; k < c; k++) {
                    input.putScalar(new long[] {0, k, r, col}, image[r][col][k]);
                }
            }
        }
        // Layer by layer on copies: DL4J's ActivationLayer applies ReLU in place, which would overwrite the
        // convolution output in a feedForward activation list.
        LayerWorkspaceMgr noWorkspaces = LayerWorkspaceMgr.noWorkspaces();
        INDArray conv = net.getLayer(0).activate(input, false, noWorkspaces).dup();
        INDArray relu = net.getLayer(1).activate(conv.dup(), false, noWorkspaces).dup();
        INDArray pool = net.getLayer(2).activate(relu.dup(), false, noWorkspaces).dup();

        long ph = pool.size(2);
        long pw = pool.size(3);
        INDArray perChannel = pool.dup('c').reshape('c', f, ph * pw);
        INDArray mean = perChannel.mean(1).reshape(f, 1);
        INDArray std = perChannel.std(false, 1).reshape(f, 1);          // population standard deviation
        INDArray safeStd = std.dup();
        for (int k = 0; k < f; k++) {
            if (safeStd.getDouble(k, 0) == 0) {
                safeStd.putScalar(k, 0, 1.0);                          // a constant channel: (x - mean) is 0 anyway
            }
        }
        INDArray normalised = perChannel.subColumnVector(mean).divColumnVector(safeStd).reshape('c', 1, f, ph, pw);
        // Flatten row, then column, then channel: NCHW -> NHWC before reshaping.
        INDArray flat = normalised.permute(0, 2, 3, 1).dup('c').reshape('c', 1, ph * pw * f);
        double[][] w8 = LowLevelInput.denseWeights((int) (ph * pw * f), seed);
        INDArray dense = flat.mmul(Nd4j.createFromArray(w8)).addi(LowLevelInput.DENSE_BIAS);
        INDArray softmax = new ActivationSoftmax().getActivation(dense.dup(), false);
        return new Stages(image, filters, hwc(conv), hwc(relu), hwc(pool), hwc(normalised), w8, dense.toDoubleVector(),
                softmax.toDoubleVector());
    }

    /** The filters {@code [filter][row][column][channel]} as DL4J's convolution weights {@code [out, in, rows, columns]}. */
    static INDArray filterWeights(double[][][][] filters) {
        int f = filters.length;
        int kh = filters[0].length;
        int kw = filters[0][0].length;
        int c = filters[0][0][0].length;
        INDArray weights = Nd4j.create(DataType.DOUBLE, f, c, kh, kw);
        for (int o = 0; o < f; o++) {
            for (int i = 0; i < kh; i++) {
                for (int j = 0; j < kw; j++) {
                    for (int k = 0; k < c; k++) {
                        weights.putScalar(new long[] {o, k, i, j}, filters[o][i][j][k]);
                    }
                }
            }
        }
        return weights;
    }

    /** [1, C, H, W] to [row][column][channel]. */
    static double[][][] hwc(INDArray nchw) {
        int c = (int) nchw.size(1);
        int h = (int) nchw.size(2);
        int w = (int) nchw.size(3);
        double[][][] out = new double[h][w][c];
        for (int r = 0; r < h; r++) {
            for (int col = 0; col < w; col++) {
                for (int k = 0; k < c; k++) {
                    out[r][col][k] = nchw.getDouble(0, k, r, col);
                }
            }
        }
        return out;
    }
}
