package io.deepnets.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deepnets.cli.Main;
import io.deepnets.data.DataSources;
import io.deepnets.run.ExperimentRunner;
import io.deepnets.run.RunRequest;
import io.deepnets.run.RunResult;
import io.deepnets.runs.RunFolder;
import io.deepnets.testing.RealData;
import io.deepnets.testing.TrainedRuns;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunReportTest {
    @TempDir
    Path tmp;

    /** Decodes a PNG and checks its size and that it is more than background. */
    static BufferedImage assertPicture(Path png, int minWidth, int minHeight) throws IOException {
        BufferedImage img = ImageIO.read(png.toFile());
        assertNotNull(img, png + " decodes");
        assertTrue(img.getWidth() >= minWidth && img.getHeight() >= minHeight, png + " is " + img.getWidth() + "x" + img.getHeight());
        int background = img.getRGB(0, 0);
        long other = 0;
        for (int y = 0; y < img.getHeight(); y += 2) {
            for (int x = 0; x < img.getWidth(); x += 2) {
                if (img.getRGB(x, y) != background) {
                    other++;
                }
            }
        }
        assertTrue(other > img.getWidth() * img.getHeight() / 4 / 50, png + ": only " + other + " non-background pixels");
        return img;
    }

    /** Every src= and href= of a page resolves to an existing file. */
    static List<String> assertReferencesExist(Path page) throws IOException {
        String html = Files.readString(page);
        Matcher m = Pattern.compile("(?:src|href)=\"([^\"]+)\"").matcher(html);
        List<String> refs = new ArrayList<>();
        while (m.find()) {
            String ref = java.net.URLDecoder.decode(m.group(1).replace("&amp;", "&"), java.nio.charset.StandardCharsets.UTF_8);
            assertFalse(ref.startsWith("http:") || ref.startsWith("https:") || ref.startsWith("//"), "no network resources: " + ref);
            assertTrue(Files.exists(page.getParent().resolve(ref)), page + " references missing " + ref);
            refs.add(ref);
        }
        return refs;
    }

    @Test
    void aRunFolderHoldsEveryReportFile() throws Exception {
        Path dir = TrainedRuns.cnn().runDir();
        BufferedImage acc = assertPicture(dir.resolve(RunFolder.ACCURACY_PNG), Charts.WIDTH, Charts.HEIGHT);
        assertEquals(Charts.WIDTH, acc.getWidth());
        assertPicture(dir.resolve(RunFolder.LOSS_PNG), Charts.WIDTH, Charts.HEIGHT);
        assertPicture(dir.resolve(RunFolder.CONFUSION_PNG), 600, 600);
        BufferedImage gallery = assertPicture(dir.resolve(RunFolder.MISCLASSIFIED_PNG), 900, 500);
        assertTrue(gallery.getHeight() >= 55 + 5 * (28 * 3 + 52), "at least 25 tiles (5 rows of 6)");
        List<String> perClass = Files.readAllLines(dir.resolve(RunFolder.PER_CLASS));
        assertEquals("class,precision,recall,f1,support", perClass.get(0));
        assertEquals("most_confused_true,most_confused_predicted,count", perClass.get(12));
        assertEquals(18, perClass.size(), "10 classes, a blank line, the header and five pairs");
        List<String> refs = assertReferencesExist(dir.resolve(RunFolder.REPORT));
        for (String f : List.of(RunFolder.ACCURACY_PNG, RunFolder.LOSS_PNG, RunFolder.CONFUSION_PNG, RunFolder.MISCLASSIFIED_PNG)) {
            assertTrue(refs.contains(f), "report.html shows " + f);
        }
        String html = Files.readString(dir.resolve(RunFolder.REPORT));
        for (String section : List.of("Test result", "Training history", "ms/step", "val_accuracy", "Confusion matrix", "Most-confused pairs",
                "Per-class metrics", "Misclassified", "Total params: 1,199,882", "name: mnist-cnn", "Provenance", "dl4j_version", "sha256")) {
            assertTrue(html.contains(section), "report.html has " + section);
        }
    }

    @Test
    void reportCommandRebuildsWithoutTouchingResults() throws Exception {
        Path dir = TrainedRuns.copy(TrainedRuns.cnn().runDir(), tmp);
        byte[] history = Files.readAllBytes(dir.resolve(RunFolder.HISTORY));
        byte[] metrics = Files.readAllBytes(dir.resolve(RunFolder.METRICS));
        byte[] model = Files.readAllBytes(dir.resolve(RunFolder.MODEL));
        Files.delete(dir.resolve(RunFolder.REPORT));
        Files.delete(dir.resolve(RunFolder.CONFUSION_PNG));
        assertEquals(0, Main.execute("report", dir.toString(), "--data-dir", RealData.dir().toString()));
        assertPicture(dir.resolve(RunFolder.CONFUSION_PNG), 600, 600);
        assertReferencesExist(dir.resolve(RunFolder.REPORT));
        assertArrayEquals(history, Files.readAllBytes(dir.resolve(RunFolder.HISTORY)));
        assertArrayEquals(metrics, Files.readAllBytes(dir.resolve(RunFolder.METRICS)));
        assertArrayEquals(model, Files.readAllBytes(dir.resolve(RunFolder.MODEL)));
    }

    @Test
    void userStringsAreEscaped() throws Exception {
        Path data = RealData.dir();
        ExperimentRunner runner = new ExperimentRunner(new PrintStream(OutputStream.nullOutputStream()), System.err, false, Map.of(),
                DataSources.canonical());
        RunResult r = runner.run(new RunRequest(Path.of("configs/mnist-linear.yaml"), List.of("name=<script>alert(1)</script>",
                "description=<img src=x onerror=alert(2)>", "training.epochs=1", "data.train_subset=300", "data.test_subset=100"), data, tmp));
        String html = Files.readString(r.runDir().resolve(RunFolder.REPORT));
        assertFalse(html.contains("<script>alert(1)"), "name not injected");
        assertFalse(html.contains("<img src=x"), "description not injected");
        assertTrue(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "shown as text");
        assertEquals(0, Main.execute("report", tmp.toString()));
        String index = Files.readString(tmp.resolve(ComparisonReport.INDEX));
        assertFalse(index.contains("<script>alert(1)"));
        assertTrue(index.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assertReferencesExist(tmp.resolve(ComparisonReport.INDEX));
    }

    @Test
    void anInterruptedRunGetsAReportSayingWhatIsMissing() throws Exception {
        Path dir = TrainedRuns.copy(TrainedRuns.linear().runDir(), tmp);
        for (String f : List.of(RunFolder.METRICS, RunFolder.MODEL, RunFolder.CONFUSION, RunFolder.PREDICTIONS, RunFolder.REPORT,
                RunFolder.CONFUSION_PNG, RunFolder.MISCLASSIFIED_PNG, RunFolder.PER_CLASS)) {
            Files.delete(dir.resolve(f));
        }
        List<String> history = Files.readAllLines(dir.resolve(RunFolder.HISTORY));
        Files.write(dir.resolve(RunFolder.HISTORY), history.subList(0, 3));
        assertEquals(0, Main.execute("report", dir.toString()));
        String html = Files.readString(dir.resolve(RunFolder.REPORT));
        assertTrue(html.contains("This run did not finish: 2 of 3 epochs"), html);
        assertTrue(html.contains("metrics.json"), html);
        assertReferencesExist(dir.resolve(RunFolder.REPORT));
        assertEquals(0, Main.execute("report", tmp.toString()));
        assertTrue(Files.readString(tmp.resolve(ComparisonReport.INDEX)).contains("interrupted"));
    }

    @Test
    void emptyOrForeignFoldersAreBadInput() throws Exception {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        assertEquals(2, Main.execute("report", empty.toString()));
        Path foreign = Files.createDirectories(tmp.resolve("foreign/sub"));
        Files.writeString(foreign.resolve("notes.txt"), "hello");
        assertEquals(2, Main.execute("report", tmp.resolve("foreign").toString()));
        assertEquals(2, Main.execute("report", tmp.resolve("nope").toString()));
        assertFalse(Files.exists(empty.resolve(ComparisonReport.INDEX)));
    }

    @Test
    void comparisonOfRuns() throws Exception {
        Path reports = TrainedRuns.reports();
        Path out = tmp.resolve("cmp");
        assertEquals(0, Main.execute("report", reports.toString(), "--out", out.toString()));
        Path index = out.resolve(ComparisonReport.INDEX);
        List<String> refs = assertReferencesExist(index);
        for (String png : List.of(ComparisonReport.VAL_ACCURACY_PNG, ComparisonReport.VAL_LOSS_PNG, ComparisonReport.GAP_PNG,
                ComparisonReport.EPOCH_TIME_PNG)) {
            assertTrue(refs.contains(png), png);
            assertPicture(out.resolve(png), Charts.WIDTH, Charts.HEIGHT);
        }
        String html = Files.readString(index);
        assertTrue(html.contains("mnist-cnn") && html.contains("mnist-linear"), html);
        String cnnPage = "mnist-cnn/" + TrainedRuns.cnn().runDir().getFileName() + "/report.html";
        assertTrue(refs.stream().anyMatch(r -> r.endsWith(cnnPage)), refs.toString());
    }
}
