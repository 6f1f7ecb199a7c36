package io.deepnets.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which data, where, and how it is split.
 *
 * @param dataset {@code mnist}, {@code cifar10}, or {@code idx} (any MNIST-format dataset in {@code path})
 * @param path for {@code idx}: the folder holding train-/t10k- images and labels (IDX, plain or gzip); else null
 * @param dataDir the data directory to look in first (after {@code --data-dir}); null for the default lookup
 * @param validationSplit Keras {@code validation_split}: the LAST fraction of the training arrays, cut before
 *     shuffling; null when the test set is the validation data
 * @param validationOnTest Keras {@code validation_data=(x_test, y_test)}
 * @param trainSubset use only the first N training samples (before the split), for quick runs; null for all
 * @param testSubset use only the first N test samples; null for all
 * @param classNames names of the classes for {@code idx} datasets; null for the dataset's own
 * @param testSplit for datasets without a test set of their own ({@code digits}): the fraction held out as the
 *     test set by a seeded random split, as scikit-learn's {@code train_test_split(test_size=...)}; else null
 * @param splitSeed the experiment's seed, which draws that split (not a key of its own)
 */
public record DataConfig(String dataset, String path, String dataDir, Double validationSplit, boolean validationOnTest,
        Integer trainSubset, Integer testSubset, List<String> classNames, Double testSplit, long splitSeed) {

    public static final List<String> DATASETS = List.of("mnist", "cifar10", "idx", "digits");

    /** Datasets that come as one set of samples and need {@code test_split}. */
    public static final List<String> WITHOUT_TEST_SET = List.of("digits");

    public DataConfig(String dataset, String path, String dataDir, Double validationSplit, boolean validationOnTest, Integer trainSubset,
            Integer testSubset, List<String> classNames) {
        this(dataset, path, dataDir, validationSplit, validationOnTest, trainSubset, testSubset, classNames, null, 42);
    }

    public DataConfig {
        if (WITHOUT_TEST_SET.contains(dataset) && testSplit == null) {
            throw new ConfigException("data.test_split", "is required for dataset " + dataset
                    + ", which has no test set of its own (e.g. 0.2 holds out a random 20%)");
        }
        if (testSplit != null && !WITHOUT_TEST_SET.contains(dataset)) {
            throw new ConfigException("data.test_split", "only applies to " + String.join(", ", WITHOUT_TEST_SET) + "; " + dataset
                    + " has its own test set");
        }
        if (testSplit != null && !(testSplit > 0.0 && testSplit < 1.0)) {
            throw new ConfigException("data.test_split", "expected a fraction between 0 and 1 (exclusive), got " + testSplit);
        }
        if (!DATASETS.contains(dataset)) {
            throw new ConfigException("data.dataset", "expected one of " + String.join(", ", DATASETS) + ", got '" + dataset + "'");
        }
        if ("idx".equals(dataset) && (path == null || path.isBlank())) {
            throw new ConfigException("data.path", "is required for dataset idx (the folder with the IDX files)");
        }
        if (!"idx".equals(dataset) && path != null) {
            throw new ConfigException("data.path", "only applies to dataset idx; " + dataset + " is looked up in the data directory");
        }
        if (validationSplit != null && validationOnTest) {
            throw new ConfigException("data.validation_split", "give either validation_split or validation_data: test, not both");
        }
        if (validationSplit == null && !validationOnTest) {
            throw new ConfigException("data", "needs validation_split (e.g. 0.2) or validation_data: test");
        }
        if (validationSplit != null && !(validationSplit > 0.0 && validationSplit < 1.0)) {
            throw new ConfigException("data.validation_split", "expected a fraction between 0 and 1 (exclusive), got " + validationSplit);
        }
        if (trainSubset != null && trainSubset < 2) {
            throw new ConfigException("data.train_subset", "expected an integer >= 2, got " + trainSubset);
        }
        if (testSubset != null && testSubset < 1) {
            throw new ConfigException("data.test_subset", "expected a positive integer, got " + testSubset);
        }
        if (classNames != null && !"idx".equals(dataset)) {
            throw new ConfigException("data.class_names", "only applies to dataset idx");
        }
        classNames = classNames == null ? null : List.copyOf(classNames);
    }

    Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("dataset", dataset);
        if (path != null) {
            m.put("path", path);
        }
        if (dataDir != null) {
            m.put("data_dir", dataDir);
        }
        if (validationOnTest) {
            m.put("validation_data", "test");
        } else {
            m.put("validation_split", validationSplit);
        }
        if (trainSubset != null) {
            m.put("train_subset", trainSubset);
        }
        if (testSubset != null) {
            m.put("test_subset", testSubset);
        }
        if (testSplit != null) {
            m.put("test_split", testSplit);
        }
        if (classNames != null) {
            m.put("class_names", classNames);
        }
        return m;
    }
}
