/**
 * Training: the epoch loop with Keras's running metrics, seeded shuffling of the training part only,
 * validation without dropout, and observers for console progress and history files. Writes no reports.
 *
 * <p>Each batch trains through a {@link io.deepnets.train.TrainingStep}: the same arithmetic as DL4J's
 * {@code MultiLayerNetwork.fit}, with as little of DL4J's per-op machinery around it as each network allows
 * ({@link io.deepnets.train.DenseTrainingStep} for the MLPs, DL4J's backprop with
 * {@link io.deepnets.train.FusedRmsProp} for RMSprop convolutional nets, DL4J's {@code fit} otherwise), and
 * {@link io.deepnets.train.FastBackpropRelu} stands in for DL4J's ReLU while a network trains. Tests check each
 * against DL4J's own {@code fit} step by step.
 *
 * <p>May not import: report, predict, lowlevel, bench, run, suite, sweep, scratchrun, cli.
 */
package io.deepnets.train;
