package io.deepnets.data;

/**
 * Gives back to the system the heap a dataset's loading used beyond the data itself.
 *
 * <p>Reading a dataset makes transient arrays as large as the data (the files' bytes, a split's copies); Java's G1
 * collector grows the heap for them, and the pages stay resident for the rest of the run, though nothing lives in
 * them, until a full collection shrinks the heap, which it does only down to {@code MaxHeapFreeRatio} (the launcher
 * sets it to 10%; the JVM's 70% would keep them). Measured on ResNet-20's {@code bench --real} (CIFAR-10 as floats):
 * the heap held 644 MB of live data in 992 MB of resident pages; after one full collection here, ~720 MB.
 */
final class LoadingMemory {
    /** Below this the collection (tens of milliseconds) would give back too little to matter. */
    private static final long MIN_BYTES = 64L << 20;

    private LoadingMemory() {
    }

    /** After loading {@code floats} values of data: a full collection, which shrinks the heap to what lives. */
    static void release(long floats) {
        if (floats * Float.BYTES >= MIN_BYTES) {
            System.gc();
        }
    }
}
