package io.deepnets.data;

import java.util.Arrays;
import java.util.Random;

/**
 * A seeded random hold-out, as scikit-learn's {@code train_test_split(test_size=f, random_state=seed)} does it:
 * a permutation of all positions, the first {@code ceil(f * n)} of it the test set, the rest the training set
 * (both in permuted order). The same seed gives the same split; the permutation is {@code java.util.Random}'s
 * Fisher-Yates shuffle, so the split is deepnets' own, not numpy's.
 *
 * @param train positions of the training samples
 * @param test positions of the test samples
 */
public record TestSplit(int[] train, int[] test) {

    public static TestSplit of(int count, double fraction, long seed) {
        int testCount = (int) Math.ceil(fraction * count);
        if (testCount < 1 || testCount >= count) {
            throw new DataException("data.test_split: " + fraction + " of " + count + " samples leaves "
                    + (testCount < 1 ? "no test samples" : "no training samples"));
        }
        int[] order = new int[count];
        for (int i = 0; i < count; i++) {
            order[i] = i;
        }
        Random random = new Random(seed);
        for (int i = count - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return new TestSplit(Arrays.copyOfRange(order, testCount, count), Arrays.copyOfRange(order, 0, testCount));
    }
}
