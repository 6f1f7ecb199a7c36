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
 */
public record LoadedDataset(String name, List<String> classNames, TensorShape shape, ImageSet train, ImageSet test,
        Map<String, String> checksums) {
}
