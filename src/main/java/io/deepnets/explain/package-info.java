/**
 * Where a trained network looked: the gradient of a class score with respect to the input (a saliency map,
 * Simonyan et al. 2014) and Grad-CAM over the last convolution (Selvaraju et al. 2017), computed by walking DL4J's
 * own layers backwards in inference mode ({@link io.deepnets.explain.ClassScoreGradients}), and drawn over the
 * image ({@link io.deepnets.explain.Overlays}). Used by {@code explain}, {@code serve} and the run report.
 *
 * <p>May not import: train, engine, report, predict, lowlevel, bench, run, suite, sweep, scratchrun, filters, serve, cli.
 */
package io.deepnets.explain;
