/**
 * Training: the epoch loop with Keras's running metrics, seeded shuffling of the training part only,
 * validation without dropout, and observers for console progress and history files. Writes no reports.
 */
package io.deepnets.train;
