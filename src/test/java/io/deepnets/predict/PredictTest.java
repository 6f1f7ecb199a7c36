package io.deepnets.predict;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deepnets.cli.Main;
import io.deepnets.config.DataConfig;
import io.deepnets.data.DataDirectories;
import io.deepnets.data.DataSources;
import io.deepnets.data.DatasetLoader;
import io.deepnets.data.ImageSet;
import io.deepnets.run.ExperimentRunner;
import io.deepnets.run.RunRequest;
import io.deepnets.run.RunResult;
import io.deepnets.runs.RunFolder;
import io.deepnets.testing.RealData;
import java.awt.image.BufferedImage;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real MNIST test digits written out as image files, classified by a CNN trained on real data. */
class PredictTest {
    static final int DIGITS = 200;

    @TempDir
    static Path tmp;

    static RunResult cnn;
    static ImageSet test;

    @BeforeAll
    static void trainACnn() {
        Path data = RealData.dir();
        ExperimentRunner runner = new ExperimentRunner(new PrintStream(OutputStream.nullOutputStream()), System.err, false, Map.of(),
                DataSources.canonical());
        cnn = runner.run(new RunRequest(Path.of("configs/mnist-cnn.yaml"), List.of("training.epochs=1",
                "data.test_subset=500"), data, tmp.resolve("runs")));
        test = new DatasetLoader(new DataDirectories(List.of(data), tmp.resolve("cache")), DataSources.canonical(), System.err)
                .load(new DataConfig("mnist", null, null, 0.2, false, null, null, null)).test();
    }

    /** Test digit {@code i} as a PNG: white on black at 28x28, or black on white scaled up 4x. */
    static Path write(int i, boolean blackOnWhite, Path dir) throws Exception {
        int scale = blackOnWhite ? 4 : 1;
        BufferedImage img = new BufferedImage(28 * scale, 28 * scale, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 28 * scale; y++) {
            for (int x = 0; x < 28 * scale; x++) {
                int v = Math.round(test.features()[i * 784 + (y / scale) * 28 + x / scale] * 255);
                img.getRaster().setSample(x, y, 0, blackOnWhite ? 255 - v : v);
            }
        }
        Path file = dir.resolve((blackOnWhite ? "bow" : "wob") + i + ".png");
        ImageIO.write(img, "png", file.toFile());
        return file;
    }

    double accuracy(boolean blackOnWhite) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve(blackOnWhite ? "bow" : "wob"));
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < DIGITS; i++) {
            files.add(write(i, blackOnWhite, dir));
        }
        List<Predictor.Outcome> out = new Predictor(TrainedModel.load(cnn.runDir()), ImagePreprocessor.Invert.AUTO).classify(files, null);
        int correct = 0;
        for (int i = 0; i < DIGITS; i++) {
            assertTrue(out.get(i).ok(), out.get(i).error());
            assertEquals(blackOnWhite, out.get(i).inverted(), "auto inversion");
            if (out.get(i).top().get(0).label().equals(String.valueOf(test.labels()[i]))) {
                correct++;
            }
        }
        return (double) correct / DIGITS;
    }

    @Test
    void classifiesRealDigitsInBothColourings() throws Exception {
        double whiteOnBlack = accuracy(false);
        double blackOnWhite = accuracy(true);
        System.out.printf("predict accuracy on %d converted MNIST test digits: white-on-black %.3f, black-on-white 112x112 %.3f (model test accuracy %.3f)%n",
                DIGITS, whiteOnBlack, blackOnWhite, cnn.test().accuracy());
        assertTrue(whiteOnBlack >= 0.95, "white on black: " + whiteOnBlack);
        assertTrue(blackOnWhite >= 0.95, "black on white: " + blackOnWhite);
    }

    @Test
    void badImagesAreReportedAndTheOthersStillClassified() throws Exception {
        Path good = write(0, false, Files.createDirectories(tmp.resolve("mixed")));
        Path text = tmp.resolve("mixed/notes.png");
        Files.writeString(text, "not an image");
        Path seen = tmp.resolve("seen");
        assertEquals(2, Main.execute("predict", "--model", cnn.runDir().toString(), good.toString(), text.toString(),
                tmp.resolve("missing.png").toString(), "--show-input", seen.toString()));
        assertTrue(Files.exists(seen.resolve("wob0-input.png")), "the good image was classified");
        BufferedImage input = ImageIO.read(seen.resolve("wob0-input.png").toFile());
        assertEquals(28, input.getWidth());
        assertEquals(0, Main.execute("predict", "--model", cnn.runDir().resolve(RunFolder.MODEL).toString(), good.toString(), "--json"));
        assertEquals(2, Main.execute("predict", "--model", tmp.toString(), good.toString()), "a folder without a model");
        assertEquals(2, Main.execute("predict", "--model", cnn.runDir().toString(), "--invert", "maybe", good.toString()));
    }

    @Test
    void activationGridsHaveOneTilePerFeatureMap() throws Exception {
        TrainedModel model = TrainedModel.load(cnn.runDir());
        List<ActivationMaps.LayerMaps> maps = ActivationMaps.compute(model.network(), java.util.Arrays.copyOf(test.features(), 784));
        assertEquals(2, maps.size());
        assertEquals(32, maps.get(0).before().length);
        assertEquals(26, maps.get(0).before()[0].length);
        assertEquals(64, maps.get(1).after().length);
        assertEquals(24, maps.get(1).after()[0].length);
        for (float[][] map : maps.get(0).after()) {
            for (float[] row : map) {
                for (float v : row) {
                    assertTrue(v >= 0, "after ReLU");
                }
            }
        }
        boolean negativeBefore = false;
        for (float[][] map : maps.get(0).before()) {
            for (float[] row : map) {
                for (float v : row) {
                    negativeBefore |= v < 0;
                }
            }
        }
        assertTrue(negativeBefore, "before ReLU some responses are negative");
        Path out = tmp.resolve("act");
        Path image = write(1, true, Files.createDirectories(tmp.resolve("one")));
        assertEquals(0, Main.execute("activations", "--model", cnn.runDir().toString(), "--image", image.toString(), "--out", out.toString()));
        BufferedImage grid = ImageIO.read(out.resolve("conv2d_2-relu.png").toFile());
        int tileRows = (grid.getHeight() - 50) / (24 * 4 + 18 + 8);
        assertEquals(8, tileRows, "64 maps in rows of 8");
        assertTrue(Files.exists(out.resolve("conv2d_1-conv.png")));
        assertTrue(Files.isDirectory(cnn.runDir().resolve(RunFolder.ACTIVATIONS)), "the CNN run's report has feature maps");
        assertTrue(Files.readString(cnn.runDir().resolve(RunFolder.REPORT)).contains("activations/conv2d_1-relu.png"));
    }
}
