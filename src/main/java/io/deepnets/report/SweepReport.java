package io.deepnets.report;

import io.deepnets.runs.AtomicFiles;
import io.deepnets.runs.EpochResult;
import io.deepnets.runs.RunFolder;
import io.deepnets.runs.SweepFolder;
import io.deepnets.runs.SweepFolder.PointRow;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A sweep's results, drawn from its folder: {@code sweep.csv} (one row per point), heatmaps of train, validation
 * and test accuracy for two axes (per pair of axes, best over the others, for three or more), accuracy against
 * the value for one axis, the validation curves of the best five points, and {@code index.html} with the table
 * sorted by the sweep's metric and the best point linked to its run's report.
 */
public final class SweepReport {
    static final List<String> COLUMNS = List.of("train_accuracy", "train_loss", "val_accuracy", "val_loss", "test_accuracy", "test_loss");
    public static final String BEST_CURVES_PNG = "best_val_curves.png";

    private SweepReport() {
    }

    public static Path write(SweepFolder.Contents sweep) throws IOException {
        Path dir = sweep.dir();
        writeCsv(sweep);
        List<PageFigure> figures = new ArrayList<>();
        int axes = sweep.axes().size();
        if (axes == 1) {
            String name = "accuracy_vs_" + safe(sweep.axes().get(0).name()) + ".png";
            List<Double> xs = sweep.points().stream().map(p -> p.numbers().get(0)).toList();
            if (xs.stream().allMatch(java.util.Objects::nonNull)) {
                List<Charts.Series> series = new ArrayList<>();
                for (String m : List.of("train_accuracy", "val_accuracy", "test_accuracy")) {
                    series.add(new Charts.Series(m.replace("_", " "), sweep.points().stream().map(p -> p.metric(m)).toList(), false));
                }
                Charts.valueChart(dir.resolve(name), sweep.name() + ": accuracy against " + sweep.axes().get(0).name(), sweep.axes().get(0).name(),
                        sweep.axes().get(0).logScale(), xs, series);
                figures.add(PageFigure.of(name, "train, validation and test accuracy against " + sweep.axes().get(0).name()));
            }
        } else if (axes == 2) {
            for (String m : List.of("train_accuracy", "val_accuracy", "test_accuracy")) {
                String name = "heatmap_" + m + ".png";
                heatmap(sweep, 0, 1, m, dir.resolve(name));
                figures.add(PageFigure.of(name, m.replace("_", " ") + " for every pair of " + sweep.axes().get(0).name() + " and "
                        + sweep.axes().get(1).name()));
            }
        } else {
            for (int a = 0; a < axes; a++) {
                for (int b = a + 1; b < axes; b++) {
                    String name = "heatmap_" + sweep.metric() + "_" + safe(sweep.axes().get(a).name()) + "_x_" + safe(sweep.axes().get(b).name()) + ".png";
                    heatmap(sweep, a, b, sweep.metric(), dir.resolve(name));
                    figures.add(PageFigure.of(name, "best " + sweep.metric() + " over the other axes, for each pair of " + sweep.axes().get(a).name()
                            + " and " + sweep.axes().get(b).name()));
                }
            }
        }
        List<PointRow> ranked = ranked(sweep);
        List<Charts.Series> curves = new ArrayList<>();
        for (PointRow p : ranked.stream().filter(p -> p.metric(sweep.metric()) != null).limit(5).toList()) {
            curves.add(new Charts.Series(p.folder(), p.run().history().stream().map(EpochResult::valAccuracy).toList(), false));
        }
        if (!curves.isEmpty()) {
            Charts.epochChart(dir.resolve(BEST_CURVES_PNG), "Validation accuracy of the best " + curves.size() + " points", "validation accuracy", curves);
            figures.add(PageFigure.of(BEST_CURVES_PNG, "validation accuracy per epoch of the best points"));
        }
        Path page = dir.resolve(SweepFolder.INDEX);
        AtomicFiles.writeString(page, PageTemplates.render("sweep.jte", SweepPage.of(sweep, ranked, figures)));
        return page;
    }

