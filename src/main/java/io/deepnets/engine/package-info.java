/**
 * The training engine's building blocks, beneath the training steps: {@link io.deepnets.engine.FlatUpdate}, every
 * optimizer the configs offer as DL4J's updater computes it, in one pass over a network's flattened parameters,
 * gradient and updater state (the network's own arrays, so checkpoints and resume see exactly what DL4J's fit would
 * leave); {@link io.deepnets.engine.BatchNormKernel}, batch normalisation's training and inference arithmetic and
 * moving averages as DL4J's layer computes them, on plain float arrays. Knows DL4J's parameter layout, not the
 * epoch loop.
 *
 * <p>May not import: data, eval, runs, train, report, predict, lowlevel, bench, run, suite, sweep, scratch, scratchrun, filters, serve, explain, cli.
 */
package io.deepnets.engine;
