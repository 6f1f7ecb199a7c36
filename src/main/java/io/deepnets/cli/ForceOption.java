package io.deepnets.cli;

import picocli.CommandLine.Option;

/** {@code --force}: let a command replace files that already exist where it writes. */
final class ForceOption {
    @Option(names = "--force", description = "Replace files that already exist where this command writes.")
    boolean force;
}
