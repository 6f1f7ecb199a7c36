/**
 * The Picocli command line: argument parsing, option mixins, exit codes and one-line errors; no logic of its
 * own. The top layer: the only package that calls {@code System.exit}.
 *
 * <p>May not import: nothing is above it; nothing may import it.
 */
package io.deepnets.cli;
