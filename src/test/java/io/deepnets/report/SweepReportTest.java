package io.deepnets.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deepnets.runs.EpochResult;
import io.deepnets.runs.HistoryCsv;
import io.deepnets.runs.MetricsJson;
import io.deepnets.runs.RunFolder;
import io.deepnets.runs.SweepFolder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sweep page's figures for one axis (accuracy against the value) and for three (a heatmap per pair, best over the rest). */
class SweepReportTest {
    @TempDir
    Path tmp;

    /** A sweep folder whose points' test accuracy is {@code accuracy(values)}; runs written as a run writes them. */
    Path sweep(List<String> axes, List<List<Double>> points, java.util.function.Function<List<Double>, Double> accuracy) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("s" + axes.size()));
        StringBuilder spec = new StringBuilder("name: s\nmetric: test_accuracy\naxes:\n");
        for (String a : axes) {
            spec.append("- {name: ").append(a).append(", keys: [x], log_scale: true}\n");
        }
        spec.append("points:\n");
        for (List<Double> p : points) {
            String folder = "p" + points.indexOf(p);
            spec.append("- {folder: ").append(folder).append(", values: ").append(p).append("}\n");
            Path run = Files.createDirectories(dir.resolve(SweepFolder.POINTS).resolve(folder));
            double acc = accuracy.apply(p);
            HistoryCsv.write(run.resolve(RunFolder.HISTORY), List.of(new EpochResult(1, 1, acc, 1, acc, 0.1, 1), new EpochResult(2, 1, acc, 1, acc, 0.1, 1)));
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("test_loss", 1 - acc);
            m.put("test_accuracy", acc);
            m.put("params", 10);
            m.put("train_eval_accuracy", acc);
            m.put("train_eval_loss", 1 - acc);
            MetricsJson.write(run.resolve(RunFolder.METRICS), m);
        }
        Files.writeString(dir.resolve(SweepFolder.SPEC), spec.toString());
        return dir;
    }

    @Test
    void oneAxisPlotsAccuracyAgainstTheValue() throws Exception {
        List<List<Double>> points = new ArrayList<>();
        for (double lr : new double[] {1e-4, 1e-3, 1e-2, 1e-1}) {
            points.add(List.of(lr));
        }
        Path dir = sweep(List.of("lr"), points, p -> 0.5 + Math.log10(p.get(0)) / 10);
        Path page = SweepReport.write(SweepFolder.read(dir));
        assertNotNull(ImageIO.read(dir.resolve("accuracy_vs_lr.png").toFile()));
        String html = Files.readString(page);
        assertTrue(html.contains("accuracy_vs_lr.png") && html.contains("0.4000"), "best value 0.5 - 1/10 on the page");
    }

    @Test
    void threeAxesGiveAHeatmapPerPairTakingTheBestOverTheRest() throws Exception {
        List<List<Double>> points = new ArrayList<>();
        for (double a : new double[] {1, 2}) {
            for (double b : new double[] {10, 20, 30}) {
                for (double c : new double[] {100, 200}) {
                    points.add(List.of(a, b, c));
                }
            }
        }
        Path dir = sweep(List.of("a", "b", "c"), points, p -> (p.get(0) + p.get(1) / 10 + p.get(2) / 100) / 10);
        SweepReport.write(SweepFolder.read(dir));
        for (String pair : List.of("a_x_b", "a_x_c", "b_x_c")) {
            assertNotNull(ImageIO.read(dir.resolve("heatmap_test_accuracy_" + pair + ".png").toFile()), pair);
        }
        List<String> csv = Files.readAllLines(dir.resolve(SweepFolder.CSV));
        assertEquals(13, csv.size(), "a header and 12 points");
        assertTrue(Files.readString(dir.resolve(SweepFolder.INDEX)).contains("a = 2, b = 30, c = 200"), "the best point is named");
    }
}
