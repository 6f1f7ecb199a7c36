package io.deepnets.engine.kernels;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_BIAS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_BIAS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_WEIGHTS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WEIGHTS;
import static org.bytedeco.dnnl.global.dnnl.dnnl_convolution_backward_data_desc_init;
import static org.bytedeco.dnnl.global.dnnl.dnnl_convolution_backward_weights_desc_init;
import static org.bytedeco.dnnl.global.dnnl.dnnl_convolution_direct;
import static org.bytedeco.dnnl.global.dnnl.dnnl_convolution_forward_desc_init;
import static org.bytedeco.dnnl.global.dnnl.dnnl_format_tag_any;
import static org.bytedeco.dnnl.global.dnnl.dnnl_forward_inference;
import static org.bytedeco.dnnl.global.dnnl.dnnl_forward_training;
import static org.bytedeco.dnnl.global.dnnl.dnnl_nchw;
import static org.bytedeco.dnnl.global.dnnl.dnnl_oihw;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_diff_dst_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_diff_src_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_diff_weights_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_dst_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_src_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_weights_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_x;

import org.bytedeco.dnnl.dnnl_convolution_desc_t;
import org.bytedeco.dnnl.dnnl_memory;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.bytedeco.dnnl.dnnl_primitive_attr;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One 2-d convolution layer (NCHW activations, DL4J's [out, in, kH, kW] weights, a bias, ReLU or no activation)
 * through oneDNN's own primitives: forward with the ReLU as a post-op, the ReLU's backward from its output,
 * backward-weights with the bias gradient and, unless the layer is the first, backward-data; each made once per
 * batch size ({@link OneDnnPrimitives}) and reused.
 *
 * <p>Why not libnd4j's {@code conv2d}/{@code conv2d_bp}, which run the same oneDNN kernels: libnd4j builds the
 * primitive descriptors and primitives anew on every call and its {@code conv2d_bp} always computes the input
 * gradient (for the first layer nobody reads it). Measured on the MNIST CNN's shapes alone (2 vCPUs, AVX-512;
 * README, "Performance"): the 32-to-64 convolution's forward 17-27 ms through libnd4j against 9 ms here, its
 * backward 32-65 against 17 ms; the first layer's backward 15-23 ms against 0.6 ms.
 *
 * <p>The arithmetic is DL4J's: {@code relu(conv(x, W) + b)} with ReLU's derivative 0 at 0 (oneDNN's
 * {@code relu_use_dst_for_bwd} passes the gradient where the output is above 0), the same convolution to float
 * rounding (kernels may sum in another order). {@code OneDnnTrainingStepTest} compares the training step that
 * uses it with DL4J's {@code fit}, with DL4J's helpers and without.
 */
public final class OneDnnConvolution implements AutoCloseable {
    private final long[] inShape;
    private final long[] outShape;
    private final long[] kernel;
    private final long[] strides;
    private final long[] padLeft;
    private final long[] padRight;
    /** The activation after the bias (a post-op), its backward pass from the output. */
    private final ActivationKind activation;
    private final boolean inputGradient;
    private final boolean hasBias;
    /** oneDNN's format tags of the caller's input and output arrays (and their gradients): NCHW or a blocked one. */
    private final int srcTag;
    private final int dstTag;
    private final boolean depthwise;
    private final OneDnnPrimitives.PlansBySize<Plan> plans = new OneDnnPrimitives.PlansBySize<>(Plan::new);
    private final OneDnnPrimitives.SharedBuffers shared = new OneDnnPrimitives.SharedBuffers();

    /**
     * @param inShape       [channels, height, width] of the input
     * @param outShape      [channels, height, width] of the output
     * @param kernel        [kH, kW]
     * @param stride        [sH, sW]
     * @param padTopLeft    padding before the first row and column
     * @param relu          ReLU after the bias (else no activation)
     * @param inputGradient whether {@link #backward} computes the gradient at the input (false for a first layer)
     */
    public OneDnnConvolution(long[] inShape, long[] outShape, int[] kernel, int[] stride, int[] padTopLeft, boolean relu, boolean inputGradient) {
        this(inShape, outShape, kernel, stride, padTopLeft, relu ? ActivationKind.RELU : ActivationKind.IDENTITY, inputGradient, true);
    }

