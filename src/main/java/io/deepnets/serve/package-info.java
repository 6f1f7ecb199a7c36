/**
 * {@code deepnets serve}: a local web application over run, sweep and suite folders. {@link
 * io.deepnets.serve.RunCatalog} finds the folders and reads their status (a run being trained elsewhere shows up by its
 * {@code progress.json}); {@link io.deepnets.serve.RunServer} answers the pages (static files from the jar, Apache
 * ECharts from its WebJar), the JSON API and the live event streams, on the JDK's own HTTP server; {@link
 * io.deepnets.serve.ModelPlayground} classifies and explains uploaded images. It reads folders and never writes into
 * them.
 *
 * <p>May not import: train, engine, lowlevel, bench, run, suite, sweep, scratchrun, filters, cli.
 */
package io.deepnets.serve;
