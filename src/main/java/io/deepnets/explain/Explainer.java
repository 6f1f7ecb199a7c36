package io.deepnets.explain;

import io.deepnets.config.TensorShape;
import io.deepnets.model.Network;
import java.util.List;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Saliency and Grad-CAM maps for one image: the gradients of {@link ClassScoreGradients}, reduced as the papers
 * define them.
 *
 * <p>Grad-CAM: the weight of each channel k of the last convolution's output A is the spatial mean of
 * d y<sup>c</sup> / d A<sup>k</sup>; the map is ReLU(sum over k of weight times A<sup>k</sup>) at the convolution's
 * resolution, upsampled bilinearly (pixel centres aligned) to the image. Saliency: the largest absolute gradient over
 * the channels of each input pixel.
 */
public final class Explainer {
    private final Network net;
    private final TensorShape shape;
    private final String lastConv;
    private final String lastConvName;

    /** For {@code net}, whose images have {@code shape} (height, width, channels). */
    public Explainer(Network net, TensorShape shape) {
        if (!shape.isImage()) {
            throw new IllegalArgumentException("explanations need an image input (height, width, channels), not " + shape.dims());
        }
        this.net = net;
        this.shape = shape;
        // A network read without its updater has no gradient buffers; DL4J's layers write their gradients into them.
        if (net.stack().isPresent() && net.stack().get().getGradientsViewArray() == null) {
            net.stack().get().initGradientsView();
        } else if (net.graph().isPresent() && net.graph().get().getGradientsViewArray() == null) {
            net.graph().get().initGradientsView();
        }
        List<String> names = net.layerNames();
        Layer[] layers = net.layers();
        String last = null;
        String display = null;
        int convs = 0;
        for (int i = 0; i < layers.length; i++) {
            if (ClassScoreGradients.inner(layers[i]) instanceof ConvolutionLayer) {
                convs++;
                last = names.get(i);
                display = net.isGraph() ? names.get(i) : "conv2d_" + convs;
            }
        }
        this.lastConv = last;
        this.lastConvName = display;
    }

    /** The convolution Grad-CAM uses (the last one), or null for a network without convolutions. */
    public String gradCamLayer() {
        return lastConvName;
    }

    /** Explains the predicted class of {@code pixels} (one image, channels first, as the network takes it). */
    public Explanation explain(float[] pixels) {
        return explain(pixels, -1);
    }

    /** Explains class {@code cls} (-1: the predicted one). */
    public Explanation explain(float[] pixels, int cls) {
        if (pixels.length != shape.size()) {
            throw new IllegalArgumentException("expected " + shape.size() + " values for a " + shape.dims() + " image, got " + pixels.length);
        }
        INDArray x = Nd4j.create(pixels, new long[] {1, pixels.length}, 'c').castTo(net.params().dataType());
        ClassScoreGradients.Result r = ClassScoreGradients.of(net, x, cls, lastConv);
        float[] probabilities = r.probabilities().castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).dup('c').data().asFloat();
        int h = shape.height();
        int w = shape.width();
        int c = shape.channels();
        float[] grad = r.input().castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).dup('c').data().asFloat();
        float[] saliency = new float[h * w];
        for (int ch = 0; ch < c; ch++) {
            for (int i = 0; i < h * w; i++) {
                saliency[i] = Math.max(saliency[i], Math.abs(grad[ch * h * w + i]));
            }
        }
        normalise(saliency);
        float[] cam = null;
        if (r.layerOutput() != null && r.layerOutput().rank() == 4) {
            cam = upsample(gradCam(r.layerOutput(), r.layerGradient()), (int) r.layerOutput().size(2), (int) r.layerOutput().size(3), h, w);
            normalise(cam);
        }
        return new Explanation(probabilities, r.cls(), r.logit(), saliency, cam, cam == null ? null : lastConvName, h, w);
    }

    /** ReLU(sum_k alpha_k A^k), alpha_k the spatial mean of the gradient of channel k; row-major at A's resolution. */
    static float[] gradCam(INDArray activations, INDArray gradient) {
        int k = (int) activations.size(1);
        int ah = (int) activations.size(2);
        int aw = (int) activations.size(3);
        float[] a = activations.castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).dup('c').data().asFloat();
        float[] g = gradient.castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).dup('c').data().asFloat();
        int n = ah * aw;
        double[] map = new double[n];
        for (int ch = 0; ch < k; ch++) {
            double alpha = 0;
            for (int i = 0; i < n; i++) {
                alpha += g[ch * n + i];
            }
            alpha /= n;
            for (int i = 0; i < n; i++) {
                map[i] += alpha * a[ch * n + i];
            }
        }
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) Math.max(0, map[i]);
        }
        return out;
    }

    /** Bilinear resampling from {@code sh x sw} to {@code h x w}, pixel centres aligned (as OpenCV's resize). */
    static float[] upsample(float[] src, int sh, int sw, int h, int w) {
        float[] out = new float[h * w];
        for (int y = 0; y < h; y++) {
            double sy = Math.min(Math.max((y + 0.5) * sh / h - 0.5, 0), sh - 1);
            int y0 = (int) Math.floor(sy);
            int y1 = Math.min(y0 + 1, sh - 1);
            double fy = sy - y0;
            for (int x = 0; x < w; x++) {
                double sx = Math.min(Math.max((x + 0.5) * sw / w - 0.5, 0), sw - 1);
                int x0 = (int) Math.floor(sx);
                int x1 = Math.min(x0 + 1, sw - 1);
                double fx = sx - x0;
                double top = src[y0 * sw + x0] * (1 - fx) + src[y0 * sw + x1] * fx;
                double bottom = src[y1 * sw + x0] * (1 - fx) + src[y1 * sw + x1] * fx;
                out[y * w + x] = (float) (top * (1 - fy) + bottom * fy);
            }
        }
        return out;
    }

    private static void normalise(float[] map) {
        float max = 0;
        for (float v : map) {
            max = Math.max(max, v);
        }
        if (max > 0) {
            for (int i = 0; i < map.length; i++) {
                map[i] /= max;
            }
        }
    }
}