    /** Points best first by the sweep's metric; points without a value (diverged, not run) last, in sweep order. */
    static List<PointRow> ranked(SweepFolder.Contents sweep) {
        Comparator<Double> order = sweep.higherIsBetter() ? Comparator.reverseOrder() : Comparator.naturalOrder();
        List<PointRow> rows = new ArrayList<>(sweep.points());
        rows.sort(Comparator.comparing((PointRow p) -> p.metric(sweep.metric()), Comparator.nullsLast(order)));
        return rows;
    }

    private static void heatmap(SweepFolder.Contents sweep, int rowAxis, int columnAxis, String metric, Path file) throws IOException {
        List<String> rows = distinct(sweep, rowAxis);
        List<String> cols = distinct(sweep, columnAxis);
        Heatmap.Cell[][] cells = new Heatmap.Cell[rows.size()][cols.size()];
        for (Heatmap.Cell[] r : cells) {
            java.util.Arrays.fill(r, Heatmap.Cell.EMPTY);
        }
        boolean higher = metric.endsWith("accuracy");
        for (PointRow p : sweep.points()) {
            int r = rows.indexOf(p.labels().get(rowAxis));
            int c = cols.indexOf(p.labels().get(columnAxis));
            Double v = p.metric(metric);
            Heatmap.Cell old = cells[r][c];
            if (v != null && (old.value() == null || (higher ? v > old.value() : v < old.value()))) {
                cells[r][c] = new Heatmap.Cell(v, false);
            } else if (v == null && p.run() != null && p.run().diverged() && old.value() == null) {
                cells[r][c] = new Heatmap.Cell(null, true);
            }
        }
        Heatmap.write(file, sweep.name() + ": " + metric.replace("_", " ") + (sweep.axes().size() > 2 ? " (best over the other axes)" : ""),
                sweep.axes().get(rowAxis).name(), rows, sweep.axes().get(columnAxis).name(), cols, cells);
    }

    /** An axis's values in the order they first appear (numbers sorted ascending). */
    private static List<String> distinct(SweepFolder.Contents sweep, int axis) {
        Map<String, Double> seen = new LinkedHashMap<>();
        for (PointRow p : sweep.points()) {
            seen.putIfAbsent(p.labels().get(axis), p.numbers().get(axis));
        }
        List<String> labels = new ArrayList<>(seen.keySet());
        if (seen.values().stream().allMatch(java.util.Objects::nonNull)) {
            labels.sort(Comparator.comparing(seen::get));
        }
        return labels;
    }

    private static void writeCsv(SweepFolder.Contents sweep) throws IOException {
        StringBuilder sb = new StringBuilder("point");
        for (SweepFolder.AxisInfo a : sweep.axes()) {
            sb.append(',').append(csv(a.name()));
        }
        for (String c : COLUMNS) {
            sb.append(',').append(c);
        }
        sb.append(",epochs,seconds,status,folder\n");
        int i = 0;
        for (PointRow p : sweep.points()) {
            sb.append(++i);
            for (String label : p.labels()) {
                sb.append(',').append(csv(label));
            }
            for (String c : COLUMNS) {
                Double v = p.metric(c);
                sb.append(',').append(v == null ? "" : String.format(Locale.ROOT, "%.6f", v));
            }
            sb.append(',').append(p.run() == null ? "" : Integer.toString(p.run().history().size()));
            sb.append(',').append(p.run() == null ? "" : String.format(Locale.ROOT, "%.2f", seconds(p)));
            sb.append(',').append(csv(p.status())).append(',').append(csv(SweepFolder.POINTS + "/" + p.folder())).append('\n');
        }
        AtomicFiles.writeString(sweep.dir().resolve(SweepFolder.CSV), sb.toString());
    }

    static double seconds(PointRow p) {
        return p.run().history().stream().mapToDouble(EpochResult::epochSeconds).sum();
    }

    private static String csv(String v) {
        return v.contains(",") || v.contains("\"") ? '"' + v.replace("\"", "\"\"") + '"' : v;
    }

    private static String safe(String name) {
        return name.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    /** The link to a point's report (or its folder, when it has none), relative to the sweep folder. */
    static String link(SweepFolder.Contents sweep, PointRow p) {
        Path runDir = sweep.dir().resolve(SweepFolder.POINTS).resolve(p.folder());
        String rel = SweepFolder.POINTS + "/" + p.folder() + (Files.isRegularFile(runDir.resolve(RunFolder.REPORT)) ? "/" + RunFolder.REPORT : "");
        return RelativeLinks.href(rel);
    }
}
