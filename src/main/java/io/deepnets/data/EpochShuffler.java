package io.deepnets.data;

import java.util.SplittableRandom;

/**
 * The order of training samples in each epoch: a Fisher-Yates permutation drawn from the run seed and the epoch
 * number alone, so epoch {@code e} is shuffled the same way whether the run started at epoch 1 or resumed.
 * Only the training part is ever shuffled; validation keeps its order.
 */
public final class EpochShuffler {
    private EpochShuffler() {
    }

    /** The sample order of 1-based epoch {@code epoch}; identity when {@code shuffle} is false. */
    public static int[] order(int samples, long seed, int epoch, boolean shuffle) {
        int[] order = new int[samples];
        for (int i = 0; i < samples; i++) {
            order[i] = i;
        }
        if (!shuffle) {
            return order;
        }
        SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + epoch);
        for (int i = samples - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }
}
