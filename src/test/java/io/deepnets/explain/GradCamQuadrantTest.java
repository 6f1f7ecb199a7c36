package io.deepnets.explain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deepnets.config.TensorShape;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Grad-CAM and saliency on a case whose answer is known ({@link QuadrantDigits}): they must look at the digit's quadrant. */
class GradCamQuadrantTest {
    @Test
    void gradCamAndSaliencyLookAtTheDigitsQuadrant() {
        Explainer explainer = new Explainer(QuadrantDigits.network(), TensorShape.of(QuadrantDigits.SIDE, QuadrantDigits.SIDE, 1));
        Random random = new Random(2);
        int correct = 0;
        double camInside = 0;
        double saliencyInside = 0;
        int tried = 60;
        for (int k = 0; k < tried; k++) {
            int i = QuadrantDigits.UNSEEN + k;
            int q = random.nextInt(4);
            Explanation e = explainer.explain(QuadrantDigits.placed(i, q));
            if (e.predicted() != QuadrantDigits.label(i)) {
                continue;
            }
            correct++;
            camInside += QuadrantDigits.share(e.gradCam(), q);
            saliencyInside += QuadrantDigits.share(e.saliency(), q);
        }
        assertTrue(correct >= tried / 2, "the network reads most digits: " + correct + " of " + tried);
        // A quarter of the canvas: 0.25 of the mass by chance.
        assertTrue(camInside / correct > 0.7, "Grad-CAM's mass in the digit's quadrant: " + camInside / correct);
        assertTrue(saliencyInside / correct > 0.7, "saliency's mass in the digit's quadrant: " + saliencyInside / correct);
        assertEquals("conv2d_3", explainer.gradCamLayer());
    }
}
