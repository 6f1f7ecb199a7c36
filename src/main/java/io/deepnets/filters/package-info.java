/**
 * Convolution and image filters the way the course teaches them: the classic filters (BoofCV) beside the textbook's
 * own sum, correlation against convolution in a DL4J layer, a trained network's first-layer kernels against the
 * designed ones, the size arithmetic checked against DL4J's shape inference, and convolution three ways (direct,
 * im2col, FFT) with their timings; {@link io.deepnets.filters.FiltersReport} gathers them into PNGs, a page and JSON.
 *
 * <p>May not import: data, eval, train, bench, run, suite, sweep, scratchrun, lowlevel, serve, cli.
 */
package io.deepnets.filters;
