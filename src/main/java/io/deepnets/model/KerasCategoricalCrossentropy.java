package io.deepnets.model;

import java.util.Objects;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonIgnore;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Keras's {@code CategoricalCrossentropy(label_smoothing=s)}, which DL4J lacks: the one-hot labels become
 * {@code y (1 - s) + s / K} for K classes, then DL4J's {@code LossMCXENT} scores them ({@code -sum y log p}, p clipped)
 * and gives its softmax gradient {@code p - y}. Keras smooths inside the loss, so training and evaluation losses both
 * include it; accuracy is unchanged (the label's entry stays the largest). Only used with {@code s > 0}: without
 * smoothing the output layer keeps DL4J's own {@code MCXENT}.
 */
public final class KerasCategoricalCrossentropy implements ILossFunction {
    private static final long serialVersionUID = 1L;

    private final double labelSmoothing;
    @JsonIgnore
    private final LossMCXENT crossEntropy = new LossMCXENT();

    @JsonCreator
    public KerasCategoricalCrossentropy(@JsonProperty("labelSmoothing") double labelSmoothing) {
        if (!(labelSmoothing > 0 && labelSmoothing <= 1)) {
            throw new IllegalArgumentException("label smoothing in (0, 1], got " + labelSmoothing);
        }
        this.labelSmoothing = labelSmoothing;
    }

    @JsonProperty("labelSmoothing")
    public double labelSmoothing() {
        return labelSmoothing;
    }

    /** The label smoothing of an output layer's loss: this loss's, 0 for any other. */
    public static double smoothingOf(ILossFunction loss) {
        return loss instanceof KerasCategoricalCrossentropy k ? k.labelSmoothing : 0.0;
    }

    /** The smoothed labels in float, as the engine repeats them: {@code y * (float) (1 - s) + (float) (s / K)}. */
    INDArray smoothed(INDArray labels) {
        return labels.mul(1 - labelSmoothing).addi(labelSmoothing / labels.size(1));
    }

    @Override
    public double computeScore(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask, boolean average) {
        return crossEntropy.computeScore(smoothed(labels), preOutput, activationFn, mask, average);
    }

    @Override
    public INDArray computeScoreArray(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        return crossEntropy.computeScoreArray(smoothed(labels), preOutput, activationFn, mask);
    }

    @Override
    public INDArray computeGradient(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        return crossEntropy.computeGradient(smoothed(labels), preOutput, activationFn, mask);
    }

    @Override
    public Pair<Double, INDArray> computeGradientAndScore(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask,
            boolean average) {
        return crossEntropy.computeGradientAndScore(smoothed(labels), preOutput, activationFn, mask, average);
    }

    @Override
    public String name() {
        return toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KerasCategoricalCrossentropy k && k.labelSmoothing == labelSmoothing;
    }

    @Override
    public int hashCode() {
        return Objects.hash(labelSmoothing);
    }

    @Override
    public String toString() {
        return "KerasCategoricalCrossentropy(label_smoothing=" + labelSmoothing + ")";
    }
}
