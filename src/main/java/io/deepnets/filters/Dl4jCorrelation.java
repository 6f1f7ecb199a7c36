package io.deepnets.filters;

import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What a CNN layer computes: one DL4J {@code ConvolutionLayer} (one input and one output channel, no bias, identity
 * activation, 'same' padding) holding a kernel as its weights, run on an image. Its output is the cross-correlation
 * with the kernel, which is the textbook convolution with the kernel flipped.
 */
public final class Dl4jCorrelation {
    private Dl4jCorrelation() {
    }

    /** The layer's output for {@code image} (values as given) with {@code kernel} (odd sizes) as its weights. */
    public static double[][] layerOutput(double[][] image, double[][] kernel) {
        int h = image.length;
        int w = image[0].length;
        int kh = kernel.length;
        int kw = kernel[0].length;
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().dataType(DataType.DOUBLE).list()
                .layer(new ConvolutionLayer.Builder(kh, kw).nIn(1).nOut(1).hasBias(false).activation(Activation.IDENTITY)
                        .convolutionMode(ConvolutionMode.Same).build())
                .setInputType(InputType.convolutional(h, w, 1)).build());
        net.init();
        INDArray weights = net.getLayer(0).getParam("W");
        for (int y = 0; y < kh; y++) {
            for (int x = 0; x < kw; x++) {
                weights.putScalar(new long[] {0, 0, y, x}, kernel[y][x]);
            }
        }
        INDArray in = Nd4j.create(DataType.DOUBLE, 1, 1, h, w);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                in.putScalar(new long[] {0, 0, y, x}, image[y][x]);
            }
        }
        INDArray out = net.output(in, false);
        double[][] result = new double[h][w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                result[y][x] = out.getDouble(0, 0, y, x);
            }
        }
        return result;
    }
}
