/**
 * Suites: several experiments in order, skipped when already done, resumed when interrupted, checked against bands.
 *
 * <p>May not import: lowlevel, bench, sweep, cli.
 */
package io.deepnets.suite;
