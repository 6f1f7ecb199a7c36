/**
 * One experiment run end to end: config, data, model, training, evaluation, the run folder and its report.
 *
 * <p>May not import: lowlevel, bench, suite, sweep, scratchrun, filters, serve, cli.
 */
package io.deepnets.run;
