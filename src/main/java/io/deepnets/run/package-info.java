/** One experiment run end to end: config, data, model, training, evaluation and the run folder. */
package io.deepnets.run;
