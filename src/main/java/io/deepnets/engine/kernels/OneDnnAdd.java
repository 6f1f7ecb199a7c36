package io.deepnets.engine.kernels;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC_0;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC_1;
import static org.bytedeco.dnnl.global.dnnl.dnnl_binary_add;
import static org.bytedeco.dnnl.global.dnnl.dnnl_binary_desc_init;

import org.bytedeco.dnnl.dnnl_binary_desc_t;
import org.bytedeco.dnnl.dnnl_memory;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The sum of two activations of one shape and layout through oneDNN's binary primitive, made once per batch size,
 * optionally with a ReLU on the sum in the same pass (a post-op): a residual block's {@code add} and the ReLU after
 * it, one pass over the maps instead of two. {@code relu(a + b)} rounds as the add and the ReLU apart do (the ReLU is
 * exact), so the result is the same to the bit.
 */
public final class OneDnnAdd implements AutoCloseable {
    private final long[] shape;
    private final int tag;
    private final boolean relu;
    private final OneDnnPrimitives.PlansBySize<Plan> plans = new OneDnnPrimitives.PlansBySize<>((batch, training) -> new Plan(batch));

    /** Sums of [channels, height, width] activations in layout {@code tag}; {@code relu}: the ReLU of the sum. */
    public OneDnnAdd(long[] shape, int tag, boolean relu) {
        this.shape = shape.clone();
        this.tag = tag;
        this.relu = relu;
    }

    /** {@code out = a + b}, or its ReLU. */
    public void forward(INDArray a, INDArray b, INDArray out) {
        Plan p = plans.get(a.size(0), true);
        OneDnnPrimitives.setHandle(p.a, a);
        OneDnnPrimitives.setHandle(p.b, b);
        OneDnnPrimitives.setHandle(p.dst, out);
        p.run(p.add);
    }

    @Override
    public void close() {
        plans.close();
    }

    private final class Plan extends OneDnnPrimitives {
        final dnnl_memory a;
        final dnnl_memory b;
        final dnnl_memory dst;
        final Call add;

        Plan(long batch) {
            dnnl_memory_desc_t md = desc(new long[] {batch, shape[0], shape[1], shape[2]}, tag);
            a = memory(md);
            b = memory(md);
            dst = memory(md);
            dnnl_binary_desc_t d = new dnnl_binary_desc_t();
            check(dnnl_binary_desc_init(d, dnnl_binary_add, md, md, md), "add descriptor");
            add = call(primitiveDesc(d, relu ? activationPostOp(ActivationKind.RELU) : null, null), new int[] {DNNL_ARG_SRC_0, DNNL_ARG_SRC_1, DNNL_ARG_DST},
                    new Arg[] {Arg.plain(a), Arg.plain(b), Arg.plain(dst)});
        }
    }
}
