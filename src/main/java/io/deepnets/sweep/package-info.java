/**
 * Sweeps: a grid or random sample of points over a base experiment, each point an ordinary run folder under the
 * sweep's folder. {@link io.deepnets.sweep.SweepPlan} resolves and checks every point before anything runs;
 * {@link io.deepnets.sweep.SweepRunner} skips finished points, resumes interrupted ones and hands the rest to a
 * {@link io.deepnets.sweep.PointEngine} (in this JVM, or worker processes: {@link io.deepnets.sweep.LocalEngine}),
 * the seam a distributed engine plugs into; {@link io.deepnets.sweep.PointExecutor} runs one point wherever it is.
 *
 * <p>May not import: bench, lowlevel, scratchrun, filters, serve, cli.
 */
package io.deepnets.sweep;
