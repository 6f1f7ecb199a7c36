package io.deepnets.cli;

import picocli.CommandLine.Option;

/** {@code --debug}: stack traces and library logging. */
final class DebugOption {
    @Option(names = "--debug", description = "Print stack traces on errors and DL4J's log.")
    boolean debug;
}
