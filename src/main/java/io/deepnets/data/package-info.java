/**
 * Datasets: IDX and CIFAR-10 binary readers, lookup in data directories, download and verification, the
 * CIFAR archive cache, Keras's validation split and seeded per-epoch shuffling. Knows nothing of the model.
 */
package io.deepnets.data;