    /**
     * As the other constructor with any activation after the bias (ReLU, tanh, sigmoid or none); {@code hasBias} false
     * for a convolution without bias (Keras's {@code use_bias=False}).
     */
    public OneDnnConvolution(long[] inShape, long[] outShape, int[] kernel, int[] stride, int[] padTopLeft, ActivationKind activation, boolean inputGradient,
            boolean hasBias) {
        this(inShape, outShape, kernel, stride, padTopLeft, activation, inputGradient, hasBias, dnnl_nchw, dnnl_nchw);
    }

    /**
     * As the other constructors, with the input (and its gradient) in layout {@code srcTag} and the output (and its
     * gradient) in {@code dstTag}: {@code dnnl_nchw}, or the blocked layout of {@link OneDnnPrimitives#blocked()} so
     * that consecutive layers pass their activations on without a reorder.
     */
    public OneDnnConvolution(long[] inShape, long[] outShape, int[] kernel, int[] stride, int[] padTopLeft, ActivationKind activation, boolean inputGradient,
            boolean hasBias, int srcTag, int dstTag) {
        this(inShape, outShape, kernel, stride, padTopLeft, activation, inputGradient, hasBias, srcTag, dstTag, false);
    }

    /**
     * As the other constructors; with {@code depthwise}, one filter per input channel (groups = channels, Keras's
     * {@code DepthwiseConv2D} with {@code depth_multiplier=1}), its weights in DL4J's depthwise layout
     * [kH, kW, channels, 1], which oneDNN reads as grouped weights [channels, 1, 1, kH, kW] through their strides.
     */
    public OneDnnConvolution(long[] inShape, long[] outShape, int[] kernel, int[] stride, int[] padTopLeft, ActivationKind activation, boolean inputGradient,
            boolean hasBias, int srcTag, int dstTag, boolean depthwise) {
        this.depthwise = depthwise;
        this.srcTag = srcTag;
        this.dstTag = dstTag;
        this.hasBias = hasBias;
        this.inShape = inShape.clone();
        this.outShape = outShape.clone();
        this.kernel = new long[] {kernel[0], kernel[1]};
        this.strides = new long[] {stride[0], stride[1]};
        this.padLeft = new long[] {padTopLeft[0], padTopLeft[1]};
        // oneDNN wants the padding after the last row/column explicitly: what makes the output size come out.
        this.padRight = new long[] {
                (outShape[1] - 1) * stride[0] + kernel[0] - inShape[1] - padTopLeft[0],
                (outShape[2] - 1) * stride[1] + kernel[1] - inShape[2] - padTopLeft[1]};
        this.activation = activation;
        this.inputGradient = inputGradient;
    }

    /** {@code out = relu(conv(in, weights) + bias)} (or without the ReLU). */
    public void forward(INDArray in, INDArray weights, INDArray bias, INDArray out, boolean training) {
        Plan p = plans.get(in.size(0), training);
        OneDnnPrimitives.setHandle(p.src, in);
        OneDnnPrimitives.setHandle(p.weights, weights);
        if (hasBias) {
            OneDnnPrimitives.setHandle(p.bias, bias);
        }
        OneDnnPrimitives.setHandle(p.dst, out);
        p.run(p.forward);
    }

    /**
     * From the gradient at the output {@code eps} (overwritten: the ReLU's backward runs in place on it): the weight
     * and bias gradients, written into DL4J's gradient views, and, when made with {@code inputGradient}, the gradient
     * at the input into {@code gradIn}. {@code in} and {@code out} are the last training forward pass's.
     */
    public void backward(INDArray in, INDArray weights, INDArray out, INDArray eps, INDArray weightGrad, INDArray biasGrad, INDArray gradIn) {
        Plan p = plans.get(in.size(0), true);
        OneDnnPrimitives.setHandle(p.src, in);
        OneDnnPrimitives.setHandle(p.weights, weights);
        OneDnnPrimitives.setHandle(p.diffDst, eps);
        OneDnnPrimitives.setHandle(p.diffWeights, weightGrad);
        if (hasBias) {
            OneDnnPrimitives.setHandle(p.diffBias, biasGrad);
        }
        if (activation != ActivationKind.IDENTITY) {
            OneDnnPrimitives.setHandle(p.dst, out);
            p.run(p.reluBackward);
        }
        p.run(p.backwardWeights);
        if (inputGradient && gradIn != null) {
            OneDnnPrimitives.setHandle(p.diffSrc, gradIn);
            p.run(p.backwardData);
        }
    }

