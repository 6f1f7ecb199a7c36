package io.deepnets.explain;

import io.deepnets.config.ConfigLoader;
import io.deepnets.data.IdxReader;
import io.deepnets.model.KerasModelMapper;
import io.deepnets.model.Network;
import io.deepnets.testing.RealData;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A case whose answer is known, trained once per test JVM: a network (DL4J's fit, real MNIST digits) that reads a
 * digit placed in a random quadrant of an otherwise black 56x56 canvas. Its global average pooling makes it read the
 * digit wherever it is, so the evidence is only where the ink is: Grad-CAM and saliency must point at that quadrant.
 */
public final class QuadrantDigits {
    /** The network as a config (its input 56x56 grey). */
    public static final String CONFIG = """
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
    public static final int SIDE = 56;
    /** The first training image never used for training (those before it were). */
    public static final int UNSEEN = 20_000;
    private static Network net;
    private static IdxReader.IdxImages images;
    private static byte[] labels;

    private QuadrantDigits() {
    }

    /** Digit {@code i} at quadrant {@code q} (0 top left, 1 top right, 2 bottom left, 3 bottom right), 0..1 floats. */
    public static float[] placed(int i, int q) {
        load();
        float[] canvas = new float[SIDE * SIDE];
        int top = q / 2 * 28;
        int left = q % 2 * 28;
        for (int y = 0; y < 28; y++) {
            for (int x = 0; x < 28; x++) {
                canvas[(top + y) * SIDE + left + x] = (images.pixels()[i * 784 + y * 28 + x] & 0xff) / 255f;
            }
        }
        return canvas;
    }

    public static int label(int i) {
        load();
        return labels[i];
    }

    /** The share of {@code map}'s mass (row-major SIDE x SIDE) in quadrant {@code q}. */
    public static double share(float[] map, int q) {
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

    private static synchronized void load() {
        if (images == null) {
            Path mnist = RealData.dir().resolve("mnist");
            images = IdxReader.readImages(mnist.resolve("train-images-idx3-ubyte.gz"));
            labels = IdxReader.readLabels(mnist.resolve("train-labels-idx1-ubyte.gz"));
        }
    }

    /** The trained network (250 steps of 32). */
    public static synchronized Network network() {
        if (net == null) {
            load();
            net = KerasModelMapper.network(ConfigLoader.parse(CONFIG, List.of()));
            Random random = new Random(1);
            int batch = 32;
            for (int step = 0; step < 250; step++) {
                INDArray x = Nd4j.create(batch, SIDE * SIDE);
                INDArray y = Nd4j.zeros(batch, 10);
                for (int b = 0; b < batch; b++) {
                    int i = step * batch + b;
                    x.putRow(b, Nd4j.create(placed(i, random.nextInt(4))));
                    y.putScalar(b, labels[i], 1);
                }
                net.fit(x, y);
            }
        }
        return net;
    }
}
