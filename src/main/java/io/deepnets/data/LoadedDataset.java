package io.deepnets.data;

import io.deepnets.config.TensorShape;
import java.util.List;
import java.util.Map;

/**
 * A dataset as read from its files, before any split.
 *
 * @param name e.g. {@code mnist}
 * @param classNames label {@code i} is {@code classNames.get(i)}
 * @param shape one image in Keras order (height, width, channels)
 * @param checksums SHA-256 of every file read, by path, for provenance
 * @param skipped the files left out as unreadable ({@code skip_bad_images}), each with its reason
 */
public record LoadedDataset(String name, List<String> classNames, TensorShape shape, ImageSet train, ImageSet test,
        Map<String, String> checksums, List<String> skipped) {

    /** The run folder's list of skipped files. */
    public static final String SKIPPED_FILE = "skipped_images.txt";

    public LoadedDataset {
        skipped = List.copyOf(skipped);
    }

    public LoadedDataset(String name, List<String> classNames, TensorShape shape, ImageSet train, ImageSet test, Map<String, String> checksums) {
        this(name, classNames, shape, train, test, checksums, List.of());
    }
}
