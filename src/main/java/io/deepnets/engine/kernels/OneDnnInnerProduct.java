package io.deepnets.engine.kernels;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_BIAS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_BIAS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_WEIGHTS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WEIGHTS;
import static org.bytedeco.dnnl.global.dnnl.dnnl_ab;
import static org.bytedeco.dnnl.global.dnnl.dnnl_forward_inference;
import static org.bytedeco.dnnl.global.dnnl.dnnl_forward_training;
import static org.bytedeco.dnnl.global.dnnl.dnnl_inner_product_backward_data_desc_init;
import static org.bytedeco.dnnl.global.dnnl.dnnl_inner_product_backward_weights_desc_init;
import static org.bytedeco.dnnl.global.dnnl.dnnl_inner_product_forward_desc_init;
import static org.bytedeco.dnnl.global.dnnl.dnnl_x;

import org.bytedeco.dnnl.dnnl_inner_product_desc_t;
import org.bytedeco.dnnl.dnnl_memory;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.bytedeco.dnnl.dnnl_primitive_attr;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A dense layer ({@code x W + b}, then ReLU or nothing) through oneDNN's inner-product primitives, made once per
 * batch size: forward with the bias and the ReLU fused, the ReLU's backward from the output, backward-weights with
 * the bias gradient, and backward-data when the layer below needs it.
 *
 * <p>Layouts stay plain, so no reorder runs: DL4J keeps a dense layer's W as [nIn, nOut] in 'f' order, which is
 * exactly oneDNN's [out, in] row-major ("oi") weights, and the gradient view has the same layout; activations are
 * [batch, features] in 'c' order (a flattened NCHW activation is read as DL4J's flatten reads it).
 *
 * <p>Why: the same three matrix products through ND4J's {@code gemm} plus the bias, ReLU and column-sum ops each
 * pay ND4J's per-op overhead and a pass over memory; measured in the MNIST CNN's step (README, "Performance").
 * The arithmetic is DL4J's to float rounding (the products may sum in another order).
 */
public final class OneDnnInnerProduct implements AutoCloseable {
    private final long nIn;
    private final long nOut;
    /** The activation after the bias (a post-op), its backward pass from the output. */
    private final ActivationKind activation;
    private final boolean inputGradient;
    private final OneDnnPrimitives.PlansBySize<Plan> plans = new OneDnnPrimitives.PlansBySize<>(Plan::new);

    public OneDnnInnerProduct(long nIn, long nOut, boolean relu, boolean inputGradient) {
        this(nIn, nOut, relu ? ActivationKind.RELU : ActivationKind.IDENTITY, inputGradient);
    }

    /** With any activation after the bias (ReLU, tanh, sigmoid or none). */
    public OneDnnInnerProduct(long nIn, long nOut, ActivationKind activation, boolean inputGradient) {
        this.nIn = nIn;
        this.nOut = nOut;
        this.activation = activation;
        this.inputGradient = inputGradient;
    }

    /** {@code out = relu(in W + b)} (or without the ReLU); {@code in} holds [batch, nIn] values in 'c' order. */
    public void forward(INDArray in, INDArray weights, INDArray bias, INDArray out, boolean training) {
        Plan p = plans.get(in.size(0), training);
        OneDnnPrimitives.setHandle(p.src, in);
        OneDnnPrimitives.setHandle(p.weights, weights, 'f');
        OneDnnPrimitives.setHandle(p.bias, bias);
        OneDnnPrimitives.setHandle(p.dst, out);
        p.run(p.forward);
    }

    /**
     * From the gradient at the output {@code eps} (overwritten by the ReLU's backward): the weight and bias gradients
     * into DL4J's gradient views and, unless {@code gradIn} is null (then the layer must have been made with
     * {@code inputGradient}), the gradient at the input into it. {@code in} and {@code out} are the last training forward pass's.
     */
    public void backward(INDArray in, INDArray weights, INDArray out, INDArray eps, INDArray weightGrad, INDArray biasGrad, INDArray gradIn) {
        Plan p = plans.get(in.size(0), true);
        OneDnnPrimitives.setHandle(p.src, in);
        OneDnnPrimitives.setHandle(p.diffDst, eps);
        OneDnnPrimitives.setHandle(p.diffWeights, weightGrad, 'f');
        OneDnnPrimitives.setHandle(p.diffBias, biasGrad);
        if (activation != ActivationKind.IDENTITY) {
            OneDnnPrimitives.setHandle(p.dst, out);
            p.run(p.reluBackward);
        }
        p.run(p.backwardWeights);
        if (gradIn != null) {
            OneDnnPrimitives.setHandle(p.weights, weights, 'f');
            OneDnnPrimitives.setHandle(p.diffSrc, gradIn);
            p.run(p.backwardData);
        }
    }

    @Override
    public void close() {
        plans.close();
    }

    /** The primitives for one batch size. */
    private final class Plan extends OneDnnPrimitives {
        final dnnl_memory src;
        final dnnl_memory weights;
        final dnnl_memory bias;
        final dnnl_memory dst;
        final dnnl_memory diffDst;
        final dnnl_memory diffWeights;
        final dnnl_memory diffBias;
        final dnnl_memory diffSrc;
        final Call forward;
        final Call reluBackward;
        final Call backwardWeights;
        final Call backwardData;

        Plan(long batch, boolean training) {
            dnnl_memory_desc_t srcMd = desc(new long[] {batch, nIn}, dnnl_ab);
            dnnl_memory_desc_t wMd = desc(new long[] {nOut, nIn}, dnnl_ab);
            dnnl_memory_desc_t bMd = desc(new long[] {nOut}, dnnl_x);
            dnnl_memory_desc_t dstMd = desc(new long[] {batch, nOut}, dnnl_ab);
            src = memory(srcMd);
            weights = memory(wMd);
            bias = memory(bMd);
            dst = memory(dstMd);
            diffDst = memory(dstMd);
            diffWeights = memory(wMd);
            diffBias = memory(bMd);
            diffSrc = memory(srcMd);
            dnnl_primitive_attr attr = activation != ActivationKind.IDENTITY ? activationPostOp(activation) : null;
            int[] forwardArgs = {DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_BIAS, DNNL_ARG_DST};
            Arg[] forwardMemories = {Arg.plain(src), Arg.plain(weights), Arg.plain(bias), Arg.plain(dst)};
            dnnl_inner_product_desc_t fd = new dnnl_inner_product_desc_t();
            check(dnnl_inner_product_forward_desc_init(fd, training ? dnnl_forward_training : dnnl_forward_inference, srcMd, wMd, bMd, dstMd),
                    "inner-product descriptor");
            dnnl_primitive_desc forwardPd = primitiveDesc(fd, attr, null);
            forward = call(forwardPd, forwardArgs, forwardMemories);
            if (!training) {
                reluBackward = null;
                backwardWeights = null;
                backwardData = null;
                return;
            }
            reluBackward = activation != ActivationKind.IDENTITY ? activationBackward(activation, dstMd, dst, diffDst) : null;
            dnnl_inner_product_desc_t wd = new dnnl_inner_product_desc_t();
            check(dnnl_inner_product_backward_weights_desc_init(wd, srcMd, wMd, bMd, dstMd), "inner-product backward-weights descriptor");
            backwardWeights = call(primitiveDesc(wd, null, forwardPd), new int[] {DNNL_ARG_SRC, DNNL_ARG_DIFF_DST, DNNL_ARG_DIFF_WEIGHTS, DNNL_ARG_DIFF_BIAS},
                    new Arg[] {Arg.plain(src), Arg.plain(diffDst), Arg.plain(diffWeights), Arg.plain(diffBias)});
            if (inputGradient) {
                dnnl_inner_product_desc_t dd = new dnnl_inner_product_desc_t();
                check(dnnl_inner_product_backward_data_desc_init(dd, srcMd, wMd, dstMd), "inner-product backward-data descriptor");
                backwardData = call(primitiveDesc(dd, null, forwardPd), new int[] {DNNL_ARG_DIFF_DST, DNNL_ARG_WEIGHTS, DNNL_ARG_DIFF_SRC},
                        new Arg[] {Arg.plain(diffDst), Arg.plain(weights), Arg.plain(diffSrc)});
            } else {
                backwardData = null;
            }
        }
    }
}
