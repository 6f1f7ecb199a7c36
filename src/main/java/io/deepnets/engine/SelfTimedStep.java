package io.deepnets.engine;

import java.util.List;

/**
 * A step that computes its layers itself, never calling DL4J's: the profiler cannot time them by wrapping DL4J's
 * layers, so the step times its own, one entry per layer (and per merge or flatten vertex of a graph).
 */
interface SelfTimedStep extends TrainingStep {

    /** Starts (or restarts) counting: every later step adds to {@link #timings()}. */
    void startTimings();

    /** Stops counting. */
    void stopTimings();

    /**
     * Nanoseconds since {@link #startTimings()}: {@code [0][i]} layer {@code i}'s forward pass (the output layer's with
     * the loss), {@code [1][i]} its backward pass (input and weight gradients, and the derivative of its activation),
     * {@code [2][0]} the update.
     */
    long[][] timings();

    /** Each layer's name, type and output shape in the last counted step (the output layer's: {@code [loss]}). */
    List<String> layerNames();

    List<String> layerTypes();

    String[] layerShapes();
}
