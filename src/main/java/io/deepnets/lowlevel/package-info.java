/**
 * The assignment's low-level exercise: convolution, ReLU, max pooling, per-channel normalisation, a dense layer
 * and softmax, once written by hand ({@link io.deepnets.lowlevel.HandOps}) and once with DL4J's own layers and
 * ND4J ({@link io.deepnets.lowlevel.Dl4jOps}), so each checks the other. Arrays are in the assignment's
 * (row, column, channel) order throughout.
 *
 * <p>May not import: data, eval, runs, train, report, predict, bench, run, suite, sweep, scratchrun, filters, serve, explain, cli.
 */
package io.deepnets.lowlevel;
