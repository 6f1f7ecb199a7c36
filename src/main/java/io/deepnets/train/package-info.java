/**
 * Training: the epoch loop with Keras's running metrics, seeded shuffling of the training part only, validation
 * without dropout, the callbacks (early stopping, plateaus, checkpoints, schedules) and observers for console progress
 * and history files. Each batch trains through the engine's {@link io.deepnets.engine.TrainingStep}. Writes no
 * reports.
 *
 * <p>May not import: report, predict, lowlevel, bench, run, suite, sweep, scratchrun, filters, serve, explain, cli.
 */
package io.deepnets.train;
