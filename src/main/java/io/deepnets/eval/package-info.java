/** Evaluation: loss, accuracy, confusion counts and predictions of a trained network on a set of samples. */
package io.deepnets.eval;
