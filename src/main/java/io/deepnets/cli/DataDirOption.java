package io.deepnets.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --data-dir}: searched first for mnist/ and cifar10/ (then the config's data_dir, $DEEPNETS_DATA, ~/.deepnets/data). */
final class DataDirOption {
    @Option(names = "--data-dir", paramLabel = "DIR", description = "Look for mnist/ and cifar10/ here first (then $DEEPNETS_DATA, ~/.deepnets/data).")
    Path dataDir;
}
