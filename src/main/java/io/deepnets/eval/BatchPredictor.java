package io.deepnets.eval;

import io.deepnets.data.ImageSet;

/** Class probabilities of consecutive rows of an image set in inference mode (no dropout). */
@FunctionalInterface
public interface BatchPredictor {
    /** Rows {@code from..to} of {@code set}, row-major {@code [to - from, classes]}. */
    float[] probabilities(ImageSet set, int from, int to);
}
