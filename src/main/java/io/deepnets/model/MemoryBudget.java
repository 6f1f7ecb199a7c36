package io.deepnets.model;

import static io.deepnets.config.TensorShape.saturatingAdd;
import static io.deepnets.config.TensorShape.saturatingMultiply;

import io.deepnets.BadInputException;
import io.deepnets.config.ExperimentConfig;
import io.deepnets.config.OptimizerConfig;
import io.deepnets.config.TensorShape;
import java.util.Locale;
import org.bytedeco.javacpp.Pointer;

/**
 * Checks, before anything is allocated, that a network and its batches fit in the memory this process may use.
 * ND4J allocates outside the Java heap, through JavaCPP, up to {@code org.bytedeco.javacpp.maxbytes} (the
 * launcher's {@code DEEPNETS_OFFHEAP_MB}); asking libnd4j for more than that, or for an array whose size
 * overflowed, ends the JVM rather than throwing. So the estimate is made in {@code long} arithmetic from the
 * config alone and compared with the limits, and a network that does not fit is bad input with one line.
 *
 * <p>The estimate is a lower bound of what DL4J holds during training, in floats: the parameters, their
 * gradients and the updater's state (RMSprop 1, Adam and Adadelta 2, plain SGD 0, Nesterov SGD 1 array per
 * parameter), plus, per batch, every layer's output and its gradient (and a convolution's pre-activation,
 * cached for the backward pass). The Java heap holds one batch of input.
 */
public final class MemoryBudget {
    private static final long FLOAT = Float.BYTES;

    private MemoryBudget() {
    }

    /** What training {@code config} needs, in bytes. */
    public record Estimate(long nativeBytes, long heapBytes) {
    }

    public static Estimate estimate(ExperimentConfig config) {
        long params = config.model().totalParams();
        OptimizerConfig o = config.optimizer();
        long updaterArrays = o instanceof OptimizerConfig.Adam || o instanceof OptimizerConfig.Adadelta ? 2
                : o instanceof OptimizerConfig.Sgd s && !s.nesterov() ? 0 : 1;
        long perSample = config.model().inputShape().size();
        for (TensorShape out : config.model().outputShapes()) {
            perSample = saturatingAdd(perSample, saturatingMultiply(3, out.size()));
        }
        long batch = config.training().batchSize();
        long nativeBytes = saturatingAdd(saturatingMultiply(saturatingMultiply(params, 2 + updaterArrays), FLOAT),
                saturatingMultiply(saturatingMultiply(batch, perSample), FLOAT));
        long heapBytes = saturatingMultiply(saturatingMultiply(batch, config.model().inputShape().size() + config.model().classes()), FLOAT);
        return new Estimate(nativeBytes, heapBytes);
    }

    /** Throws a one-line {@link BadInputException} naming {@code source} when training {@code config} cannot fit. */
    public static void check(String source, ExperimentConfig config) {
        Estimate need = estimate(config);
        long nativeLimit = Pointer.maxBytes() > 0 ? Pointer.maxBytes() : Runtime.getRuntime().maxMemory() * 4;
        if (need.nativeBytes() > nativeLimit) {
            throw new BadInputException(source + ": training this network needs at least " + bytes(need.nativeBytes())
                    + " of native memory (parameters, gradients, updater state and batch-" + config.training().batchSize()
                    + " activations), more than the " + bytes(nativeLimit) + " this process may use (DEEPNETS_OFFHEAP_MB); "
                    + "lower training.batch_size or the layer sizes");
        }
        long heap = Runtime.getRuntime().maxMemory();
        if (need.heapBytes() > heap / 2 || config.training().batchSize() * config.model().inputShape().size() > Integer.MAX_VALUE) {
            throw new BadInputException(source + ": training.batch_size: " + config.training().batchSize() + " samples of "
                    + config.model().inputShape() + " need " + bytes(need.heapBytes()) + " per batch, more than this process can hold ("
                    + bytes(heap) + " of Java heap, DEEPNETS_HEAP_MB)");
        }
    }

    static String bytes(long n) {
        if (n == Long.MAX_VALUE) {
            return "more than 8 EiB";
        }
        double gib = n / (double) (1L << 30);
        return gib >= 1 ? String.format(Locale.ROOT, "%.1f GiB", gib) : String.format(Locale.ROOT, "%.0f MiB", n / (double) (1L << 20));
    }
}
