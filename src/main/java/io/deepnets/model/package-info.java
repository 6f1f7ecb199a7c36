/**
 * The model: the Keras-to-DL4J mapper (every DL4J parameter explicit), the Keras-style summary table, and the
 * native runtime set-up (oneDNN layer helpers). Does not train. Beside config at the bottom: it turns a config
 * into a network and needs nothing else.
 *
 * <p>May not import: data, engine, eval, runs, train, report, predict, lowlevel, bench, run, suite, sweep, scratch, scratchrun, filters, serve, explain, cli.
 */
package io.deepnets.model;
