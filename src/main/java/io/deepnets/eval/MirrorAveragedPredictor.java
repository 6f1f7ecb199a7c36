package io.deepnets.eval;

import io.deepnets.config.TensorShape;
import io.deepnets.data.ImageSet;
import io.deepnets.data.MirrorImage;

/**
 * Test-time augmentation with the mirror image ({@code data.test_time_augment: {horizontal_flip: true}}): each row's
 * class probabilities are the mean of {@code oneView}'s for the image and for its mirror image, the same arithmetic as
 * averaging a batch and its {@code torch.flip(x, dims=[3])} in PyTorch. The mean stays a probability distribution, so
 * the loss, the accuracy and the confidence are {@link Evaluator}'s as for one view.
 */
public final class MirrorAveragedPredictor implements BatchPredictor {
    private final BatchPredictor oneView;
    private final TensorShape shape;

    /** {@code shape} is the images' {@code [height, width, channels]}; the rows are channels-first. */
    public MirrorAveragedPredictor(BatchPredictor oneView, TensorShape shape) {
        if (!shape.isImage()) {
            throw new IllegalArgumentException("test-time mirror images need images, got " + shape);
        }
        this.oneView = oneView;
        this.shape = shape;
    }

    /** The probabilities of the same rows for the image alone and for the mean of the two views. */
    public record Views(float[] alone, float[] mean) {
    }

    /** Both views of rows {@code from..to}, each row passed once as it is and once mirrored. */
    public Views views(ImageSet set, int from, int to) {
        float[] alone = oneView.probabilities(set, from, to).clone();
        float[] mirrored = oneView.probabilities(MirrorImage.mirrored(set, from, to, shape), 0, to - from);
        float[] mean = new float[alone.length];
        for (int i = 0; i < mean.length; i++) {
            mean[i] = (alone[i] + mirrored[i]) / 2;
        }
        return new Views(alone, mean);
    }

    @Override
    public float[] probabilities(ImageSet set, int from, int to) {
        return views(set, from, to).mean();
    }
}
