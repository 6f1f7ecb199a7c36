package io.deepnets.engine.kernels;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_FROM;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_TO;
import static org.bytedeco.dnnl.global.dnnl.dnnl_cpu;
import static org.bytedeco.dnnl.global.dnnl.dnnl_eltwise_backward_desc_init;
import static org.bytedeco.dnnl.global.dnnl.dnnl_eltwise_forward_desc_init;
import static org.bytedeco.dnnl.global.dnnl.dnnl_eltwise_relu;
import static org.bytedeco.dnnl.global.dnnl.dnnl_eltwise_relu_use_dst_for_bwd;
import static org.bytedeco.dnnl.global.dnnl.dnnl_engine_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_f32;
import static org.bytedeco.dnnl.global.dnnl.dnnl_forward_training;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_desc_equal;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_desc_get_size;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_desc_init_by_tag;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_set_data_handle;
import static org.bytedeco.dnnl.global.dnnl.dnnl_post_ops_append_eltwise;
import static org.bytedeco.dnnl.global.dnnl.dnnl_post_ops_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_post_ops_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_attr_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_attr_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_attr_set_post_ops;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_desc_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_desc_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_desc_query_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_execute;
import static org.bytedeco.dnnl.global.dnnl.dnnl_reorder_primitive_desc_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_stream_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_stream_default_flags;
import static org.bytedeco.dnnl.global.dnnl.dnnl_stream_wait;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.bytedeco.dnnl.const_dnnl_op_desc_t;
import org.bytedeco.dnnl.dnnl_eltwise_desc_t;
import org.bytedeco.dnnl.dnnl_engine;
import org.bytedeco.dnnl.dnnl_exec_arg_t;
import org.bytedeco.dnnl.dnnl_memory;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.bytedeco.dnnl.dnnl_post_ops;
import org.bytedeco.dnnl.dnnl_primitive;
import org.bytedeco.dnnl.dnnl_primitive_attr;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.dnnl.dnnl_stream;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A set of oneDNN primitives made once for one layer and one batch size, with the memory objects and reorders they
 * run on, through the C API of JavaCPP's {@code dnnl} presets. Subclasses (the plans inside {@link OneDnnConvolution},
 * {@link OneDnnMaxPooling}, {@link OneDnnInnerProduct}) describe one layer's computation; this class owns the engine
 * of the JVM and a stream per thread, the bookkeeping of native objects, and the one rule about layouts.
 *
 * <p>Layouts: the arrays the training step passes in and out are ND4J's plain 'c'-order arrays (NCHW activations,
 * DL4J's OIHW weights). A primitive described with "any" picks its own, usually blocked, layout; {@link #arg} then
 * gives it a buffer of that layout and a reorder (a primitive too, made once) into or out of the plain array.
 * Memory objects are created without data and pointed at the caller's arrays before each run, so the same
 * primitives serve every batch of that size. Not thread-safe: one training step owns each instance.
 */
public abstract class OneDnnPrimitives implements AutoCloseable {
    private static final Runtime RUNTIME = new Runtime();

    private final List<dnnl_primitive_desc> descriptors = new ArrayList<>();
    private final List<dnnl_primitive> primitives = new ArrayList<>();
    private final List<dnnl_memory> memories = new ArrayList<>();
    private final List<dnnl_primitive_attr> attributes = new ArrayList<>();
    /** The blocked buffers, as ND4J arrays so that ND4J's memory accounting sees them. */
    private final List<INDArray> buffers = new ArrayList<>();

    /** The system property that, set to {@code off}, keeps the steps off oneDNN (they decline and DL4J trains). */
    public static final String SWITCH = "deepnets.onednn";

    /** Why the steps may not use oneDNN here (its native library did not load, or {@link #SWITCH} is off), or empty. */
    public static Optional<String> unavailable() {
        if ("off".equals(System.getProperty(SWITCH))) {
            return Optional.of("oneDNN primitives switched off (-D" + SWITCH + "=off)");
        }
        return Optional.ofNullable(RUNTIME.problem);
    }

    /** The system property that, set to {@code off}, keeps every activation in the plain NCHW layout between layers. */
    public static final String BLOCKED_SWITCH = "deepnets.onednn.blocked";

