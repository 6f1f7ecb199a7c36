package io.deepnets.scratch;

import java.util.List;

/**
 * One hand-written layer. {@link #forward} keeps what {@link #backward} needs (the input, the pooling arg-max, the
 * im2col columns); {@link #backward} takes the loss gradient of the layer's output, ADDS the parameter gradients into
 * each {@link Param#gradient()} and returns the loss gradient of its input.
 */
public interface Layer {
    /** The output shape for an input shape; throws when the layer cannot take it. */
    Shape outputShape(Shape input);

    /** Output of a batch of {@code n} samples of {@code input} shape. */
    float[] forward(float[] x, int n);

    /** Input gradient from the output gradient of the last forward batch; parameter gradients are accumulated. */
    float[] backward(float[] dy, int n);

    /** Trainable arrays; empty for layers without. */
    default List<Param> params() {
        return List.of();
    }

    /** A short description for logs, e.g. {@code conv 20 5x5}. */
    String describe();
}
