package io.deepnets.data;

/**
 * Gives back to the system the heap a dataset's loading used beyond the data itself.
 *
 * <p>Reading a dataset makes transient arrays as large as the data (the files' bytes, a split's copies); Java's G1
 * collector grows the heap for them, and the pages stay resident for the rest of the run, though nothing lives in
 * them, until a full collection shrinks the heap, which it does only down to {@code MaxHeapFreeRatio} (the launcher
 * sets it to 10%; the JVM's 70% would keep them). Measured on ResNet-20's {@code bench --real} (CIFAR-10 as floats):
 * the heap held 644 MB of live data in 992 MB of resident pages; after one full collection here, ~720 MB. The
 * collection must come after the caller has let go of the loaded set (its split may have copied from it).
 */
public final class LoadingMemory {
    /** Below this the collection (tens of milliseconds) would give back too little to matter. */
    private static final long MIN_BYTES = 64L << 20;

    private LoadingMemory() {
    }

    /**
     * After a dataset is loaded and split, once nothing refers to what the loading made but {@code data}: a full
     * collection, which shrinks the heap to what lives.
     */
    public static void release(SplitDataset data) {
        long floats = 0;
        for (ImageSet set : java.util.List.of(data.train(), data.validation(), data.test())) {
            floats += set.features().length;
        }
        if (floats * Float.BYTES >= MIN_BYTES) {
            System.gc();
        }
    }
}