    /**
     * oneDNN's blocked activation layout on this machine: {@code tag} (nChw16c with AVX-512, nChw8c with AVX2) groups
     * {@code channels} channels of one pixel together, the layout its convolutions, batch normalisation and pooling
     * run their JIT kernels on. {@code [n, c, h, w]} with {@code c} a multiple of {@code channels} takes exactly as
     * many floats as in NCHW, element {@code (n, c, h, w)} at {@code ((n * C/b + c/b) * H * W + h * W + w) * b + c % b}.
     */
    public record Blocked(int tag, int channels) {
        /** Whether activations of {@code shape} ([channels, height, width] per example) can live in this layout. */
        public boolean fits(long[] shape) {
            return shape.length == 3 && shape[0] % channels == 0;
        }
    }

    /**
     * The blocked layout a convolution between activations of 64 channels picks here (asked of oneDNN once), or empty
     * when it picks the plain one, oneDNN is unavailable or {@link #BLOCKED_SWITCH} is off.
     */
    public static Optional<Blocked> blocked() {
        if ("off".equals(System.getProperty(BLOCKED_SWITCH)) || unavailable().isPresent()) {
            return Optional.empty();
        }
        return LayoutProbe.CHOSEN;
    }

    /** Asks a convolution's primitive descriptor for the layout it wants its input in. */
    private static final class LayoutProbe extends OneDnnPrimitives {
        static final Optional<Blocked> CHOSEN = probe();

        private static Optional<Blocked> probe() {
            try (LayoutProbe p = new LayoutProbe()) {
                long[] data = {2, 64, 8, 8};
                org.bytedeco.dnnl.dnnl_convolution_desc_t d = new org.bytedeco.dnnl.dnnl_convolution_desc_t();
                check(org.bytedeco.dnnl.global.dnnl.dnnl_convolution_forward_desc_init(d, dnnl_forward_training,
                        org.bytedeco.dnnl.global.dnnl.dnnl_convolution_direct, desc(data, org.bytedeco.dnnl.global.dnnl.dnnl_format_tag_any),
                        desc(new long[] {64, 64, 3, 3}, org.bytedeco.dnnl.global.dnnl.dnnl_format_tag_any), null,
                        desc(data, org.bytedeco.dnnl.global.dnnl.dnnl_format_tag_any), new long[] {1, 1}, new long[] {1, 1}, new long[] {1, 1}),
                        "layout probe");
                dnnl_memory_desc_t wanted = query(p.primitiveDesc(d, null, null), org.bytedeco.dnnl.global.dnnl.dnnl_query_src_md);
                for (Blocked b : new Blocked[] {new Blocked(org.bytedeco.dnnl.global.dnnl.dnnl_aBcd16b, 16),
                        new Blocked(org.bytedeco.dnnl.global.dnnl.dnnl_aBcd8b, 8)}) {
                    if (same(wanted, desc(data, b.tag()))) {
                        return Optional.of(b);
                    }
                }
                return Optional.empty();
            }
        }
    }

    static void check(int status, String what) {
        if (status != 0) {
            throw new IllegalStateException("oneDNN " + what + " failed with status " + status);
        }
    }

    /** A primitive with its arguments, and the reorders that run before it (inputs) and after it (outputs). */
    record Call(List<Call> before, dnnl_primitive primitive, dnnl_exec_arg_t args, int count, List<Call> after) {
    }

    /** An argument of a primitive: the memory it reads or writes, and the reorders that fill or empty it. */
    record Arg(dnnl_memory memory, List<Call> before, List<Call> after) {
        static Arg plain(dnnl_memory user) {
            return new Arg(user, List.of(), List.of());
        }
    }

    /** Runs a call: its input reorders, the primitive, its output reorders; returns when the results are written. */
    final void run(Call c) {
        for (Call r : c.before) {
            run(r);
        }
        dnnl_stream stream = RUNTIME.streams.get();
        check(dnnl_primitive_execute(c.primitive, stream, c.count, c.args), "execute");
        check(dnnl_stream_wait(stream), "stream wait");
        for (Call r : c.after) {
            run(r);
        }
    }

    /** Points a memory object at an ND4J array's first element (its offset included); the array is dense in 'c' order. */
    static void setHandle(dnnl_memory m, INDArray a) {
        setHandle(m, a, 'c');
    }

    /**
     * Points a memory object at an ND4J array whose elements lie one after another in {@code order} ('f' for DL4J's
     * dense weights, which oneDNN reads as their transpose in 'c' order).
     */
    static void setHandle(dnnl_memory m, INDArray a, char order) {
        if (a.dataType() != DataType.FLOAT || !dense(a, order)) {
            throw new IllegalStateException("oneDNN: expected a dense float array in '" + order + "' order, got " + a.shapeInfoToString());
        }
        check(dnnl_memory_set_data_handle(m, new Address(a.data().address() + a.offset() * Float.BYTES)), "data handle");
    }

