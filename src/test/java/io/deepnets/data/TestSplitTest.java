package io.deepnets.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.deepnets.config.ConfigLoader;
import io.deepnets.config.ExperimentConfig;
import io.deepnets.testing.RealData;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class TestSplitTest {
    @Test
    void aSeededSplitLikeTrainTestSplit() {
        TestSplit a = TestSplit.of(1797, 0.2, 42);
        assertEquals(360, a.test().length, "ceil(0.2 * 1797), as scikit-learn");
        assertEquals(1437, a.train().length);
        int[] all = IntStream.concat(Arrays.stream(a.train()), Arrays.stream(a.test())).sorted().toArray();
        assertArrayEquals(IntStream.range(0, 1797).toArray(), all, "every sample exactly once");
        assertArrayEquals(a.test(), TestSplit.of(1797, 0.2, 42).test(), "same seed, same split");
        assertFalse(Arrays.equals(a.test(), TestSplit.of(1797, 0.2, 43).test()));
        assertThrows(DataException.class, () -> TestSplit.of(1, 0.5, 1), "one sample cannot be split");
    }

    @Test
    void theDigitsDatasetIsSplitByItsConfig() throws Exception {
        ExperimentConfig config = ConfigLoader.load(Path.of("configs/digits-cnn.yaml"), List.of());
        LoadedDataset loaded = DatasetLoader.forConfig(config.data(), RealData.dir(), java.util.Map.of(), DataSources.canonical(),
                new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
        SplitDataset split = SplitDataset.of(loaded, config.data());
        assertEquals(1437, split.train().count());
        assertEquals(360, split.test().count());
        assertEquals(split.test(), split.validation(), "validation_data: test");
        int first = split.testIndices()[0];
        assertArrayEquals(Arrays.copyOfRange(loaded.train().features(), first * 64, first * 64 + 64),
                Arrays.copyOfRange(split.test().features(), 0, 64), "test row 0 is the file's row testIndices[0]");
    }
}
