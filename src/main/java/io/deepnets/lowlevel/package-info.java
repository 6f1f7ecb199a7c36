/**
 * The assignment's low-level exercise: convolution, ReLU, max pooling, per-channel normalisation, a dense layer
 * and softmax, once written by hand ({@link HandOps}) and once with DL4J's own layers and ND4J ({@link Dl4jOps}),
 * so each checks the other. Arrays are in the assignment's (row, column, channel) order throughout.
 */
package io.deepnets.lowlevel;