    /** Whether the elements lie one after another in {@code order} (a size-1 dimension's stride does not matter). */
    private static boolean dense(INDArray a, char order) {
        long expected = 1;
        for (int k = 0; k < a.rank(); k++) {
            int i = order == 'c' ? a.rank() - 1 - k : k;
            if (a.size(i) != 1 && a.stride(i) != expected) {
                return false;
            }
            expected *= a.size(i);
        }
        return true;
    }

    /** A plain float memory descriptor. */
    static dnnl_memory_desc_t desc(long[] dims, int tag) {
        dnnl_memory_desc_t d = new dnnl_memory_desc_t();
        check(dnnl_memory_desc_init_by_tag(d, dims.length, dims, dnnl_f32, tag), "memory descriptor");
        return d;
    }

    static boolean same(dnnl_memory_desc_t a, dnnl_memory_desc_t b) {
        return dnnl_memory_desc_equal(a, b) != 0;
    }

    /** A memory object without data; {@link #setHandle} points it at an array before each use. */
    final dnnl_memory memory(dnnl_memory_desc_t d) {
        dnnl_memory m = new dnnl_memory();
        check(dnnl_memory_create(m, d, RUNTIME.engine, new Address(0)), "memory");
        memories.add(m);
        return m;
    }

    /** A memory object over a buffer of its own (blocked layouts, pooling's workspace). */
    final dnnl_memory ownedMemory(dnnl_memory_desc_t d) {
        INDArray buffer = Nd4j.createUninitialized(DataType.FLOAT, Math.max(1, (dnnl_memory_desc_get_size(d) + Float.BYTES - 1) / Float.BYTES));
        buffers.add(buffer);
        dnnl_memory m = memory(d);
        check(dnnl_memory_set_data_handle(m, new Address(buffer.data().address())), "data handle");
        return m;
    }

    final dnnl_primitive_desc primitiveDesc(Pointer opDesc, dnnl_primitive_attr attr, dnnl_primitive_desc hint) {
        dnnl_primitive_desc pd = new dnnl_primitive_desc();
        check(dnnl_primitive_desc_create(pd, new const_dnnl_op_desc_t(opDesc), attr, RUNTIME.engine, hint), "primitive descriptor");
        descriptors.add(pd);
        return pd;
    }

    /** oneDNN's eltwise algorithm computing {@code kind} after a layer, 0 for the identity. */
    static int forwardAlgorithm(ActivationKind kind) {
        return switch (kind) {
            case IDENTITY -> 0;
            case RELU -> dnnl_eltwise_relu;
            case TANH -> org.bytedeco.dnnl.global.dnnl.dnnl_eltwise_tanh;
            case SIGMOID -> org.bytedeco.dnnl.global.dnnl.dnnl_eltwise_logistic;
        };
    }

    /**
     * The backward algorithm of {@code kind} from the activation's output, as DL4J's derivatives are (ReLU: 1 above 0,
     * 0 at and below; tanh: {@code 1 - y^2}; sigmoid: {@code y (1 - y)}).
     */
    static int backwardAlgorithm(ActivationKind kind) {
        return switch (kind) {
            case IDENTITY -> 0;
            case RELU -> dnnl_eltwise_relu_use_dst_for_bwd;
            case TANH -> org.bytedeco.dnnl.global.dnnl.dnnl_eltwise_tanh_use_dst_for_bwd;
            case SIGMOID -> org.bytedeco.dnnl.global.dnnl.dnnl_eltwise_logistic_use_dst_for_bwd;
        };
    }

    /** An activation applied by a primitive to its own output (one pass fewer over the activations); kept until {@link #close}. */
    final dnnl_primitive_attr activationPostOp(ActivationKind kind) {
        dnnl_primitive_attr attr = new dnnl_primitive_attr();
        check(dnnl_primitive_attr_create(attr), "attribute");
        attributes.add(attr);
        dnnl_post_ops ops = new dnnl_post_ops();
        check(dnnl_post_ops_create(ops), "post-ops");
        check(dnnl_post_ops_append_eltwise(ops, 1f, forwardAlgorithm(kind), 0f, 0f), "activation post-op");
        check(dnnl_primitive_attr_set_post_ops(attr, ops), "post-ops attribute");
        dnnl_post_ops_destroy(ops);
        return attr;
    }

