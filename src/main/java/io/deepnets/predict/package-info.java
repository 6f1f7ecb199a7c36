/**
 * Using a trained model: classify image files ({@link Predictor}) and draw what the convolutional layers
 * respond to ({@link ActivationMaps}).
 */
package io.deepnets.predict;
