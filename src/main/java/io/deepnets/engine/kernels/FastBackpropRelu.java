package io.deepnets.engine.kernels;

import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.BaseActivationFunction;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinear;
import org.nd4j.linalg.api.ops.impl.scalar.Step;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code max(0, x)} as DL4J's plain {@code ActivationReLU} computes it, with a faster backward pass:
 * {@code dL/dx = dL/dy * step(x)} by two of libnd4j's fast elementwise ops, in place. DL4J's ReLU runs its
 * backward pass through the generic {@code leakyrelu_bp} op into a fresh array: measured 5.1-5.5 ms on a
 * 32x32x30x30 activation here against 0.5 ms for this, a third of the CIFAR-10 net's step and more of the MNIST
 * CNN's. {@link ActivationSwap} puts it in place of plain ReLUs only while a network trains.
 */
public final class FastBackpropRelu extends BaseActivationFunction {

    @Override
    public INDArray getActivation(INDArray in, boolean training) {
        Nd4j.getExecutioner().exec(new RectifiedLinear(in, in, 0.0));
        return in;
    }

    @Override
    public Pair<INDArray, INDArray> backprop(INDArray in, INDArray epsilon) {
        assertShape(in, epsilon);
        // The pre-activation array is the layer's scratch copy: DL4J's activations overwrite it the same way.
        Nd4j.getExecutioner().exec(new Step(in, in, 0.0));
        in.muli(epsilon);
        return new Pair<>(in, null);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FastBackpropRelu;
    }

    @Override
    public int hashCode() {
        return FastBackpropRelu.class.hashCode();
    }

    @Override
    public String toString() {
        return "relu";
    }
}
