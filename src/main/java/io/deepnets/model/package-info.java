/**
 * The model: the Keras-to-DL4J mapper (every DL4J parameter explicit), the Keras-style summary table, and the
 * native runtime set-up (oneDNN layer helpers). Does not train.
 */
package io.deepnets.model;
