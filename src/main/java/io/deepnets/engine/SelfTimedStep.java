package io.deepnets.engine;

import java.util.List;

/**
 * A step that computes its layers itself, never calling DL4J's: the profiler cannot time them by wrapping DL4J's
 * layers, so the step times its own, one entry per layer (and per merge or flatten vertex of a graph).
 */
interface SelfTimedStep extends TrainingStep {

    /** Every later step adds its times to {@code times} (sized for {@link #layerNames()}); {@code null} stops counting. */
    void timeLayers(LayerTimes times);

    /** Each layer's name (the layer's or, in a graph, the vertex's), in the order of the times. */
    List<String> layerNames();

    /** Each layer's DL4J type (or {@code Add}, {@code Concatenate}, {@code Flatten} for a graph's other vertices). */
    List<String> layerTypes();

    /**
     * Nanoseconds per layer summed over the counted steps: {@code forward[i]} (the output layer's with the loss),
     * {@code backward[i]} (input and weight gradients, and the derivative of the layer's activation), the update;
     * and each layer's output shape in the last counted step (the output layer's: {@code [loss]}).
     */
    final class LayerTimes {
        final long[] forward;
        final long[] backward;
        long update;
        final String[] shapes;

        LayerTimes(int layers) {
            forward = new long[layers];
            backward = new long[layers];
            shapes = new String[layers];
        }
    }
}
