/**
 * Evaluation: loss, accuracy, confusion counts, per-class metrics and predictions of a trained network on a set
 * of samples.
 *
 * <p>May not import: runs, engine, train, report, predict, lowlevel, bench, run, suite, sweep, scratchrun, filters, serve, explain, cli.
 */
package io.deepnets.eval;
