package io.deepnets.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deepnets.eval.ClassMetrics;
import io.deepnets.runs.ConfusionCsv;
import io.deepnets.runs.EpochResult;
import io.deepnets.runs.HistoryCsv;
import io.deepnets.runs.MetricsJson;
import io.deepnets.runs.RunContents;
import io.deepnets.runs.RunFolder;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Feeds markup through every field a user or a run folder controls (experiment and folder names, the
 * description, class names, file names, notes, provenance, the summary and config text) and checks that the
 * pages show it as text: the only {@code <script>} on a page is its own image check.
 */
class PageEscapingTest {
    private static final String XSS = "<script>alert(1)</script>\"'><img src=x onerror=alert(2)>";

    @TempDir
    Path tmp;

    @Test
    void everyUserControlledFieldIsEscaped() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("exp<script>").resolve("stamp<script>"));
        String config = Files.readString(Path.of("configs/mnist-linear.yaml")).replaceFirst("description: \".*\"",
                "description: \"" + XSS.replace("\"", "\\\\\"") + "\"");
        Files.writeString(dir.resolve(RunFolder.CONFIG), config + "\n# " + XSS + "\n");
        Files.writeString(dir.resolve(RunFolder.SUMMARY), "summary " + XSS);
        HistoryCsv.write(dir.resolve(RunFolder.HISTORY), List.of(new EpochResult(1, 0.5, 0.8, 0.4, 0.85, 1.0, 10.0)));
        List<String> classes = List.of("cat" + XSS, "dog" + XSS);
        ConfusionCsv.write(dir.resolve(RunFolder.CONFUSION), classes, new long[][] {{5, 2}, {1, 6}});
        Map<String, Object> provenance = new LinkedHashMap<>();
        provenance.put("seed", 42);
        provenance.put("cpu" + XSS, "cpu " + XSS);
        provenance.put("data_files", Map.of("/data/" + XSS + ".gz", "sha" + XSS));
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("experiment", "name" + XSS);
        metrics.put("test_loss", 0.3);
        metrics.put("test_accuracy", 0.9);
        metrics.put("test_samples", "14" + XSS);
        metrics.put("params", 100);
        metrics.put("validation_source", "split " + XSS);
        metrics.put("started", "s" + XSS);
        metrics.put("finished", "f" + XSS);
        metrics.put("provenance", provenance);
        MetricsJson.write(dir.resolve(RunFolder.METRICS), metrics);
        Path maps = Files.createDirectories(dir.resolve(RunFolder.ACTIVATIONS));
        ImageIO.write(new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB), "png", maps.resolve("conv<script>.png").toFile());

        RunContents run = RunContents.read(dir);
        String page = RunReport.html(run, ClassMetrics.of(run.confusion().counts(), run.confusion().classNames(), 5), "note " + XSS);
        assertOnlyText(page);
        for (String field : List.of("name", "cat", "dog", "summary ", "cpu ", "note ", "split ", "sha", "/data/")) {
            assertTrue(page.contains(field + "&lt;script&gt;alert(1)&lt;/script&gt;"), field + " shown as text");
        }
        assertTrue(page.contains("conv%3Cscript%3E.png"), "file names are percent-encoded in links");

        String index = ComparisonReport.html(tmp, List.of(run), List.of(run));
        assertOnlyText(index);
        assertTrue(index.contains("name&lt;script&gt;alert(1)&lt;/script&gt;"), index);
    }

    @Test
    void theSweepPageEscapesDescriptionsAndAxisValues() throws Exception {
        Path sweep = Files.createDirectories(tmp.resolve("sweep"));
        Files.writeString(sweep.resolve(io.deepnets.runs.SweepFolder.SPEC), """
                name: s
                description: "DESC"
                metric: val_accuracy
                axes:
                - {name: "pad<b>", keys: [x], log_scale: false}
                points:
                - {folder: "p1", values: ["VALUE"]}
                """.replace("DESC", XSS.replace("\"", "\\\"")).replace("VALUE", XSS.replace("\"", "\\\"")));
        Path page = SweepReport.write(io.deepnets.runs.SweepFolder.read(sweep));
        String html = Files.readString(page);
        assertOnlyText(html);
        assertTrue(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), html);
        assertTrue(html.contains("pad&lt;b&gt;"), html);
    }

    private static void assertOnlyText(String html) {
        Matcher scripts = Pattern.compile("<script").matcher(html);
        int count = 0;
        while (scripts.find()) {
            count++;
        }
        assertEquals(1, count, "only the page's own script tag");
        assertFalse(html.contains("<img src=x"), "no injected element");
        assertFalse(Pattern.compile("<[^<>]*onerror").matcher(html).find(), "no injected attribute");
    }
}
