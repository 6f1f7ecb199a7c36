/**
 * {@code deepnets scratch train}: Caffe's LeNet trained on MNIST with the hand-written layers of
 * {@link io.deepnets.scratch} only, written as a run folder like {@code run}'s (history, confusion matrix, report), its
 * weights also saved as the equivalent DL4J network so that {@code predict} and {@code activations} take it; and the
 * same network's training step through DL4J timed for comparison.
 *
 * <p>May not import: train, lowlevel, bench, run, suite, sweep, filters, serve, cli.
 */
package io.deepnets.scratchrun;