    /**
     * The backward pass of {@code kind} in place on {@code diffDst}, from the activation's output {@code dst} (plain
     * layout {@code md}); for ReLU oneDNN's {@code relu_use_dst_for_bwd} passes the gradient where the output is above
     * 0, DL4J's derivative (0 at the kink). The eltwise backward needs its forward's descriptor as a hint; that forward
     * never runs.
     */
    final Call activationBackward(ActivationKind kind, dnnl_memory_desc_t md, dnnl_memory dst, dnnl_memory diffDst) {
        int alg = backwardAlgorithm(kind);
        dnnl_eltwise_desc_t forward = new dnnl_eltwise_desc_t();
        check(dnnl_eltwise_forward_desc_init(forward, dnnl_forward_training, alg, md, 0f, 0f), "activation descriptor");
        dnnl_primitive_desc hint = primitiveDesc(forward, null, null);
        dnnl_eltwise_desc_t backward = new dnnl_eltwise_desc_t();
        check(dnnl_eltwise_backward_desc_init(backward, alg, md, md, 0f, 0f), "activation backward descriptor");
        return call(primitiveDesc(backward, null, hint), new int[] {DNNL_ARG_DST, DNNL_ARG_DIFF_DST, DNNL_ARG_DIFF_SRC},
                new Arg[] {Arg.plain(dst), Arg.plain(diffDst), Arg.plain(diffDst)});
    }

    /**
     * A layer's plans by batch size, made on first use: training plans (forward and backward) and inference plans
     * (forward only, so validation and test batch sizes build no backward primitives, JIT code or blocked buffers).
     */
    static final class PlansBySize<P extends OneDnnPrimitives> implements AutoCloseable {
        private final java.util.function.BiFunction<Long, Boolean, P> make;
        private final java.util.Map<Long, P> training = new java.util.HashMap<>();
        private final java.util.Map<Long, P> inference = new java.util.HashMap<>();

        /** {@code make.apply(batch, training)} builds a plan. */
        PlansBySize(java.util.function.BiFunction<Long, Boolean, P> make) {
            this.make = make;
        }

        P get(long batch, boolean forTraining) {
            return (forTraining ? training : inference).computeIfAbsent(batch, b -> make.apply(b, forTraining));
        }

        @Override
        public void close() {
            training.values().forEach(OneDnnPrimitives::close);
            inference.values().forEach(OneDnnPrimitives::close);
            training.clear();
            inference.clear();
        }
    }

    /** The name of the implementation oneDNN chose for a primitive descriptor ({@code ref:any}, {@code jit:avx512_common}, ...). */
    static String implementation(dnnl_primitive_desc pd) {
        org.bytedeco.javacpp.PointerPointer<org.bytedeco.javacpp.BytePointer> name = new org.bytedeco.javacpp.PointerPointer<>(1);
        check(org.bytedeco.dnnl.global.dnnl.dnnl_primitive_desc_query(pd, org.bytedeco.dnnl.global.dnnl.dnnl_query_impl_info_str, 0, name),
                "implementation name");
        return name.getString(0);
    }

    static dnnl_memory_desc_t query(dnnl_primitive_desc pd, int what) {
        return dnnl_primitive_desc_query_md(pd, what, 0);
    }

    /** The user's plain memory when the primitive takes that layout, else a buffer of its layout and a reorder. */
    final Arg arg(dnnl_memory user, dnnl_memory_desc_t plain, dnnl_memory_desc_t wanted, boolean input) {
        if (same(plain, wanted)) {
            return Arg.plain(user);
        }
        return reordered(user, plain, wanted, input, ownedMemory(wanted));
    }

    /**
     * As {@link #arg}, the reordered copy in {@code shared}'s buffer for {@code role}: one buffer for every plan of a
     * layer (each plan is one batch size, for training or inference), which is safe because every use reorders into
     * it first and a plan's forward and backward passes run with no other plan of the layer between them.
     */
    final Arg arg(dnnl_memory user, dnnl_memory_desc_t plain, dnnl_memory_desc_t wanted, boolean input, SharedBuffers shared, String role) {
        if (same(plain, wanted)) {
            return Arg.plain(user);
        }
        dnnl_memory own = memory(wanted);
        check(dnnl_memory_set_data_handle(own, new Address(shared.get(role, dnnl_memory_desc_get_size(wanted)).data().address())), "data handle");
        return reordered(user, plain, wanted, input, own);
    }

