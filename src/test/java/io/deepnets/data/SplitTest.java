package io.deepnets.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.deepnets.config.DataConfig;
import io.deepnets.testing.RealData;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class SplitTest {

    @Test
    void kerasSplitIndex() {
        assertEquals(48_000, KerasSplit.splitIndex(60_000, 0.2));
        assertEquals(8, KerasSplit.splitIndex(10, 0.2));
        assertEquals(6, KerasSplit.splitIndex(10, 0.35), "int(10 * 0.65) = 6");
        assertEquals(400, KerasSplit.splitIndex(500, 0.2));
    }

    @Test
    void shufflingIsSeededPerEpochAndAPermutation() {
        int[] a = EpochShuffler.order(1000, 42, 1, true);
        assertArrayEquals(a, EpochShuffler.order(1000, 42, 1, true), "same seed and epoch, same order");
        assertNotEquals(Arrays.toString(a), Arrays.toString(EpochShuffler.order(1000, 42, 2, true)), "reshuffled every epoch");
        assertNotEquals(Arrays.toString(a), Arrays.toString(EpochShuffler.order(1000, 43, 1, true)));
        int[] sorted = a.clone();
        Arrays.sort(sorted);
        assertArrayEquals(BatchAssembler.identity(1000), sorted, "a permutation of the training indices only");
        assertArrayEquals(BatchAssembler.identity(1000), EpochShuffler.order(1000, 42, 1, false));
    }

    @Test
    void validationIsTheLastFifthOfRealMnistInOrder() {
        var dirs = new DataDirectories(List.of(RealData.dir()), RealData.dir().resolve("unused-cache"));
        LoadedDataset loaded = new DatasetLoader(dirs, DataSources.canonical(), System.err).load(
                new DataConfig("mnist", null, null, 0.2, false, null, null, null));
        assertEquals(60_000, loaded.train().count());
        assertEquals(10_000, loaded.test().count());
        assertArrayEquals(new int[] {5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949}, loaded.train().classCounts(10));
        assertArrayEquals(new int[] {980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009}, loaded.test().classCounts(10));
        SplitDataset split = SplitDataset.of(loaded, new DataConfig("mnist", null, null, 0.2, false, null, null, null));
        assertEquals(48_000, split.train().count());
        assertEquals(12_000, split.validation().count());
        assertArrayEquals(Arrays.copyOfRange(loaded.train().labels(), 48_000, 60_000), split.validation().labels());
        assertArrayEquals(Arrays.copyOfRange(loaded.train().features(), 48_000 * 784, 48_001 * 784),
                split.validation().row(0), "validation starts at training sample 48000");
        assertArrayEquals(Arrays.copyOfRange(loaded.train().features(), 59_999 * 784, 60_000 * 784),
                split.validation().row(11_999), "and ends at the last");
        assertEquals(0, split.validation().features().length, "read from the loaded array, not copied");
        assertArrayEquals(Arrays.copyOfRange(loaded.train().labels(), 0, 48_000), split.train().labels());
        assertEquals(5, loaded.train().labels()[0], "the first MNIST training label");
    }

    @Test
    void realCifar10FromTheReleaseArchive() {
        var dirs = new DataDirectories(List.of(RealData.dir()), java.nio.file.Path.of(System.getProperty("user.home"), ".deepnets", "cache"));
        LoadedDataset loaded = new DatasetLoader(dirs, DataSources.canonical(), System.err).load(
                new DataConfig("cifar10", null, null, null, true, null, null, null));
        assertEquals(50_000, loaded.train().count());
        assertEquals(10_000, loaded.test().count());
        assertEquals(3072, loaded.train().featureSize());
        assertEquals(List.of("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"), loaded.classNames());
        assertArrayEquals(new int[] {1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000}, loaded.test().classCounts(10));
        assertArrayEquals(new int[] {1005, 974, 1032, 1016, 999, 937, 1030, 1001, 1025, 981},
                loaded.train().slice(0, 10_000).classCounts(10), "data_batch_1's upstream class counts");
    }
}
