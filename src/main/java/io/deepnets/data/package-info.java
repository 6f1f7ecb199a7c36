/**
 * Datasets: IDX and CIFAR-10 binary readers, lookup in data directories, download and verification, the
 * CIFAR archive cache, Keras's validation split and seeded per-epoch shuffling. Knows nothing of the model.
 *
 * <p>May not import: model, engine, eval, runs, train, report, predict, lowlevel, bench, run, suite, sweep, scratchrun, filters, serve, explain, cli.
 */
package io.deepnets.data;
