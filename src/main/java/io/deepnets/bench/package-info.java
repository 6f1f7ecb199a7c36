/**
 * {@code deepnets bench}: training and inference throughput of the configs' networks, with the native set-up in use.
 *
 * <p>May not import: report, predict, lowlevel, run, suite, sweep, scratchrun, filters, serve, cli.
 */
package io.deepnets.bench;
