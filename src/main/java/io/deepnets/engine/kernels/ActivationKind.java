package io.deepnets.engine.kernels;

import java.util.Optional;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationTanH;

/**
 * The activations the hand-written training steps compute themselves, forward and backward over heap arrays (loops
 * the JIT vectorises), with DL4J's formulas: ReLU's derivative is 0 at 0, the others are taken from the output.
 */
public enum ActivationKind {
    IDENTITY, RELU, SIGMOID, TANH;

    /** DL4J's ReLU without its max-value, threshold and negative-slope variants: plain {@code max(0, x)}. */
    public static boolean isPlainRelu(IActivation activation) {
        return activation instanceof org.nd4j.linalg.activations.impl.ActivationReLU relu && relu.equals(new org.nd4j.linalg.activations.impl.ActivationReLU());
    }

    /** The kind of a DL4J activation, or empty for one the steps do not compute (they then decline the network). */
    public static Optional<ActivationKind> of(IActivation activation) {
        if (activation instanceof ActivationIdentity) {
            return Optional.of(IDENTITY);
        }
        if (isPlainRelu(activation) || activation instanceof FastBackpropRelu) {
            // Plain max(0, x) only: DL4J's ReLU also has max-value, threshold and negative-slope variants.
            return Optional.of(RELU);
        }
        if (activation instanceof ActivationSigmoid) {
            return Optional.of(SIGMOID);
        }
        if (activation instanceof ActivationTanH) {
            return Optional.of(TANH);
        }
        return Optional.empty();
    }

    /** In place: the activation of the first {@code n} values. */
    public void forward(float[] v, int n) {
        switch (this) {
            case IDENTITY -> {
            }
            case RELU -> {
                // Math.max and the multiply below run as vector instructions; the comparisons they replace branched
                // on every element, unpredictably (0.35 ms a step for the ReLU MLP's 128 x 256, README "Performance").
                for (int i = 0; i < n; i++) {
                    v[i] = Math.max(v[i], 0f);
                }
            }
            case SIGMOID -> {
                for (int i = 0; i < n; i++) {
                    v[i] = (float) (1.0 / (1.0 + Math.exp(-v[i])));
                }
            }
            case TANH -> {
                for (int i = 0; i < n; i++) {
                    v[i] = (float) Math.tanh(v[i]);
                }
            }
        }
    }

    /** In place: delta = dLoss/dA * dA/dZ for the first {@code n} values, the derivative taken from the output {@code a}. */
    public void backward(float[] delta, float[] a, int n) {
        switch (this) {
            case IDENTITY -> {
            }
            case RELU -> {
                // DL4J's derivative is 1 where a = relu(z) > 0 and 0 at the kink. Math.signum (delta * signum(a), the
                // same) is not a vector instruction in Java 17 and ran element by element (10x slower); a's bits
                // make the mask instead: a is never negative, so -bits >> 31 is all ones exactly where a > 0. Where
                // delta * 0 would be -0 this gives +0; a NaN activation keeps its delta instead of making it NaN (the
                // loss is NaN then, and training stops at that step as diverged).
                for (int i = 0; i < n; i++) {
                    int keep = -Float.floatToRawIntBits(a[i]) >> 31;
                    delta[i] = Float.intBitsToFloat(Float.floatToRawIntBits(delta[i]) & keep);
                }
            }
            case SIGMOID -> {
                for (int i = 0; i < n; i++) {
                    delta[i] = delta[i] * a[i] * (1f - a[i]);
                }
            }
            case TANH -> {
                for (int i = 0; i < n; i++) {
                    delta[i] = delta[i] * (1f - a[i] * a[i]);
                }
            }
        }
    }
}
