package io.deepnets.explain;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deepnets.config.ConfigLoader;
import io.deepnets.config.TensorShape;
import io.deepnets.data.IdxReader;
import io.deepnets.model.KerasModelMapper;
import io.deepnets.model.Network;
import io.deepnets.testing.RealData;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Grad-CAM and saliency on a case whose answer is known: a network trained (DL4J's fit, real MNIST digits) to read a
 * digit placed in a random quadrant of an otherwise black 56x56 canvas must look at that quadrant. Its global average
 * pooling makes it read the digit wherever it is, so the evidence is only where the ink is.
 */
class GradCamQuadrantTest {
    static final String CONFIG = """
            name: quadrant-digits
            data: {dataset: mnist, validation_data: test}
            model:
              input_shape: [56, 56, 1]
              layers:
                - {type: conv2d, filters: 16, kernel_size: 3, padding: same, activation: relu}
                - {type: max_pool2d, pool_size: 2}
                - {type: conv2d, filters: 32, kernel_size: 3, padding: same, activation: relu}
                - {type: max_pool2d, pool_size: 2}
                - {type: conv2d, filters: 48, kernel_size: 3, padding: same, activation: relu}
                - {type: global_average_pooling2d}
                - {type: output, units: 10}
            optimizer: {name: adam, learning_rate: 0.003}
            training: {batch_size: 32, epochs: 1}
            seed: 7
            """;
    private static final int SIDE = 56;
    private static Network net;
    private static IdxReader.IdxImages images;
    private static byte[] labels;

    /** Digit {@code i} at quadrant {@code q} (0 top left, 1 top right, 2 bottom left, 3 bottom right), 0..1 floats. */
    static float[] placed(IdxReader.IdxImages set, int i, int q) {
        float[] canvas = new float[SIDE * SIDE];
        int top = q / 2 * 28;
        int left = q % 2 * 28;
        for (int y = 0; y < 28; y++) {
            for (int x = 0; x < 28; x++) {
                canvas[(top + y) * SIDE + left + x] = (set.pixels()[i * 784 + y * 28 + x] & 0xff) / 255f;
            }
        }
        return canvas;
    }

    @BeforeAll
    static void train() {
        Path mnist = RealData.dir().resolve("mnist");
        images = IdxReader.readImages(mnist.resolve("train-images-idx3-ubyte.gz"));
        labels = IdxReader.readLabels(mnist.resolve("train-labels-idx1-ubyte.gz"));
        net = KerasModelMapper.network(ConfigLoader.parse(CONFIG, List.of()));
        Random random = new Random(1);
        int batch = 32;
        for (int step = 0; step < 250; step++) {
            INDArray x = Nd4j.create(batch, SIDE * SIDE);
            INDArray y = Nd4j.zeros(batch, 10);
            for (int b = 0; b < batch; b++) {
                int i = step * batch + b;
                x.putRow(b, Nd4j.create(placed(images, i, random.nextInt(4))));
                y.putScalar(b, labels[i], 1);
            }
            net.fit(x, y);
        }
    }

    @Test
    void gradCamAndSaliencyLookAtTheDigitsQuadrant() {
        Explainer explainer = new Explainer(net, TensorShape.of(SIDE, SIDE, 1));
        Random random = new Random(2);
        int correct = 0;
        double camInside = 0;
        double saliencyInside = 0;
        int tried = 60;
        for (int k = 0; k < tried; k++) {
            int i = 20_000 + k;                     // digits the network never trained on
            int q = random.nextInt(4);
            Explanation e = explainer.explain(placed(images, i, q));
            if (e.predicted() != labels[i]) {
                continue;
            }
            correct++;
            camInside += share(e.gradCam(), q);
            saliencyInside += share(e.saliency(), q);
        }
        assertTrue(correct >= tried / 2, "the network reads most digits: " + correct + " of " + tried);
        // A quarter of the canvas: 0.25 of the mass by chance.
        assertTrue(camInside / correct > 0.7, "Grad-CAM's mass in the digit's quadrant: " + camInside / correct);
        assertTrue(saliencyInside / correct > 0.7, "saliency's mass in the digit's quadrant: " + saliencyInside / correct);
        org.junit.jupiter.api.Assertions.assertEquals("conv2d_3", explainer.gradCamLayer());
    }

    private static double share(float[] map, int q) {
        double inside = 0;
        double all = 0;
        for (int y = 0; y < SIDE; y++) {
            for (int x = 0; x < SIDE; x++) {
                double v = map[y * SIDE + x];
                all += v;
                if (y / 28 * 2 + x / 28 == q) {
                    inside += v;
                }
            }
        }
        return all == 0 ? 0 : inside / all;
    }
}
