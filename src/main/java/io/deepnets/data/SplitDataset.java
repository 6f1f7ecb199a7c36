package io.deepnets.data;

import io.deepnets.config.TensorShape;
import java.util.List;
import java.util.Map;

/**
 * The three parts a run uses. {@code validation} is the tail of the training arrays (Keras
 * {@code validation_split}) or the test set ({@code validation_data: test}).
 *
 * @param validationSource a human-readable description of where validation data came from
 */
public record SplitDataset(String name, List<String> classNames, TensorShape shape, ImageSet train, ImageSet validation,
        ImageSet test, String validationSource, Map<String, String> checksums) {

    /** Applies the config's subsets, then the Keras split. */
    public static SplitDataset of(LoadedDataset data, io.deepnets.config.DataConfig config) {
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
                    "the test set (" + test.count() + " samples)", data.checksums());
        }
        int at = KerasSplit.splitIndex(train.count(), config.validationSplit());
        if (at < 1 || at >= train.count()) {
            throw new DataException("data.validation_split: " + config.validationSplit() + " of " + train.count() + " training samples"
                    + (config.trainSubset() != null ? " (data.train_subset)" : "") + " leaves " + (at < 1 ? "no training samples" : "no validation samples")
                    + "; expected a split that keeps at least one sample on each side");
        }
        return new SplitDataset(data.name(), data.classNames(), data.shape(), train.slice(0, at), train.slice(at, train.count()),
                test, "training samples " + at + ".." + (train.count() - 1) + " (the last " + config.validationSplit() + ")",
                data.checksums());
    }
}
