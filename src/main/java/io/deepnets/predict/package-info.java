/**
 * Using a trained model: classify image files ({@link io.deepnets.predict.Predictor}) and draw what the
 * convolutional layers respond to ({@link io.deepnets.predict.ActivationMaps}).
 *
 * <p>May not import: train, lowlevel, bench, run, suite, sweep, scratchrun, filters, serve, cli.
 */
package io.deepnets.predict;
