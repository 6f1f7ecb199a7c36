package io.deepnets.scratch;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Caffe's SGD solver: per parameter, {@code g += weight_decay * w}, {@code v = momentum * v + lr * lr_mult * g},
 * {@code w -= v}; the rate follows Caffe's {@code inv} policy {@code base_lr * (1 + gamma * iter)^-power} (LeNet's
 * solver: 0.01, gamma 1e-4, power 0.75, momentum 0.9, weight decay 5e-4). Gradients are cleared after each step.
 */
public final class Sgd {
    private final double baseRate;
    private final double gamma;
    private final double power;
    private final float momentum;
    private final float weightDecay;
    private final Map<Param, float[]> velocity = new IdentityHashMap<>();
    private int iteration;

    public Sgd(double baseRate, double gamma, double power, float momentum, float weightDecay) {
        this.baseRate = baseRate;
        this.gamma = gamma;
        this.power = power;
        this.momentum = momentum;
        this.weightDecay = weightDecay;
    }

    /** LeNet's solver in Caffe's MNIST example. */
    public static Sgd lenet() {
        return new Sgd(0.01, 1e-4, 0.75, 0.9f, 5e-4f);
    }

    public double learningRate() {
        return baseRate * Math.pow(1 + gamma * iteration, -power);
    }

    public int iteration() {
        return iteration;
    }

    public void step(List<Param> params) {
        float lr = (float) learningRate();
        for (Param p : params) {
            float[] v = velocity.computeIfAbsent(p, k -> new float[k.value().length]);
            float[] w = p.value();
            float[] g = p.gradient();
            float rate = lr * p.learningRateMultiplier();
            for (int i = 0; i < w.length; i++) {
                v[i] = momentum * v[i] + rate * (g[i] + weightDecay * w[i]);
                w[i] -= v[i];
                g[i] = 0f;
            }
        }
        iteration++;
    }
}
