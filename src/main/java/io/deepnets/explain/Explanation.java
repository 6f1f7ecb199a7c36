package io.deepnets.explain;

/**
 * Where the network looked for one image and one class: maps of the image's height and width, each scaled to
 * [0, 1] by its own maximum.
 *
 * @param probabilities the network's output for the image
 * @param cls the class explained (by default the predicted one)
 * @param logit the class's score before the softmax, whose gradients the maps show
 * @param saliency max over channels of |d logit / d pixel| (Simonyan et al. 2014), row-major
 * @param gradCam Grad-CAM over {@code gradCamLayer} (Selvaraju et al. 2017), upsampled bilinearly to the image; null
 *     for a network without convolutions
 * @param gradCamLayer the convolution Grad-CAM used: the last one in the network's order
 * @param height the image's height
 * @param width the image's width
 */
public record Explanation(float[] probabilities, int cls, double logit, float[] saliency, float[] gradCam, String gradCamLayer, int height,
        int width) {

    /** The class with the highest probability. */
    public int predicted() {
        int best = 0;
        for (int i = 1; i < probabilities.length; i++) {
            if (probabilities[i] > probabilities[best]) {
                best = i;
            }
        }
        return best;
    }
}
