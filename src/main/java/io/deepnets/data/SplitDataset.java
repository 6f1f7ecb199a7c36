package io.deepnets.data;

import io.deepnets.config.TensorShape;
import java.util.List;
import java.util.Map;

/**
 * The three parts a run uses. {@code validation} is the tail of the training arrays (Keras
 * {@code validation_split}) or the test set ({@code validation_data: test}).
 *
 * @param validationSource a human-readable description of where validation data came from
 * @param testIndices for a dataset split by {@code test_split}: the positions (in the dataset's file order) of the
 *     test samples, in test-set order; null when the dataset has its own test set
 * @param skipped the files the load left out as unreadable ({@code skip_bad_images}), each with its reason
 */
public record SplitDataset(String name, List<String> classNames, TensorShape shape, ImageSet train, ImageSet validation,
        ImageSet test, String validationSource, Map<String, String> checksums, int[] testIndices, List<String> skipped) {

    public SplitDataset {
        skipped = List.copyOf(skipped);
    }

    public SplitDataset(String name, List<String> classNames, TensorShape shape, ImageSet train, ImageSet validation, ImageSet test,
            String validationSource, Map<String, String> checksums) {
        this(name, classNames, shape, train, validation, test, validationSource, checksums, null, List.of());
    }

    /** Applies {@code test_split} (if any), the config's subsets, then the Keras split. */
    public static SplitDataset of(LoadedDataset data, io.deepnets.config.DataConfig config) {
        int[] testIndices = null;
        if (config.testSplit() != null && !"folder".equals(config.dataset())) {
            TestSplit split = TestSplit.of(data.train().count(), config.testSplit(), config.splitSeed());
            testIndices = split.test();
            data = new LoadedDataset(data.name(), data.classNames(), data.shape(), data.train().select(split.train()),
                    data.train().select(split.test()), data.checksums(), data.skipped());
        }
        SplitDataset plain = split(data, config);
        return testIndices == null ? plain : new SplitDataset(plain.name(), plain.classNames(), plain.shape(), plain.train(),
                plain.validation(), plain.test(), plain.validationSource(), plain.checksums(), testIndices, plain.skipped());
    }

    private static SplitDataset split(LoadedDataset data, io.deepnets.config.DataConfig config) {
        ImageSet train = data.train();
        if (config.trainSubset() != null && config.trainSubset() < train.count()) {
            train = train.slice(0, config.trainSubset());
        }
        ImageSet test = data.test();
        if (config.testSubset() != null && config.testSubset() < test.count()) {
            test = test.slice(0, config.testSubset());
        }
        if (config.validationOnTest()) {
            return new SplitDataset(data.name(), data.classNames(), data.shape(), train, test, test,
                    "the test set (" + test.count() + " samples)", data.checksums(), null, data.skipped());
        }
        int at = KerasSplit.splitIndex(train.count(), config.validationSplit());
        if (at < 1 || at >= train.count()) {
            throw new DataException("data.validation_split: " + config.validationSplit() + " of " + train.count() + " training samples"
                    + (config.trainSubset() != null ? " (data.train_subset)" : "") + " leaves " + (at < 1 ? "no training samples" : "no validation samples")
                    + "; expected a split that keeps at least one sample on each side");
        }
        // Both parts stay in the loaded array: the training part its first rows, validation read from its tail.
        return new SplitDataset(data.name(), data.classNames(), data.shape(), train.slice(0, at), train.tail(at),
                test, "training samples " + at + ".." + (train.count() - 1) + " (the last " + config.validationSplit() + ")",
                data.checksums(), null, data.skipped());
    }
}
