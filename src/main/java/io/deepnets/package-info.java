/**
 * deepnets: declarative training and comparison of image-recognition networks on Deeplearning4j.
 * Each sub-package owns one step of a run (config, data, model, train, eval, report); the CLI composes them.
 */
package io.deepnets;
