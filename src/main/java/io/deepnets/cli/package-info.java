/** The Picocli command line: argument parsing, exit codes and one-line errors; no logic of its own. */
package io.deepnets.cli;
