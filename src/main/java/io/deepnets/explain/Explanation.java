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

    /** {@code map} (one of this explanation's) as rows of values rounded to 3 decimals, for JSON. */
    public java.util.List<java.util.List<Double>> rows(float[] map) {
        java.util.List<java.util.List<Double>> rows = new java.util.ArrayList<>();
        for (int y = 0; y < height; y++) {
            java.util.List<Double> row = new java.util.ArrayList<>();
            for (int x = 0; x < width; x++) {
                row.add(Math.round(map[y * width + x] * 1000) / 1000.0);
            }
            rows.add(row);
        }
        return rows;
    }

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