    @Override
    public void close() {
        plans.close();
        shared.close();
    }

    /** DL4J's depthwise weights [kH, kW, channels, 1] as oneDNN's grouped [channels, 1, 1, kH, kW], by strides. */
    private static org.bytedeco.dnnl.dnnl_memory_desc_t depthwiseWeights(long[] dims) {
        long channels = dims[0];
        long kW = dims[4];
        org.bytedeco.dnnl.dnnl_memory_desc_t d = new org.bytedeco.dnnl.dnnl_memory_desc_t();
        OneDnnPrimitives.check(org.bytedeco.dnnl.global.dnnl.dnnl_memory_desc_init_by_strides(d, 5, dims, org.bytedeco.dnnl.global.dnnl.dnnl_f32,
                new long[] {1, 1, 1, kW * channels, channels}), "depthwise weights descriptor");
        return d;
    }

    /**
     * The primitives for one batch size: for training, the training forward pass (whose blocked input the
     * backward-weights pass reuses) and the backward passes; for inference, the inference forward pass alone
     * (validation and test batch sizes then build no backward primitives, JIT-compiled code and blocked buffers).
     */
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
            long[] srcDims = {batch, inShape[0], inShape[1], inShape[2]};
            long[] dstDims = {batch, outShape[0], outShape[1], outShape[2]};
            long[] wDims = depthwise ? new long[] {inShape[0], 1, 1, kernel[0], kernel[1]} : new long[] {outShape[0], inShape[0], kernel[0], kernel[1]};
            dnnl_memory_desc_t srcPlain = desc(srcDims, srcTag);
            dnnl_memory_desc_t dstPlain = desc(dstDims, dstTag);
            dnnl_memory_desc_t wPlain = depthwise ? depthwiseWeights(wDims) : desc(wDims, dnnl_oihw);
            dnnl_memory_desc_t bPlain = hasBias ? desc(new long[] {outShape[0]}, dnnl_x) : null;
            src = memory(srcPlain);
            weights = memory(wPlain);
            bias = hasBias ? memory(bPlain) : null;
            dst = memory(dstPlain);
            diffDst = memory(dstPlain);
            diffWeights = memory(wPlain);
            diffBias = hasBias ? memory(bPlain) : null;
            diffSrc = memory(srcPlain);
            dnnl_memory_desc_t srcAny = desc(srcDims, dnnl_format_tag_any);
            dnnl_memory_desc_t dstAny = desc(dstDims, dnnl_format_tag_any);
            dnnl_memory_desc_t wAny = desc(wDims, dnnl_format_tag_any);

            dnnl_primitive_attr attr = activation != ActivationKind.IDENTITY ? activationPostOp(activation) : null;
            dnnl_primitive_desc forwardPd = null;
            if (!training && srcTag == dstTag && srcTag != dnnl_nchw) {
                // Between blocked activations inference reads and writes their layout: left free ('any'), oneDNN's
                // inference kernels here pick NHWC, and every validation batch paid two reorders per convolution into
                // and out of buffers the size of its input and output (~200 MB more for ResNet-20 at batch 128). Where
                // only its reference code takes the layouts (thousands of times slower) it keeps 'any' and the
                // reorders, as NCHW networks do (whose inference kernels are then the ones the tests measured).
                dnnl_convolution_desc_t exact = new dnnl_convolution_desc_t();
                check(dnnl_convolution_forward_desc_init(exact, dnnl_forward_inference, dnnl_convolution_direct, srcPlain, wAny, bPlain, dstPlain,
                        strides, padLeft, padRight), "forward descriptor");
                try {
                    forwardPd = primitiveDesc(exact, attr, null);
                    if (implementation(forwardPd).startsWith("ref")) {
                        forwardPd = null;
                    }
                } catch (IllegalStateException unimplemented) {
                    forwardPd = null;
                }
            }
            if (forwardPd == null) {
                dnnl_convolution_desc_t fd = new dnnl_convolution_desc_t();
                check(dnnl_convolution_forward_desc_init(fd, training ? dnnl_forward_training : dnnl_forward_inference, dnnl_convolution_direct,
                        srcAny, wAny, bPlain, dstAny, strides, padLeft, padRight), "forward descriptor");
                forwardPd = primitiveDesc(fd, attr, null);
            }
            // Reordered activations and gradients, by role too: each lives within one plan's forward and backward
            // passes, and no other plan of this layer runs between those.
            Arg fSrc = arg(src, srcPlain, query(forwardPd, dnnl_query_src_md), true, shared, "input");
            // The weights' blocked copies: one buffer for the forward and backward-data passes of every plan (each
            // reorders into it before use; the forward's copy is not read after the forward pass unless the backward-
            // data pass takes that very copy), another for the weight gradient.
            Arg fW = arg(weights, wPlain, query(forwardPd, dnnl_query_weights_md), true, shared, "weights");
            Arg fDst = arg(dst, dstPlain, query(forwardPd, dnnl_query_dst_md), false, shared, "output");
            forward = hasBias ? call(forwardPd, new int[] {DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_BIAS, DNNL_ARG_DST}, new Arg[] {fSrc, fW, Arg.plain(bias), fDst})
                    : call(forwardPd, new int[] {DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_DST}, new Arg[] {fSrc, fW, fDst});
            if (!training) {
                reluBackward = null;
                backwardWeights = null;
                backwardData = null;
                return;
            }