    /** {@code own} in layout {@code wanted}, filled from {@code user} before the primitive (an input) or copied back to it after. */
    private Arg reordered(dnnl_memory user, dnnl_memory_desc_t plain, dnnl_memory_desc_t wanted, boolean input, dnnl_memory own) {
        return input ? new Arg(own, List.of(reorder(plain, wanted, user, own)), List.of())
                : new Arg(own, List.of(), List.of(reorder(wanted, plain, own, user)));
    }

    /** Frees these arrays' native memory now rather than when Java's collector gets to them (views are left alone). */
    public static void free(Iterable<INDArray> arrays) {
        for (INDArray a : arrays) {
            if (a.closeable()) {
                a.close();
            }
        }
    }

    /**
     * Buffers the plans of one layer share, one per role: the blocked copies of its weights and of their gradient, and
     * of the activations and gradients that its primitives take in another layout than the network keeps them in (a
     * plan for a smaller batch uses the first bytes of the larger one's). With a buffer per plan, VGG-16 kept three
     * copies of its 61 MB of weights per training batch size and one per inference batch size (measured: +179 MB for a
     * batch of 80 after the batches of 128), and Inception its reordered activations per batch size (+300 MB).
     */
    static final class SharedBuffers implements AutoCloseable {
        private final java.util.Map<String, List<INDArray>> byRole = new java.util.HashMap<>();

        /** A buffer of at least {@code bytes} for {@code role}: the first made for it that is large enough, else a new one. */
        INDArray get(String role, long bytes) {
            long floats = Math.max(1, (bytes + Float.BYTES - 1) / Float.BYTES);
            List<INDArray> made = byRole.computeIfAbsent(role, k -> new ArrayList<>());
            for (INDArray a : made) {
                if (a.length() >= floats) {
                    return a;
                }
            }
            INDArray a = Nd4j.createUninitialized(DataType.FLOAT, floats);
            made.add(a);
            return a;
        }

        @Override
        public void close() {
            byRole.values().forEach(OneDnnPrimitives::free);
            byRole.clear();
        }
    }

    final Call reorder(dnnl_memory_desc_t from, dnnl_memory_desc_t to, dnnl_memory fromMemory, dnnl_memory toMemory) {
        dnnl_primitive_desc pd = new dnnl_primitive_desc();
        check(dnnl_reorder_primitive_desc_create(pd, from, RUNTIME.engine, to, RUNTIME.engine, null), "reorder descriptor");
        descriptors.add(pd);
        return call(pd, new int[] {DNNL_ARG_FROM, DNNL_ARG_TO}, new Arg[] {Arg.plain(fromMemory), Arg.plain(toMemory)});
    }

    /** The primitive of {@code pd} with its arguments ({@code kinds[i]} is the DNNL_ARG_ of {@code args[i]}). */
    final Call call(dnnl_primitive_desc pd, int[] kinds, Arg[] args) {
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

    @Override
    public void close() {
        primitives.forEach(p -> dnnl_primitive_destroy(p));
        descriptors.forEach(p -> dnnl_primitive_desc_destroy(p));
        memories.forEach(m -> dnnl_memory_destroy(m));
        attributes.forEach(a -> dnnl_primitive_attr_destroy(a));
        primitives.clear();
        descriptors.clear();
        memories.clear();
        attributes.clear();
        buffers.clear();
    }

    /**
     * The engine, made once per JVM, and a stream per thread (oneDNN's streams are not for concurrent use; Spark's
     * local mode runs sweep points on threads of one JVM); {@code problem} says why not when the library does not load.
     */
    private static final class Runtime {
        final dnnl_engine engine = new dnnl_engine();
        final ThreadLocal<dnnl_stream> streams = ThreadLocal.withInitial(() -> {
            dnnl_stream stream = new dnnl_stream();
            check(dnnl_stream_create(stream, engine, dnnl_stream_default_flags), "stream");
            return stream;
        });
        final String problem;

        Runtime() {
            String why = null;
            try {
                Loader.load(org.bytedeco.dnnl.global.dnnl.class);
                check(dnnl_engine_create(engine, dnnl_cpu, 0), "engine");
            } catch (Throwable t) {         // UnsatisfiedLinkError and the like: the step declines with the reason
                why = "oneDNN (JavaCPP dnnl presets) did not load: " + t;
            }
            problem = why;
        }
    }

    /** A raw address as a JavaCPP pointer. */
    private static final class Address extends Pointer {
        Address(long address) {
            this.address = address;
        }
    }
}
