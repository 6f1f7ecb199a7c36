package io.deepnets.model;

import io.deepnets.config.KernelInitializer;
import java.util.Objects;
import org.deeplearning4j.nn.weights.IWeightInit;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.random.impl.TruncatedNormalDistribution;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Keras's {@code VarianceScaling} initializer as a DL4J weight initializer: variance {@code scale / n} with n the
 * fan-in, fan-out or their mean, counted as Keras counts them (a kernel's receptive field times its input or output
 * channels), drawn uniformly in {@code [-sqrt(3 scale / n), sqrt(3 scale / n)]} or from a normal distribution cut at
 * two standard deviations whose standard deviation is {@code sqrt(scale / n) / 0.8796...} (Keras's correction, so
 * the cut distribution has the variance asked for).
 *
 * <p>Why not DL4J's own: its {@code RELU}, {@code XAVIER} and {@code VAR_SCALING_NORMAL_*} draw from an uncut normal
 * with the uncorrected deviation, and DL4J divides a strided convolution's fan-out by the stride's area, which Keras
 * does not. Keras's default {@code glorot_uniform} stays DL4J's {@code XAVIER_UNIFORM} (the same bound for unstrided
 * layers), so networks that do not name an initializer start as before.
 */
public final class KerasVarianceScaling implements IWeightInit {
    /** The standard deviation of a unit normal cut at +-2 (Keras divides by it). */
    static final double TRUNCATED_STD = 0.87962566103423978;

    private final KernelInitializer initializer;

    @JsonCreator
    public KerasVarianceScaling(@JsonProperty("initializer") KernelInitializer initializer) {
        this.initializer = Objects.requireNonNull(initializer, "initializer");
    }

    @JsonProperty("initializer")
    public KernelInitializer initializer() {
        return initializer;
    }

    /**
     * Keras's fans of a DL4J weight array: a dense layer's {@code [nIn, nOut]}; a convolution's
     * {@code [out, in, kh, kw]} (receptive field kh x kw). Other shapes take DL4J's counts.
     */
    static double[] kerasFans(long[] shape, double dl4jFanIn, double dl4jFanOut) {
        if (shape.length == 2) {
            return new double[] {shape[0], shape[1]};
        }
        if (shape.length == 4) {
            double field = (double) shape[2] * shape[3];
            return new double[] {shape[1] * field, shape[0] * field};
        }
        return new double[] {dl4jFanIn, dl4jFanOut};
    }

    @Override
    public INDArray init(double fanIn, double fanOut, long[] shape, char order, INDArray paramView) {
        double[] fans = kerasFans(shape, fanIn, fanOut);
        double n = switch (initializer.fan()) {
            case IN -> fans[0];
            case OUT -> fans[1];
            case AVERAGE -> (fans[0] + fans[1]) / 2;
        };
        double variance = initializer.scale() / Math.max(1.0, n);
        if (initializer.truncatedNormal()) {
            Nd4j.exec(new TruncatedNormalDistribution(paramView, 0.0, Math.sqrt(variance) / TRUNCATED_STD));
        } else {
            double limit = Math.sqrt(3.0 * variance);
            Nd4j.rand(paramView, Nd4j.getDistributions().createUniform(-limit, limit));
        }
        return paramView.reshape(order, shape);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KerasVarianceScaling k && k.initializer == initializer;
    }

    @Override
    public int hashCode() {
        return initializer.hashCode();
    }

    @Override
    public String toString() {
        return "KerasVarianceScaling(" + initializer.keras() + ")";
    }
}
