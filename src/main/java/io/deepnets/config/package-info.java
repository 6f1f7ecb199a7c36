/**
 * Experiment configs: safe YAML parsing, immutable records that validate themselves with key-path messages,
 * {@code --set} overrides, and the resolved config written into each run folder. Knows nothing of DL4J.
 *
 * <p>The bottom layer: every other package may read a config, so a config may read nothing of theirs.
 *
 * <p>May not import: data, engine, model, eval, runs, train, report, predict, lowlevel, bench, run, suite, sweep, scratch, scratchrun, filters, serve, explain, cli; nor DL4J or ND4J.
 */
package io.deepnets.config;
