/**
 * Reports: JFreeChart figures and the HTML pages (one run, a comparison of runs) rendered from the jte
 * templates under {@code src/main/jte}, which escape every value. Reads run folders through {@code runs};
 * writes only figures and pages, never history, metrics or models.
 *
 * <p>May not import: train, predict, lowlevel, bench, run, suite, sweep, scratchrun, filters, serve, cli.
 */
package io.deepnets.report;
