package io.deepnets.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deepnets.data.DataSources;
import io.deepnets.data.DatasetLoader;
import io.deepnets.data.ImageSet;
import io.deepnets.data.SplitDataset;
import io.deepnets.model.Network;
import io.deepnets.predict.TrainedModel;
import io.deepnets.runs.MetricsJson;
import io.deepnets.runs.RunFolder;
import io.deepnets.testing.RealData;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code data.test_time_augment}: a short real CIFAR-10 run whose test figures are checked against DL4J's own output
 * for each test image and its mirror image, mirrored here pixel by pixel.
 */
class TestTimeAugmentationTest {
    @TempDir
    Path out;

    @Test
    void theTestFiguresAreOfTheMeanOfEachImageAndItsMirrorImage() throws Exception {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        ExperimentRunner runner = new ExperimentRunner(new PrintStream(console, true), System.err, false, Map.of(), DataSources.canonical());
        // Label smoothing and an L2 penalty, so that the loss is scored as Keras's evaluate scores a model compiled with them.
        RunResult r = runner.run(new RunRequest(Path.of("configs", "cifar10-cnn.yaml"), List.of("training.epochs=2", "data.train_subset=640",
                "data.test_subset=200", "model.layers[11].label_smoothing=0.1", "model.layers[9].kernel_regularizer={l2: 0.001}",
                "data.test_time_augment={horizontal_flip: true}"), RealData.dir(), out));
        Map<String, Object> metrics = MetricsJson.read(r.runDir().resolve(RunFolder.METRICS));
        assertEquals("each image and its mirror image averaged", metrics.get("test_views"));

        ImageSet test = SplitDataset.of(DatasetLoader.forConfig(r.config().data(), RealData.dir(), Map.of(), DataSources.canonical(),
                new PrintStream(java.io.OutputStream.nullOutputStream())), r.config().data()).test();
        assertEquals(200, test.count());
        TrainedModel model = TrainedModel.load(r.runDir());
        Network net = model.network();
        int classes = 10;
        double on = 1 - 0.1 + 0.1 / classes;
        double off = 0.1 / classes;
        List<io.deepnets.runs.PredictionsCsv.Prediction> saved = io.deepnets.runs.PredictionsCsv.read(r.runDir().resolve(RunFolder.PREDICTIONS));
        int samePrediction = 0;
        double largestChange = 0;
        double lossBoth = 0;
        double lossOne = 0;
        int rightBoth = 0;
        int rightOne = 0;
        float[] first = null;
        for (int i = 0; i < test.count(); i++) {
            float[] x = test.row(i);
            float[] m = new float[x.length];
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < 32; y++) {
                    for (int col = 0; col < 32; col++) {
                        m[c * 1024 + y * 32 + col] = x[c * 1024 + y * 32 + 31 - col];
                    }
                }
            }
            float[] p = net.output(Nd4j.create(x, new long[] {1, x.length}, 'c')).dup('c').data().asFloat();
            float[] q = net.output(Nd4j.create(m, new long[] {1, m.length}, 'c')).dup('c').data().asFloat();
            float[] mean = new float[classes];
            for (int k = 0; k < classes; k++) {
                mean[k] = (p[k] + q[k]) / 2;
            }
            if (i == 0) {
                first = mean;
            }
            int label = test.labels()[i];
            for (int k = 0; k < classes; k++) {
                double y = k == label ? on : off;
                lossBoth -= y * Math.log(Math.min(1 - 1e-7, Math.max(1e-7, mean[k])));
                lossOne -= y * Math.log(Math.min(1 - 1e-7, Math.max(1e-7, p[k])));
            }
            // predictions.csv: the class the run predicted and its probability, the two views' mean (written to 5 decimals).
            io.deepnets.runs.PredictionsCsv.Prediction row = saved.get(i);
            assertEquals(mean[row.predicted()], row.probability(), 1e-5, "test image " + i);
            samePrediction += row.predicted() == argmax(mean) ? 1 : 0;
            largestChange = Math.max(largestChange, Math.abs(mean[label] - p[label]));
            rightBoth += argmax(mean) == label ? 1 : 0;
            rightOne += argmax(p) == label ? 1 : 0;
        }
        // The run scores through the engine's inference, this by DL4J's output(): a prediction may differ where two
        // classes are within float rounding of each other, so one sample of 200 either way.
        assertEquals(rightBoth / 200.0, ((Number) metrics.get("test_accuracy")).doubleValue(), 1.0 / 200 + 1e-12);
        assertEquals(rightOne / 200.0, ((Number) metrics.get("single_view_test_accuracy")).doubleValue(), 1.0 / 200 + 1e-12);
        assertEquals(r.test().accuracy(), ((Number) metrics.get("test_accuracy")).doubleValue(), 0.0);
        // Both losses carry the same L2 penalty of the weights, which the difference cancels.
        double penaltyFree = ((Number) metrics.get("test_loss")).doubleValue() - ((Number) metrics.get("single_view_test_loss")).doubleValue();
        assertEquals(lossBoth / 200 - lossOne / 200, penaltyFree, 1e-5);
        assertTrue(((Number) metrics.get("single_view_test_loss")).doubleValue() > lossOne / 200 + 1e-6, "the L2 penalty is in the loss");
        assertTrue(samePrediction >= 199, samePrediction + " of 200 predictions as by hand");
        assertTrue(largestChange > 1e-3, "the mirror image moves some image's probability of its label, by " + largestChange);

        // predict and serve score an image of this run as its test evaluation did.
        float[] viaModel = model.probabilities(test.row(0), 1);
        for (int k = 0; k < classes; k++) {
            assertEquals(first[k], viaModel[k], 1e-6, "class " + k);
        }

        // The predict command: the note on stderr, and the probability of the two views' mean of the image as it prepares it.
        Path png = out.resolve("test0.png");
        java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(32, 32, java.awt.image.BufferedImage.TYPE_INT_RGB);
        float[] x0 = test.row(0);
        for (int y = 0; y < 32; y++) {
            for (int col = 0; col < 32; col++) {
                int rgb = 0;
                for (int c = 0; c < 3; c++) {
                    rgb = rgb << 8 | Math.round(x0[c * 1024 + y * 32 + col] * 255);
                }
                img.setRGB(col, y, rgb);
            }
        }
        javax.imageio.ImageIO.write(img, "png", png.toFile());
        PrintStream stdout = System.out;
        PrintStream stderr = System.err;
        ByteArrayOutputStream predictOut = new ByteArrayOutputStream();
        ByteArrayOutputStream predictErr = new ByteArrayOutputStream();
        int code;
        try {
            System.setOut(new PrintStream(predictOut, true));
            System.setErr(new PrintStream(predictErr, true));
            code = io.deepnets.cli.Main.execute("predict", "--model", r.runDir().toString(), png.toString(), "--json");
        } finally {
            System.setOut(stdout);
            System.setErr(stderr);
        }
        assertEquals(0, code, predictErr.toString());
        assertTrue(predictErr.toString().contains("note: each image and its mirror image averaged, as the run's data.test_time_augment says"),
                predictErr.toString());
        float[] prepared = model.prepare(javax.imageio.ImageIO.read(png.toFile()), io.deepnets.predict.ImagePreprocessor.Invert.parse("auto")).pixels();
        float[] expected = model.probabilities(prepared, 1);
        double said = new com.fasterxml.jackson.databind.ObjectMapper().readTree(predictOut.toString()).get(0).get("probability").asDouble();
        assertEquals(expected[argmax(expected)], said, 1e-6, predictOut.toString());
        float[] alone = net.output(Nd4j.create(prepared, new long[] {1, prepared.length}, 'c')).dup('c').data().asFloat();
        assertTrue(Math.abs(alone[argmax(expected)] - said) > 1e-6, "not the image alone's " + alone[argmax(expected)]);

        // explain: the class of the two views' mean, its probability, and the note.
        ByteArrayOutputStream explainErr = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(java.io.OutputStream.nullOutputStream()));
            System.setErr(new PrintStream(explainErr, true));
            code = io.deepnets.cli.Main.execute("explain", "--model", r.runDir().toString(), png.toString(), "--out", out.resolve("maps").toString());
        } finally {
            System.setOut(stdout);
            System.setErr(stderr);
        }
        assertEquals(0, code, explainErr.toString());
        assertTrue(explainErr.toString().contains("the maps are of the image alone"), explainErr.toString());
        com.fasterxml.jackson.databind.JsonNode explained = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                out.resolve("maps").resolve("test0-explain.json").toFile());
        assertEquals(model.classNames().get(argmax(expected)), explained.get("explained_class").asText());
        assertEquals(expected[argmax(expected)], explained.get("probability").asDouble(), 1e-6);

        String text = console.toString();
        assertTrue(text.contains("(each image and its mirror image averaged; the image alone: loss "), text);
        String report = Files.readString(r.runDir().resolve("report.html"));
        assertTrue(report.contains("Test figures of each image and its mirror image averaged (data.test_time_augment); the image alone: test loss "), "report line");
    }

    static int argmax(float[] p) {
        int best = 0;
        for (int k = 1; k < p.length; k++) {
            if (p[k] > p[best]) {
                best = k;
            }
        }
        return best;
    }
}
