package io.deepnets.engine.kernels;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.dnnl_eltwise_forward_desc_init;
import static org.bytedeco.dnnl.global.dnnl.dnnl_eltwise_relu_use_dst_for_bwd;
import static org.bytedeco.dnnl.global.dnnl.dnnl_forward_inference;
import static org.bytedeco.dnnl.global.dnnl.dnnl_forward_training;

import org.bytedeco.dnnl.dnnl_eltwise_desc_t;
import org.bytedeco.dnnl.dnnl_memory;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A ReLU activation layer (Keras's {@code Activation('relu')}, DL4J's {@code ActivationLayer}) through oneDNN's
 * eltwise primitives, made once per batch size: {@code max(x, 0)} forward, the gradient passed where the output is
 * above 0 backward (DL4J's derivative: 0 at the kink), in place on the incoming gradient.
 */
public final class OneDnnRelu implements AutoCloseable {
    private final long[] shape;
    private final int tag;
    private final OneDnnPrimitives.PlansBySize<Plan> plans = new OneDnnPrimitives.PlansBySize<>(Plan::new);

    /** A ReLU over activations of {@code shape} per example ([channels, height, width] or [features]). */
    public OneDnnRelu(long[] shape) {
        this(shape, shape.length == 3 ? org.bytedeco.dnnl.global.dnnl.dnnl_nchw : org.bytedeco.dnnl.global.dnnl.dnnl_ab);
    }

    /** As the other constructor, the activations in layout {@code tag} (for images NCHW or a blocked one). */
    public OneDnnRelu(long[] shape, int tag) {
        this.shape = shape.clone();
        this.tag = tag;
    }

    public void forward(INDArray in, INDArray out, boolean training) {
        Plan p = plans.get(in.size(0), training);
        OneDnnPrimitives.setHandle(p.src, in);
        OneDnnPrimitives.setHandle(p.dst, out);
        p.run(p.forward);
    }

    /** {@code eps} becomes the input gradient, from the training forward pass's output {@code out}. */
    public void backward(INDArray out, INDArray eps) {
        Plan p = plans.get(out.size(0), true);
        OneDnnPrimitives.setHandle(p.dst, out);
        OneDnnPrimitives.setHandle(p.diff, eps);
        p.run(p.backward);
    }

    @Override
    public void close() {
        plans.close();
    }

    private final class Plan extends OneDnnPrimitives {
        final dnnl_memory src;
        final dnnl_memory dst;
        final dnnl_memory diff;
        final Call forward;
        final Call backward;

        Plan(long batch, boolean training) {
            long[] dims = new long[shape.length + 1];
            dims[0] = batch;
            System.arraycopy(shape, 0, dims, 1, shape.length);
            dnnl_memory_desc_t md = desc(dims, tag);
            src = memory(md);
            dst = memory(md);
            diff = memory(md);
            dnnl_eltwise_desc_t fd = new dnnl_eltwise_desc_t();
            check(dnnl_eltwise_forward_desc_init(fd, training ? dnnl_forward_training : dnnl_forward_inference, dnnl_eltwise_relu_use_dst_for_bwd, md, 0f, 0f),
                    "relu descriptor");
            forward = call(primitiveDesc(fd, null, null), new int[] {DNNL_ARG_SRC, DNNL_ARG_DST}, new Arg[] {Arg.plain(src), Arg.plain(dst)});
            backward = training ? activationBackward(ActivationKind.RELU, md, dst, diff) : null;
        }
    }
}
