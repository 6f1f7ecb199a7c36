/**
 * Layers written by hand, forward and backward, on plain Java float arrays: inner product, convolution through
 * im2col and one matrix product, max pooling, ReLU, softmax with cross-entropy, and SGD with momentum and weight
 * decay as Caffe defines it. What the course's "backpropagation by hand" exercise asks students to write; tested
 * against finite differences and against DL4J's layers (in the tests only).
 *
 * <p>Arrays are batch-major and channels-first: a batch of images is {@code [n][channels][height][width]} flattened.
 *
 * <p>May not import: config, engine, data, model, eval, runs, train, report, predict, lowlevel, bench, run, suite, sweep, filters, serve, explain, cli; nor DL4J or ND4J.
 */
package io.deepnets.scratch;
