package io.deepnets.engine.kernels;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_SCALE;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_SHIFT;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_MEAN;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SCALE;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SHIFT;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_VARIANCE;
import static org.bytedeco.dnnl.global.dnnl.dnnl_a;
import static org.bytedeco.dnnl.global.dnnl.dnnl_backward;
import static org.bytedeco.dnnl.global.dnnl.dnnl_batch_normalization_backward_desc_init;
import static org.bytedeco.dnnl.global.dnnl.dnnl_batch_normalization_forward_desc_init;
import static org.bytedeco.dnnl.global.dnnl.dnnl_forward_inference;
import static org.bytedeco.dnnl.global.dnnl.dnnl_forward_training;
import static org.bytedeco.dnnl.global.dnnl.dnnl_nchw;
import static org.bytedeco.dnnl.global.dnnl.dnnl_use_global_stats;
import static org.bytedeco.dnnl.global.dnnl.dnnl_use_scale;
import static org.bytedeco.dnnl.global.dnnl.dnnl_use_shift;

import org.bytedeco.dnnl.dnnl_batch_normalization_desc_t;
import org.bytedeco.dnnl.dnnl_memory;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Batch normalisation of NCHW activations (a dense layer's [batch, features] as [batch, features, 1, 1]) through
 * oneDNN's primitives, made once per batch size: the training forward pass normalises with the batch's mean and
 * (biased) variance per channel and returns them, the inference pass with the moving statistics, the backward pass
 * gives the input gradient and gamma's and beta's. This is the arithmetic of DL4J's {@code BatchNormalization} layer
 * ({@code y = gamma (x - mean) / sqrt(var + eps) + beta}; DL4J's oneDNN helper runs libnd4j's {@code batchnorm}
 * ops, which call these primitives); the moving statistics' update is the caller's ({@code OneDnnTrainingStep}).
 */
public final class OneDnnBatchNorm implements AutoCloseable {
    private final long[] shape;
    private final float epsilon;
    private final int tag;
    private final boolean relu;
    private final OneDnnPrimitives.PlansBySize<Plan> plans = new OneDnnPrimitives.PlansBySize<>(Plan::new);

    /** Normalisation of [channels, height, width] inputs with DL4J's {@code eps}. */
    public OneDnnBatchNorm(long[] shape, double epsilon) {
        this(shape, epsilon, dnnl_nchw);
    }

    /**
     * As the other constructor, the activations and their gradients in layout {@code tag} ({@code dnnl_nchw} or the
     * blocked layout of {@link OneDnnPrimitives#blocked()}, where oneDNN's JIT kernel runs; on NCHW it takes its
     * generic one, about three times slower here).
     */
    public OneDnnBatchNorm(long[] shape, double epsilon, int tag) {
        this(shape, epsilon, tag, false);
    }

    /**
     * As the other constructors; with {@code relu}, a ReLU after the normalisation in the same pass (oneDNN's
     * {@code fuse_norm_relu}): the output is {@code max(0, y)}, and {@link #backward} takes the gradient at the ReLU's
     * output and passes it where {@code y > 0} (a workspace the forward pass writes), DL4J's ReLU derivative.
     */
    public OneDnnBatchNorm(long[] shape, double epsilon, int tag, boolean relu) {
        this.shape = shape.clone();
        this.epsilon = (float) epsilon;
        this.tag = tag;
        this.relu = relu;
    }

    /**
     * Training: {@code out} from the batch statistics, written to {@code mean} and {@code variance} ([channels]).
     * Inference: from the moving statistics {@code mean} and {@code variance}.
     */
    public void forward(INDArray in, INDArray gamma, INDArray beta, INDArray mean, INDArray variance, INDArray out, boolean training) {
        Plan p = plans.get(in.size(0), training);
        OneDnnPrimitives.setHandle(p.src, in);
        OneDnnPrimitives.setHandle(p.dst, out);
        OneDnnPrimitives.setHandle(p.scale, gamma);
        OneDnnPrimitives.setHandle(p.shift, beta);
        OneDnnPrimitives.setHandle(p.mean, mean);
        OneDnnPrimitives.setHandle(p.variance, variance);
        p.run(p.forward);
    }

    /** The input gradient and gamma's and beta's, from the training forward pass's input and batch statistics. */
    public void backward(INDArray in, INDArray gamma, INDArray mean, INDArray variance, INDArray eps, INDArray gradIn, INDArray gammaGrad, INDArray betaGrad) {
        Plan p = plans.get(in.size(0), true);
        OneDnnPrimitives.setHandle(p.src, in);
        OneDnnPrimitives.setHandle(p.scale, gamma);
        OneDnnPrimitives.setHandle(p.shift, gamma);     // read by no backward computation; oneDNN wants the argument set
        OneDnnPrimitives.setHandle(p.mean, mean);
        OneDnnPrimitives.setHandle(p.variance, variance);
        OneDnnPrimitives.setHandle(p.diffDst, eps);
        OneDnnPrimitives.setHandle(p.diffSrc, gradIn);
        OneDnnPrimitives.setHandle(p.diffScale, gammaGrad);
        OneDnnPrimitives.setHandle(p.diffShift, betaGrad);
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
        final dnnl_memory scale;
        final dnnl_memory shift;
        final dnnl_memory mean;
        final dnnl_memory variance;
        final dnnl_memory diffDst;
        final dnnl_memory diffSrc;
        final dnnl_memory diffScale;
        final dnnl_memory diffShift;
        final Call forward;
        final Call backward;

        Plan(long batch, boolean training) {
            dnnl_memory_desc_t data = desc(new long[] {batch, shape[0], shape[1], shape[2]}, tag);
            dnnl_memory_desc_t channels = desc(new long[] {shape[0]}, dnnl_a);
            src = memory(data);
            dst = memory(data);
            diffDst = memory(data);
            diffSrc = memory(data);
            scale = memory(channels);
            shift = memory(channels);
            mean = memory(channels);
            variance = memory(channels);
            diffScale = memory(channels);
            diffShift = memory(channels);
            int flags = dnnl_use_scale | dnnl_use_shift | (relu ? org.bytedeco.dnnl.global.dnnl.dnnl_fuse_norm_relu : 0);
            dnnl_batch_normalization_desc_t fd = new dnnl_batch_normalization_desc_t();
            check(dnnl_batch_normalization_forward_desc_init(fd, training ? dnnl_forward_training : dnnl_forward_inference, data, epsilon,
                    training ? flags : flags | dnnl_use_global_stats), "batch normalisation descriptor");
            dnnl_primitive_desc forwardPd = primitiveDesc(fd, null, null);
            // With the ReLU fused, the training pass records where y > 0 for the backward pass.
            dnnl_memory workspace = training && relu ? ownedMemory(query(forwardPd, org.bytedeco.dnnl.global.dnnl.dnnl_query_workspace_md)) : null;
            forward = call(forwardPd, new int[] {DNNL_ARG_SRC, DNNL_ARG_SCALE, DNNL_ARG_SHIFT, DNNL_ARG_MEAN, DNNL_ARG_VARIANCE, DNNL_ARG_DST},
                    new Arg[] {Arg.plain(src), Arg.plain(scale), Arg.plain(shift), Arg.plain(mean), Arg.plain(variance), Arg.plain(dst)}, workspace);
            if (!training) {
                backward = null;
                return;
            }
            dnnl_batch_normalization_desc_t bd = new dnnl_batch_normalization_desc_t();
            check(dnnl_batch_normalization_backward_desc_init(bd, dnnl_backward, data, data, epsilon, flags), "batch normalisation backward descriptor");
            backward = call(primitiveDesc(bd, null, forwardPd),
                    new int[] {DNNL_ARG_SRC, DNNL_ARG_MEAN, DNNL_ARG_VARIANCE, DNNL_ARG_DIFF_DST, DNNL_ARG_SCALE, DNNL_ARG_SHIFT, DNNL_ARG_DIFF_SRC,
                        DNNL_ARG_DIFF_SCALE, DNNL_ARG_DIFF_SHIFT},
                    new Arg[] {Arg.plain(src), Arg.plain(mean), Arg.plain(variance), Arg.plain(diffDst), Arg.plain(scale), Arg.plain(shift),
                        Arg.plain(diffSrc), Arg.plain(diffScale), Arg.plain(diffShift)}, workspace);
        }

        /** {@code pd}'s primitive on these arguments, and on the fused ReLU's workspace when there is one. */
        private Call call(dnnl_primitive_desc pd, int[] kinds, Arg[] args, dnnl_memory workspace) {
            if (workspace == null) {
                return call(pd, kinds, args);
            }
            int[] k = java.util.Arrays.copyOf(kinds, kinds.length + 1);
            k[kinds.length] = org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WORKSPACE;
            Arg[] a = java.util.Arrays.copyOf(args, args.length + 1);
            a[args.length] = Arg.plain(workspace);
            return call(pd, k, a);
        }
    }
}
