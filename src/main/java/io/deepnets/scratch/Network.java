package io.deepnets.scratch;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Layers in a row with a softmax cross-entropy on top: forward, loss, backward through every layer. */
public final class Network {
    private final Shape input;
    private final List<Layer> layers;
    private final SoftmaxCrossEntropy loss;
    private final int classes;

    public Network(Shape input, List<Layer> layers) {
        this.input = input;
        this.layers = List.copyOf(layers);
        Shape shape = input;
        for (Layer l : layers) {
            if (l instanceof Convolution c) {
                c.setInputShape(shape);
            } else if (l instanceof MaxPooling p) {
                p.setInputShape(shape);
            }
            shape = l.outputShape(shape);
        }
        this.classes = shape.size();
        this.loss = new SoftmaxCrossEntropy(classes);
    }

    /**
     * Caffe's LeNet for MNIST: convolution 20 5x5, max pooling 2, convolution 50 5x5, max pooling 2, inner product
     * 500, ReLU, inner product 10 (softmax with the loss). Weights drawn as Caffe's {@code xavier} filler, uniform in
     * {@code +-sqrt(3 / fan_in)}; biases 0.
     */
    public static Network lenet(long seed) {
        Network net = new Network(new Shape(1, 28, 28), List.of(new Convolution(1, 20, 5, 1, 0), new MaxPooling(2, 2),
                new Convolution(20, 50, 5, 1, 0), new MaxPooling(2, 2), new InnerProduct(800, 500), new Relu(), new InnerProduct(500, 10)));
        net.xavier(seed);
        return net;
    }

    /** Caffe's xavier filler on every weight array (fan-in = values per output unit), zero biases. */
    public void xavier(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        for (Layer l : layers) {
            for (Param p : l.params()) {
                if (!p.name().equals("W")) {
                    java.util.Arrays.fill(p.value(), 0f);
                    continue;
                }
                int fanIn = l instanceof Convolution c ? p.value().length / c.bias().value().length
                        : p.value().length / ((InnerProduct) l).bias().value().length;
                double limit = Math.sqrt(3.0 / fanIn);
                for (int i = 0; i < p.value().length; i++) {
                    p.value()[i] = (float) r.nextDouble(-limit, limit);
                }
            }
        }
    }

    public List<Layer> layers() {
        return layers;
    }

    public Shape input() {
        return input;
    }

    public int classes() {
        return classes;
    }

    public List<Param> params() {
        List<Param> all = new ArrayList<>();
        layers.forEach(l -> all.addAll(l.params()));
        return all;
    }

    /** Class scores (before softmax) of {@code n} samples. */
    public float[] scores(float[] x, int n) {
        float[] a = x;
        for (Layer l : layers) {
            a = l.forward(a, n);
        }
        return a;
    }

    /** Class probabilities of {@code n} samples. */
    public float[] probabilities(float[] x, int n) {
        return SoftmaxCrossEntropy.softmax(scores(x, n), n, classes);
    }

    /** One training pass: loss, then every layer's backward (parameter gradients accumulated). */
    public Result forwardBackward(float[] x, int[] labels, int n) {
        double l = loss.forward(scores(x, n), labels, n);
        int correct = loss.correct(n);
        float[] g = loss.backward(n);
        for (int i = layers.size() - 1; i >= 0; i--) {
            g = layers.get(i).backward(g, n);
        }
        return new Result(l, correct, g);
    }

    /** The mean loss, the training hits and the input gradient of one pass. */
    public record Result(double loss, int correct, float[] inputGradient) {
    }
}
