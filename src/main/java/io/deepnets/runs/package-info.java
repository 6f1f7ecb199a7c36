/**
 * The run folder, {@code <out>/<name>/<timestamp>/}: the one place that knows its layout ({@link
 * io.deepnets.runs.RunFolder}), writes its files atomically ({@link io.deepnets.runs.AtomicFiles}), formats
 * them (history, metrics with provenance, confusion, predictions, per-class CSV), keeps the per-epoch
 * checkpoint, and reads a folder back ({@link io.deepnets.runs.RunContents}). {@code metrics.json} is the
 * completion marker, written last. Training writes through it, reports and suites read through it.
 *
 * <p>May not import: train, engine, report, predict, lowlevel, bench, run, suite, sweep, scratchrun, filters, serve, explain, cli (it plots nothing and trains nothing).
 */
package io.deepnets.runs;
