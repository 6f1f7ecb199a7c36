package io.deepnets.engine.kernels;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WORKSPACE;
import static org.bytedeco.dnnl.global.dnnl.dnnl_forward_inference;
import static org.bytedeco.dnnl.global.dnnl.dnnl_forward_training;
import static org.bytedeco.dnnl.global.dnnl.dnnl_nchw;
import static org.bytedeco.dnnl.global.dnnl.dnnl_pooling_backward_desc_init;
import static org.bytedeco.dnnl.global.dnnl.dnnl_pooling_forward_desc_init;
import static org.bytedeco.dnnl.global.dnnl.dnnl_pooling_max;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_workspace_md;

import org.bytedeco.dnnl.dnnl_memory;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.bytedeco.dnnl.dnnl_pooling_desc_t;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Max pooling (NCHW, no padding) through oneDNN's pooling primitives, made once per batch size: the training forward
 * pass records where each window's maximum was (oneDNN's workspace), and the backward pass routes each gradient
 * there instead of searching the window again, as libnd4j's {@code maxpool2d_bp} does.
 *
 * <p>The arithmetic is DL4J's: the window's maximum forward, its gradient to one position of that maximum backward.
 * Where a window holds the maximum twice, DL4J and oneDNN could pick different positions; after a ReLU that is a
 * window of zeros, whose gradient the ReLU's backward discards anyway ({@code OneDnnTrainingStepTest} compares the
 * step with DL4J's {@code fit}).
 */
public final class OneDnnMaxPooling implements AutoCloseable {
    private final long[] inShape;
    private final long[] outShape;
    private final long[] kernel;
    private final long[] strides;
    private final long[] padLeft;
    private final long[] padRight;
    private final boolean average;
    private final int tag;
    private final OneDnnPrimitives.PlansBySize<Plan> plans = new OneDnnPrimitives.PlansBySize<>(Plan::new);

    /** Pooling of [channels, height, width] inputs into [channels, outH, outW] with the given kernel and stride. */
    public OneDnnMaxPooling(long[] inShape, long[] outShape, int[] kernel, int[] stride) {
        this(inShape, outShape, kernel, stride, new int[] {0, 0}, false);
    }

    /**
     * As the other constructor, with {@code padTopLeft} rows and columns of padding before the input (DL4J's 'same'
     * mode); the padding after it is what makes the output size come out. Padded positions never win a window's
     * maximum (oneDNN's max pooling, as libnd4j's, takes the maximum over the input positions in the window).
     */
    public OneDnnMaxPooling(long[] inShape, long[] outShape, int[] kernel, int[] stride, int[] padTopLeft, boolean average) {
        this(inShape, outShape, kernel, stride, padTopLeft, average, dnnl_nchw);
    }

    /** As the other constructors, the input, the output and their gradients in layout {@code tag} (NCHW or a blocked one). */
    public OneDnnMaxPooling(long[] inShape, long[] outShape, int[] kernel, int[] stride, int[] padTopLeft, boolean average, int tag) {
        this.tag = tag;
        this.average = average;
        this.inShape = inShape.clone();
        this.outShape = outShape.clone();
        this.kernel = new long[] {kernel[0], kernel[1]};
        this.strides = new long[] {stride[0], stride[1]};
        this.padLeft = new long[] {padTopLeft[0], padTopLeft[1]};
        this.padRight = new long[] {(outShape[1] - 1) * stride[0] + kernel[0] - inShape[1] - padTopLeft[0],
            (outShape[2] - 1) * stride[1] + kernel[1] - inShape[2] - padTopLeft[1]};
    }

    /** {@code out} = the maximum of each window of {@code in}; in training, where it was is kept for {@link #backward}. */
    public void forward(INDArray in, INDArray out, boolean training) {
        Plan p = plans.get(in.size(0), training);
        OneDnnPrimitives.setHandle(p.src, in);
        OneDnnPrimitives.setHandle(p.dst, out);
        p.run(p.forward);
    }

