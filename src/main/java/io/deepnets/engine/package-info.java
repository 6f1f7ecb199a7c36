/**
 * The training engine: how one batch trains, as DL4J's {@code fit} computes it with as little of DL4J's per-op
 * machinery as each network allows. Three parts: this package's plans (the steps), their kernels ({@code
 * engine.kernels}: each layer's forward and backward, on oneDNN's primitives or in plain Java) and the update ({@code
 * engine.update}: every optimizer once, over the flat parameter buffer).
 *
 * <p>{@link io.deepnets.engine.TrainingStep} chooses a step for a network and says why the faster ones declined it:
 * {@link io.deepnets.engine.SmallConvTrainingStep} for small SGD conv nets (plain Java loops, where a native call per
 * layer would cost more than the layer), {@link io.deepnets.engine.OneDnnTrainingStep} for every other network it
 * computes, stacks and graphs, image networks and MLPs (a stage per layer or vertex on oneDNN's primitives, made once
 * per shape, activations in oneDNN's blocked layout where every neighbour takes it), {@link
 * io.deepnets.engine.Dl4jBackpropStep} (DL4J's backward pass) for the rest, {@link io.deepnets.engine.Dl4jFitStep}
 * (DL4J's own fit) on other backends. Every step but DL4J's fit updates through {@link
 * io.deepnets.engine.update.FlatUpdate}. {@link io.deepnets.engine.LayerProfiler} times a step layer by layer ({@code
 * bench --profile}). Knows DL4J's parameter layout, not the epoch loop: that is {@code train}'s.
 *
 * <p>May not import: runs, train, report, predict, lowlevel, bench, run, suite, sweep, scratch, scratchrun, filters, serve, explain, cli.
 */
package io.deepnets.engine;
