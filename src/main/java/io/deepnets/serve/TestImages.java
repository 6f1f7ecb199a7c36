package io.deepnets.serve;

import io.deepnets.BadInputException;
import io.deepnets.config.ConfigLoader;
import io.deepnets.config.ExperimentConfig;
import io.deepnets.data.DataSources;
import io.deepnets.data.DatasetLoader;
import io.deepnets.data.ImageDecoder;
import io.deepnets.data.ImageSet;
import io.deepnets.data.LoadedDataset;
import io.deepnets.data.SplitDataset;
import io.deepnets.runs.RunFolder;
import java.awt.image.BufferedImage;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A run's test images (for the confusion matrix's cells and the gallery), loaded the way the run loaded them, from
 * the data directory {@code serve} was given. Test sets are kept by their data config (the last two).
 */
final class TestImages {
    private final Path dataDir;
    private final Map<String, SplitDataset> loaded = new LinkedHashMap<>(4, 0.75f, true);

    TestImages(Path dataDir) {
        this.dataDir = dataDir;
    }

    /** Test image {@code index} of the run in {@code runDir}, as the network saw it. */
    BufferedImage image(Path runDir, int index) {
        ExperimentConfig config = config(runDir);
        if (config == null) {
            throw ApiError.notFound("this run has no readable config.yaml, so its test images cannot be found");
        }
        SplitDataset data = data(config);
        ImageSet test = data.test();
        if (index < 0 || index >= test.count()) {
            throw ApiError.notFound("no test image " + index + " (the test set has " + test.count() + ")");
        }
        if (!data.shape().isImage()) {
            throw ApiError.notFound("this run's inputs are not images");
        }
        return ImageDecoder.picture(test.row(index), 0, data.shape());
    }

    private final Map<Path, ExperimentConfig> configs = new java.util.concurrent.ConcurrentHashMap<>();

    /** The run's config.yaml, read once (a finished run's never changes); null when it is missing or not valid. */
    private ExperimentConfig config(Path runDir) {
        ExperimentConfig c = configs.get(runDir);
        if (c == null) {
            try {
                // Parsed as the report parses a run's config.yaml (RunContents), without reading the run's other files.
                c = ConfigLoader.parse(java.nio.file.Files.readString(runDir.resolve(RunFolder.CONFIG)), List.of());
            } catch (java.io.IOException | RuntimeException e) {
                return null;
            }
            configs.put(runDir, c);
        }
        return c;
    }

    private synchronized SplitDataset data(ExperimentConfig config) {
        String key = config.data().toString();
        SplitDataset d = loaded.get(key);
        if (d == null) {
            try {
                LoadedDataset l = DatasetLoader.forConfig(config.data(), dataDir, System.getenv(), DataSources.canonical(),
                        new PrintStream(java.io.OutputStream.nullOutputStream()));
                d = SplitDataset.of(l, config.data());
            } catch (BadInputException e) {
                throw ApiError.notFound("the test images cannot be loaded: " + e.getMessage() + " (start serve with --data-dir)");
            }
            loaded.put(key, d);
            if (loaded.size() > 2) {
                loaded.remove(loaded.keySet().iterator().next());
            }
        }
        return d;
    }
}
