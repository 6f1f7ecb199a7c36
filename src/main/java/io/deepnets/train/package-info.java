/**
 * Training: the epoch loop with Keras's running metrics, seeded shuffling of the training part only,
 * validation without dropout, and observers for console progress and history files. Writes no reports.
 *
 * <p>Each batch trains through a {@link io.deepnets.train.TrainingStep}: the same arithmetic as DL4J's
 * {@code MultiLayerNetwork.fit}, with as little of DL4J's per-op machinery around it as each network allows
 * ({@link io.deepnets.train.DenseTrainingStep} for the MLPs, {@code ConvOpsTrainingStep} for the image nets of
 * convolution, batch normalisation, activation, max and global average pooling, dropout and dense layers (oneDNN's
 * primitives through JavaCPP's dnnl presets, made once per layer and batch size by {@code OneDnnConvolution},
 * {@code OneDnnBatchNorm}, {@code OneDnnRelu}, {@code OneDnnMaxPooling} and {@code OneDnnInnerProduct}), DL4J's backprop
 * for the other stacks, graphs and frozen layers, DL4J's {@code fit} on other backends; every step but DL4J's fit updates through
 * {@link io.deepnets.engine.FlatUpdate}), and
 * {@link io.deepnets.train.FastBackpropRelu} stands in for DL4J's ReLU while a network trains. Tests check each
 * against DL4J's own {@code fit} step by step. {@link io.deepnets.train.LayerProfiler} times a step layer by layer
 * ({@code bench --profile}).
 *
 * <p>May not import: report, predict, lowlevel, bench, run, suite, sweep, scratchrun, filters, serve, explain, cli.
 */
package io.deepnets.train;