    /** {@code gradIn} = each output gradient at its window's maximum, 0 elsewhere (after a training forward pass). */
    public void backward(INDArray eps, INDArray gradIn) {
        Plan p = plans.get(gradIn.size(0), true);
        OneDnnPrimitives.setHandle(p.diffDst, eps);
        OneDnnPrimitives.setHandle(p.diffSrc, gradIn);
        p.run(p.backward);
    }

    @Override
    public void close() {
        plans.close();
    }

    /** The primitives for one batch size. */
    private final class Plan extends OneDnnPrimitives {
        final dnnl_memory src;
        final dnnl_memory dst;
        final dnnl_memory diffDst;
        final dnnl_memory diffSrc;
        final Call forward;
        final Call backward;

        Plan(long batch, boolean training) {
            long[] srcDims = {batch, inShape[0], inShape[1], inShape[2]};
            long[] dstDims = {batch, outShape[0], outShape[1], outShape[2]};
            dnnl_memory_desc_t srcPlain = desc(srcDims, tag);
            dnnl_memory_desc_t dstPlain = desc(dstDims, tag);
            src = memory(srcPlain);
            dst = memory(dstPlain);
            diffDst = memory(dstPlain);
            diffSrc = memory(srcPlain);
            dnnl_pooling_desc_t fd = new dnnl_pooling_desc_t();
            int alg = average ? org.bytedeco.dnnl.global.dnnl.dnnl_pooling_avg_exclude_padding : dnnl_pooling_max;
            check(dnnl_pooling_forward_desc_init(fd, training ? dnnl_forward_training : dnnl_forward_inference, alg, srcPlain, dstPlain,
                    strides, kernel, padLeft, padRight), "pooling descriptor");
            dnnl_primitive_desc forwardPd = primitiveDesc(fd, null, null);
            if (!training) {
                forward = call(forwardPd, new int[] {DNNL_ARG_SRC, DNNL_ARG_DST}, new Arg[] {Arg.plain(src), Arg.plain(dst)});
                backward = null;
                return;
            }
            if (average) {
                // Average pooling keeps no workspace: each gradient is spread evenly over its window's input pixels.
                forward = call(forwardPd, new int[] {DNNL_ARG_SRC, DNNL_ARG_DST}, new Arg[] {Arg.plain(src), Arg.plain(dst)});
                dnnl_pooling_desc_t bd = new dnnl_pooling_desc_t();
                check(dnnl_pooling_backward_desc_init(bd, alg, srcPlain, dstPlain, strides, kernel, padLeft, padRight), "pooling backward descriptor");
                backward = call(primitiveDesc(bd, null, forwardPd), new int[] {DNNL_ARG_DIFF_DST, DNNL_ARG_DIFF_SRC},
                        new Arg[] {Arg.plain(diffDst), Arg.plain(diffSrc)});
                return;
            }
            dnnl_memory workspace = ownedMemory(query(forwardPd, dnnl_query_workspace_md));
            forward = call(forwardPd, new int[] {DNNL_ARG_SRC, DNNL_ARG_DST, DNNL_ARG_WORKSPACE},
                    new Arg[] {Arg.plain(src), Arg.plain(dst), Arg.plain(workspace)});
            dnnl_pooling_desc_t bd = new dnnl_pooling_desc_t();
            check(dnnl_pooling_backward_desc_init(bd, alg, srcPlain, dstPlain, strides, kernel, padLeft, padRight),
                    "pooling backward descriptor");
            backward = call(primitiveDesc(bd, null, forwardPd), new int[] {DNNL_ARG_DIFF_DST, DNNL_ARG_WORKSPACE, DNNL_ARG_DIFF_SRC},
                    new Arg[] {Arg.plain(diffDst), Arg.plain(workspace), Arg.plain(diffSrc)});
        }
    }
}