            reluBackward = activation != ActivationKind.IDENTITY ? activationBackward(activation, dstPlain, dst, diffDst) : null;

            dnnl_convolution_desc_t wd = new dnnl_convolution_desc_t();
            check(dnnl_convolution_backward_weights_desc_init(wd, dnnl_convolution_direct, srcAny, wAny, bPlain, dstAny,
                    strides, padLeft, padRight), "backward-weights descriptor");
            dnnl_primitive_desc weightsPd = primitiveDesc(wd, null, forwardPd);
            dnnl_memory_desc_t wSrcMd = query(weightsPd, dnnl_query_src_md);
            // The blocked copy of the input made by the forward pass serves the backward pass too.
            Arg wSrc = same(wSrcMd, query(forwardPd, dnnl_query_src_md)) ? Arg.plain(fSrc.memory())
                    : arg(src, srcPlain, wSrcMd, true, shared, "input-for-weights");
            Arg wDiffDst = arg(diffDst, dstPlain, query(weightsPd, dnnl_query_diff_dst_md), true, shared, "output-gradient");
            Arg wDiffW = arg(diffWeights, wPlain, query(weightsPd, dnnl_query_diff_weights_md), false, shared, "weight-gradient");
            backwardWeights = hasBias ? call(weightsPd, new int[] {DNNL_ARG_SRC, DNNL_ARG_DIFF_DST, DNNL_ARG_DIFF_WEIGHTS, DNNL_ARG_DIFF_BIAS},
                    new Arg[] {wSrc, wDiffDst, wDiffW, Arg.plain(diffBias)})
                    : call(weightsPd, new int[] {DNNL_ARG_SRC, DNNL_ARG_DIFF_DST, DNNL_ARG_DIFF_WEIGHTS}, new Arg[] {wSrc, wDiffDst, wDiffW});

            if (inputGradient) {
                dnnl_convolution_desc_t dd = new dnnl_convolution_desc_t();
                check(dnnl_convolution_backward_data_desc_init(dd, dnnl_convolution_direct, srcAny, wAny, dstAny, strides, padLeft, padRight),
                        "backward-data descriptor");
                dnnl_primitive_desc dataPd = primitiveDesc(dd, null, forwardPd);
                // Reuse what the backward-weights pass (gradient) and the forward pass (weights) already reordered.
                dnnl_memory_desc_t dDiffDstMd = query(dataPd, dnnl_query_diff_dst_md);
                Arg dDiffDst = same(dDiffDstMd, query(weightsPd, dnnl_query_diff_dst_md)) ? Arg.plain(wDiffDst.memory())
                        : arg(diffDst, dstPlain, dDiffDstMd, true, shared, "output-gradient-for-data");
                dnnl_memory_desc_t dWMd = query(dataPd, dnnl_query_weights_md);
                Arg dW = same(dWMd, query(forwardPd, dnnl_query_weights_md)) ? Arg.plain(fW.memory()) : arg(weights, wPlain, dWMd, true, shared, "weights");
                backwardData = call(dataPd, new int[] {DNNL_ARG_DIFF_DST, DNNL_ARG_WEIGHTS, DNNL_ARG_DIFF_SRC},
                        new Arg[] {dDiffDst, dW, arg(diffSrc, srcPlain, query(dataPd, dnnl_query_diff_src_md), false, shared, "input-gradient")});
            } else {
                backwardData = null;
            }
        }
    }
}
