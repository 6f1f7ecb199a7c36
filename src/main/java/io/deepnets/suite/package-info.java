/**
 * Suites: several experiments in order, skipped when already done, resumed when interrupted, checked against bands.
 *
 * <p>May not import: lowlevel, bench, scratchrun, filters, serve, cli (it may hand its runs to a sweep engine).
 */
package io.deepnets.suite;
