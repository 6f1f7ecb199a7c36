package io.deepnets.train;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_BIAS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_BIAS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_WEIGHTS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_FROM;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_TO;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WEIGHTS;
import static org.bytedeco.dnnl.global.dnnl.dnnl_convolution_backward_data_desc_init;
import static org.bytedeco.dnnl.global.dnnl.dnnl_convolution_backward_weights_desc_init;
import static org.bytedeco.dnnl.global.dnnl.dnnl_convolution_direct;
import static org.bytedeco.dnnl.global.dnnl.dnnl_convolution_forward_desc_init;
import static org.bytedeco.dnnl.global.dnnl.dnnl_cpu;
import static org.bytedeco.dnnl.global.dnnl.dnnl_engine_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_f32;
import static org.bytedeco.dnnl.global.dnnl.dnnl_format_tag_any;
import static org.bytedeco.dnnl.global.dnnl.dnnl_forward_inference;
import static org.bytedeco.dnnl.global.dnnl.dnnl_forward_training;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_desc_equal;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_desc_get_size;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_desc_init_by_tag;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_set_data_handle;
import static org.bytedeco.dnnl.global.dnnl.dnnl_nchw;
import static org.bytedeco.dnnl.global.dnnl.dnnl_oihw;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_desc_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_desc_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_desc_query;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_desc_query_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_execute;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_diff_dst_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_diff_src_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_diff_weights_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_dst_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_impl_info_str;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_src_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_weights_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_reorder_primitive_desc_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_stream_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_stream_default_flags;
import static org.bytedeco.dnnl.global.dnnl.dnnl_stream_wait;
import static org.bytedeco.dnnl.global.dnnl.dnnl_x;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bytedeco.dnnl.const_dnnl_op_desc_t;
import org.bytedeco.dnnl.dnnl_convolution_desc_t;
import org.bytedeco.dnnl.dnnl_engine;
import org.bytedeco.dnnl.dnnl_exec_arg_t;
import org.bytedeco.dnnl.dnnl_memory;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.bytedeco.dnnl.dnnl_primitive;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.dnnl.dnnl_stream;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One 2-d convolution layer (NCHW activations, DL4J's [out, in, kH, kW] weights, a bias) through oneDNN's own
 * primitives, called through JavaCPP's {@code dnnl} presets: forward, backward-weights (with the bias gradient) and,
 * unless the layer is the first, backward-data, each created once per batch size and reused.
 *
 * <p>Why not libnd4j's {@code conv2d}/{@code conv2d_bp}, which run the same oneDNN kernels: libnd4j builds the
 * primitive descriptors and primitives anew on every call, reorders every argument into and out of oneDNN's blocked
 * layout, and its {@code conv2d_bp} always computes the input gradient (for the first layer nobody reads it).
 * Measured on the MNIST CNN's shapes (2 vCPUs, AVX-512; README, "Performance"): the 32-to-64 convolution's forward
 * 17-27 ms through libnd4j against 9 ms here, its backward 32-65 against 17 ms; the first layer's backward 15-23 ms
 * against 0.6 ms. The arithmetic is the same convolution to float rounding (the kernels may sum in another order);
 * {@code ConvOpsTrainingStepTest} compares the training step using it with DL4J's {@code fit}.
 *
 * <p>Layouts: every argument is given to oneDNN as "any" so that it picks its fastest (blocked) layout; the arrays
 * the rest of the step sees stay plain NCHW/OIHW, and reorders (primitives made once too) move data between the
 * two where they differ. The blocked copy of the input made for the forward pass is reused by the backward pass.
 * Not thread-safe: one training step owns each instance.
 */
final class OneDnnConvolution implements AutoCloseable {
    private final long[] inShape;
    private final long[] outShape;
    private final long[] kernel;
    private final long[] strides;
    private final long[] padLeft;
    private final long[] padRight;
    private final boolean inputGradient;
    private final Map<Long, Plan> plans = new HashMap<>();

    /**
     * @param inShape       [channels, height, width] of the input
     * @param outShape      [channels, height, width] of the output
     * @param kernel        [kH, kW]
     * @param stride        [sH, sW]
     * @param padTopLeft    padding before the first row and column
     * @param inputGradient whether {@link #backward} computes the gradient at the input (false for a first layer)
     */
    OneDnnConvolution(long[] inShape, long[] outShape, int[] kernel, int[] stride, int[] padTopLeft, boolean inputGradient) {
        this.inShape = inShape.clone();
        this.outShape = outShape.clone();
        this.kernel = new long[] {kernel[0], kernel[1]};
        this.strides = new long[] {stride[0], stride[1]};
        this.padLeft = new long[] {padTopLeft[0], padTopLeft[1]};
        // oneDNN wants the padding after the last row/column explicitly: what makes the output size come out.
        this.padRight = new long[] {
                (outShape[1] - 1) * stride[0] + kernel[0] - inShape[1] - padTopLeft[0],
                (outShape[2] - 1) * stride[1] + kernel[1] - inShape[2] - padTopLeft[1]};
        this.inputGradient = inputGradient;
    }

    /** Why oneDNN cannot run here (its native library did not load), or empty when it can. */
    static Optional<String> unavailable() {
        return Runtime.INSTANCE.problem == null ? Optional.empty() : Optional.of(Runtime.INSTANCE.problem);
    }

    /** {@code out = conv(in, weights) + bias}; {@code in} is kept (by reference) for {@link #backward}. */
    void forward(INDArray in, INDArray weights, INDArray bias, INDArray out, boolean training) {
        Plan p = plan(in.size(0));
        p.setHandle(p.userSrc, in);
        p.setHandle(p.userWeights, weights);
        p.setHandle(p.userBias, bias);
        p.setHandle(p.userDst, out);
        p.run(training ? p.forwardTraining : p.forwardInference);
    }

    /**
     * From the gradient at the output {@code eps}: the weight and bias gradients (written into DL4J's gradient
     * views) and, when this convolution was made with {@code inputGradient}, the gradient at the input into
     * {@code gradIn}. The last {@link #forward} (training) must have been on the same input.
     */
    void backward(INDArray in, INDArray weights, INDArray eps, INDArray weightGrad, INDArray biasGrad, INDArray gradIn) {
        Plan p = plan(in.size(0));
        p.setHandle(p.userSrc, in);
        p.setHandle(p.userWeights, weights);
        p.setHandle(p.userDiffDst, eps);
        p.setHandle(p.userDiffWeights, weightGrad);
        p.setHandle(p.userDiffBias, biasGrad);
        p.run(p.backwardWeights);
        if (inputGradient) {
            p.setHandle(p.userDiffSrc, gradIn);
            p.run(p.backwardData);
        }
    }

    /** The oneDNN implementations chosen (e.g. {@code jit:avx512_common}) for a batch size: forward, weights, data. */
    String implementations(long batch) {
        Plan p = plan(batch);
        return Runtime.implementation(p.forwardPd) + ", " + Runtime.implementation(p.weightsPd)
                + (inputGradient ? ", " + Runtime.implementation(p.dataPd) : "");
    }

    private Plan plan(long batch) {
        Plan p = plans.get(batch);
        if (p == null) {
            p = new Plan(batch);
            plans.put(batch, p);
        }
        return p;
    }

    @Override
    public void close() {
        for (Plan p : plans.values()) {
            p.close();
        }
        plans.clear();
    }

    /** The engine and stream, made once per JVM; {@code problem} says why not when the library does not load. */
    private static final class Runtime {
        static final Runtime INSTANCE = new Runtime();
        final dnnl_engine engine = new dnnl_engine();
        final dnnl_stream stream = new dnnl_stream();
        final String problem;

        private Runtime() {
            String why = null;
            try {
                Loader.load(org.bytedeco.dnnl.global.dnnl.class);
                check(dnnl_engine_create(engine, dnnl_cpu, 0), "engine");
                check(dnnl_stream_create(stream, engine, dnnl_stream_default_flags), "stream");
            } catch (Throwable t) {         // UnsatisfiedLinkError and the like: the step declines with the reason
                why = "oneDNN (JavaCPP dnnl presets) did not load: " + t;
            }
            problem = why;
        }

        static String implementation(dnnl_primitive_desc pd) {
            PointerPointer<BytePointer> name = new PointerPointer<>(1);
            check(dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, name), "query");
            return name.get(BytePointer.class, 0).getString();
        }
    }

    private static void check(int status, String what) {
        if (status != 0) {
            throw new IllegalStateException("oneDNN " + what + " failed with status " + status);
        }
    }

    /** A raw address as a JavaCPP pointer: an array's first element, offset included. */
    private static final class Address extends Pointer {
        Address(long address) {
            this.address = address;
        }
    }

    /** One primitive with its arguments, and the reorders to run before and after it. */
    private record Call(List<Call> before, dnnl_primitive primitive, dnnl_exec_arg_t args, int count, List<Call> after) {
    }

    /** Everything for one batch size: descriptors, primitives, memories (user and blocked), reorders. */
    private final class Plan {
        private final Runtime rt = Runtime.INSTANCE;
        private final List<dnnl_primitive_desc> pds = new ArrayList<>();
        private final List<dnnl_primitive> primitives = new ArrayList<>();
        private final List<dnnl_memory> memories = new ArrayList<>();
        /** The blocked buffers: ND4J arrays, so ND4J's memory accounting sees them. */
        private final List<INDArray> buffers = new ArrayList<>();
        final dnnl_memory userSrc;
        final dnnl_memory userWeights;
        final dnnl_memory userBias;
        final dnnl_memory userDst;
        final dnnl_memory userDiffDst;
        final dnnl_memory userDiffWeights;
        final dnnl_memory userDiffBias;
        final dnnl_memory userDiffSrc;
        final dnnl_primitive_desc forwardPd;
        final dnnl_primitive_desc weightsPd;
        final dnnl_primitive_desc dataPd;
        final Call forwardTraining;
        final Call forwardInference;
        final Call backwardWeights;
        final Call backwardData;

        Plan(long batch) {
            long[] src = {batch, inShape[0], inShape[1], inShape[2]};
            long[] dst = {batch, outShape[0], outShape[1], outShape[2]};
            long[] w = {outShape[0], inShape[0], kernel[0], kernel[1]};
            long[] b = {outShape[0]};
            dnnl_memory_desc_t srcPlain = desc(src, dnnl_nchw);
            dnnl_memory_desc_t dstPlain = desc(dst, dnnl_nchw);
            dnnl_memory_desc_t wPlain = desc(w, dnnl_oihw);
            dnnl_memory_desc_t bPlain = desc(b, dnnl_x);
            userSrc = memory(srcPlain);
            userWeights = memory(wPlain);
            userBias = memory(bPlain);
            userDst = memory(dstPlain);
            userDiffDst = memory(dstPlain);
            userDiffWeights = memory(wPlain);
            userDiffBias = memory(bPlain);
            userDiffSrc = memory(srcPlain);

            dnnl_memory_desc_t srcAny = desc(src, dnnl_format_tag_any);
            dnnl_memory_desc_t dstAny = desc(dst, dnnl_format_tag_any);
            dnnl_memory_desc_t wAny = desc(w, dnnl_format_tag_any);
            dnnl_convolution_desc_t fd = new dnnl_convolution_desc_t();
            check(dnnl_convolution_forward_desc_init(fd, dnnl_forward_training, dnnl_convolution_direct, srcAny, wAny, bPlain, dstAny,
                    strides, padLeft, padRight), "forward descriptor");
            forwardPd = primitiveDesc(fd, null);
            dnnl_convolution_desc_t id = new dnnl_convolution_desc_t();
            check(dnnl_convolution_forward_desc_init(id, dnnl_forward_inference, dnnl_convolution_direct, srcAny, wAny, bPlain, dstAny,
                    strides, padLeft, padRight), "inference descriptor");
            dnnl_primitive_desc inferencePd = primitiveDesc(id, null);
            dnnl_convolution_desc_t wd = new dnnl_convolution_desc_t();
            check(dnnl_convolution_backward_weights_desc_init(wd, dnnl_convolution_direct, srcAny, wAny, bPlain, dstAny,
                    strides, padLeft, padRight), "backward-weights descriptor");
            weightsPd = primitiveDesc(wd, forwardPd);

            // Forward (training): the blocked input stays for the backward-weights pass.
            Arg fSrc = arg(userSrc, srcPlain, query(forwardPd, dnnl_query_src_md), true);
            Arg fW = arg(userWeights, wPlain, query(forwardPd, dnnl_query_weights_md), true);
            Arg fDst = arg(userDst, dstPlain, query(forwardPd, dnnl_query_dst_md), false);
            forwardTraining = call(forwardPd, new int[] {DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_BIAS, DNNL_ARG_DST},
                    new Arg[] {fSrc, fW, plainArg(userBias), fDst});
            Arg iSrc = arg(userSrc, srcPlain, query(inferencePd, dnnl_query_src_md), true);
            Arg iW = arg(userWeights, wPlain, query(inferencePd, dnnl_query_weights_md), true);
            Arg iDst = arg(userDst, dstPlain, query(inferencePd, dnnl_query_dst_md), false);
            forwardInference = call(inferencePd, new int[] {DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_BIAS, DNNL_ARG_DST},
                    new Arg[] {iSrc, iW, plainArg(userBias), iDst});

            dnnl_memory_desc_t wSrcMd = query(weightsPd, dnnl_query_src_md);
            Arg wSrc = dnnl_memory_desc_equal(wSrcMd, query(forwardPd, dnnl_query_src_md)) != 0
                    ? new Arg(fSrc.memory, List.of(), List.of()) : arg(userSrc, srcPlain, wSrcMd, true);
            Arg wDiffDst = arg(userDiffDst, dstPlain, query(weightsPd, dnnl_query_diff_dst_md), true);
            Arg wDiffW = arg(userDiffWeights, wPlain, query(weightsPd, dnnl_query_diff_weights_md), false);
            backwardWeights = call(weightsPd, new int[] {DNNL_ARG_SRC, DNNL_ARG_DIFF_DST, DNNL_ARG_DIFF_WEIGHTS, DNNL_ARG_DIFF_BIAS},
                    new Arg[] {wSrc, wDiffDst, wDiffW, plainArg(userDiffBias)});

            if (inputGradient) {
                dnnl_convolution_desc_t dd = new dnnl_convolution_desc_t();
                check(dnnl_convolution_backward_data_desc_init(dd, dnnl_convolution_direct, srcAny, wAny, dstAny, strides, padLeft, padRight),
                        "backward-data descriptor");
                dataPd = primitiveDesc(dd, forwardPd);
                dnnl_memory_desc_t dDiffDstMd = query(dataPd, dnnl_query_diff_dst_md);
                Arg dDiffDst = dnnl_memory_desc_equal(dDiffDstMd, query(weightsPd, dnnl_query_diff_dst_md)) != 0
                        ? new Arg(wDiffDst.memory, List.of(), List.of()) : arg(userDiffDst, dstPlain, dDiffDstMd, true);
                dnnl_memory_desc_t dWMd = query(dataPd, dnnl_query_weights_md);
                Arg dW = dnnl_memory_desc_equal(dWMd, query(forwardPd, dnnl_query_weights_md)) != 0
                        ? new Arg(fW.memory, List.of(), List.of()) : arg(userWeights, wPlain, dWMd, true);
                Arg dDiffSrc = arg(userDiffSrc, srcPlain, query(dataPd, dnnl_query_diff_src_md), false);
                backwardData = call(dataPd, new int[] {DNNL_ARG_DIFF_DST, DNNL_ARG_WEIGHTS, DNNL_ARG_DIFF_SRC},
                        new Arg[] {dDiffDst, dW, dDiffSrc});
            } else {
                dataPd = null;
                backwardData = null;
            }
        }

        void setHandle(dnnl_memory m, INDArray a) {
            if (a.dataType() != DataType.FLOAT || !denseInCOrder(a)) {
                throw new IllegalStateException("oneDNN convolution: expected a contiguous float array in 'c' order, got " + a.shapeInfoToString());
            }
            check(dnnl_memory_set_data_handle(m, new Address(a.data().address() + a.offset() * Float.BYTES)), "data handle");
        }

        /** Whether the elements lie one after another in 'c' order (a size-1 dimension's stride does not matter). */
        private boolean denseInCOrder(INDArray a) {
            long expected = 1;
            for (int i = a.rank() - 1; i >= 0; i--) {
                if (a.size(i) != 1 && a.stride(i) != expected) {
                    return false;
                }
                expected *= a.size(i);
            }
            return true;
        }

        void run(Call c) {
            for (Call r : c.before) {
                run(r);
            }
            check(dnnl_primitive_execute(c.primitive, rt.stream, c.count, c.args), "execute");
            check(dnnl_stream_wait(rt.stream), "stream wait");
            for (Call r : c.after) {
                run(r);
            }
        }

        /** An argument: the memory the primitive reads or writes, and the reorders that fill or empty it. */
        private record Arg(dnnl_memory memory, List<Call> before, List<Call> after) {
        }

        private Arg plainArg(dnnl_memory user) {
            return new Arg(user, List.of(), List.of());
        }

        /** The user's plain memory when the primitive takes that layout, else a blocked buffer and a reorder. */
        private Arg arg(dnnl_memory user, dnnl_memory_desc_t plain, dnnl_memory_desc_t wanted, boolean input) {
            if (dnnl_memory_desc_equal(plain, wanted) != 0) {
                return plainArg(user);
            }
            INDArray buffer = Nd4j.createUninitialized(DataType.FLOAT, dnnl_memory_desc_get_size(wanted) / Float.BYTES);
            buffers.add(buffer);
            dnnl_memory blocked = memory(wanted);
            check(dnnl_memory_set_data_handle(blocked, new Address(buffer.data().address())), "data handle");
            Call reorder = input ? reorder(plain, wanted, user, blocked) : reorder(wanted, plain, blocked, user);
            return input ? new Arg(blocked, List.of(reorder), List.of()) : new Arg(blocked, List.of(), List.of(reorder));
        }

        private Call reorder(dnnl_memory_desc_t from, dnnl_memory_desc_t to, dnnl_memory fromMemory, dnnl_memory toMemory) {
            dnnl_primitive_desc pd = new dnnl_primitive_desc();
            check(dnnl_reorder_primitive_desc_create(pd, from, rt.engine, to, rt.engine, null), "reorder descriptor");
            pds.add(pd);
            return call(pd, new int[] {DNNL_ARG_FROM, DNNL_ARG_TO}, new Arg[] {plainArg(fromMemory), plainArg(toMemory)});
        }

        private Call call(dnnl_primitive_desc pd, int[] kinds, Arg[] args) {
            dnnl_primitive primitive = new dnnl_primitive();
            check(dnnl_primitive_create(primitive, pd), "primitive");
            primitives.add(primitive);
            dnnl_exec_arg_t exec = new dnnl_exec_arg_t(kinds.length);
            List<Call> before = new ArrayList<>();
            List<Call> after = new ArrayList<>();
            for (int i = 0; i < kinds.length; i++) {
                exec.getPointer(i).arg(kinds[i]).memory(args[i].memory);
                before.addAll(args[i].before);
                after.addAll(args[i].after);
            }
            return new Call(before, primitive, exec, kinds.length, after);
        }

        private dnnl_primitive_desc primitiveDesc(Pointer opDesc, dnnl_primitive_desc hint) {
            dnnl_primitive_desc pd = new dnnl_primitive_desc();
            check(dnnl_primitive_desc_create(pd, new const_dnnl_op_desc_t(opDesc), null, rt.engine, hint), "primitive descriptor");
            pds.add(pd);
            return pd;
        }

        private dnnl_memory_desc_t query(dnnl_primitive_desc pd, int what) {
            return dnnl_primitive_desc_query_md(pd, what, 0);
        }

        private dnnl_memory_desc_t desc(long[] dims, int tag) {
            dnnl_memory_desc_t d = new dnnl_memory_desc_t();
            check(dnnl_memory_desc_init_by_tag(d, dims.length, dims, dnnl_f32, tag), "memory descriptor");
            return d;
        }

        /** A memory object whose data handle is set before each use. */
        private dnnl_memory memory(dnnl_memory_desc_t d) {
            dnnl_memory m = new dnnl_memory();
            check(dnnl_memory_create(m, d, rt.engine, new Address(0)), "memory");
            memories.add(m);
            return m;
        }

        void close() {
            primitives.forEach(p -> dnnl_primitive_destroy(p));
            pds.forEach(p -> dnnl_primitive_desc_destroy(p));
            memories.forEach(m -> dnnl_memory_destroy(m));
            primitives.clear();
            pds.clear();
            memories.clear();
            buffers.clear();
        }
    }
}
