package io.deepnets.report;

import io.deepnets.train.EpochResult;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code index.html} comparing runs: a table of every run, the validation curves overlaid, the generalisation
 * gap (train minus validation accuracy) per epoch, and the mean epoch time per run, with links to each run's
 * page. Curves show the latest run of each experiment unless runs were named one by one.
 */
public final class ComparisonReport {
    public static final String INDEX = "index.html";
    public static final String VAL_ACCURACY_PNG = "compare_val_accuracy.png";
    public static final String VAL_LOSS_PNG = "compare_val_loss.png";
    public static final String GAP_PNG = "compare_gap.png";
    public static final String EPOCH_TIME_PNG = "compare_epoch_time.png";

    private ComparisonReport() {
    }

    /** The latest run (by folder name, a timestamp) of each experiment, in order of experiment name. */
    public static List<RunContents> latestPerExperiment(List<RunContents> runs) {
        Map<String, RunContents> latest = new LinkedHashMap<>();
        runs.stream().sorted(Comparator.comparing(RunContents::experiment).thenComparing(RunContents::stamp))
                .forEach(r -> latest.put(r.experiment(), r));
        return new ArrayList<>(latest.values());
    }

    /** Writes index.html and its PNGs into {@code out}; {@code plotted} are the runs drawn in the figures. */
    public static Path write(Path out, List<RunContents> runs, List<RunContents> plotted) throws IOException {
        java.nio.file.Files.createDirectories(out);
        List<RunContents> withHistory = plotted.stream().filter(r -> !r.history().isEmpty()).toList();
        boolean distinctNames = withHistory.stream().map(RunContents::experiment).distinct().count() == withHistory.size();
        java.util.function.Function<RunContents, String> label = r -> distinctNames ? r.experiment() : r.experiment() + " " + r.stamp();
        if (!withHistory.isEmpty()) {
            Charts.epochChart(out.resolve(VAL_ACCURACY_PNG), "Validation accuracy per epoch", "validation accuracy", withHistory.stream()
                    .map(r -> new Charts.Series(label.apply(r), r.history().stream().map(EpochResult::valAccuracy).toList(), false)).toList());
            Charts.epochChart(out.resolve(VAL_LOSS_PNG), "Validation loss per epoch", "validation loss", withHistory.stream()
                    .map(r -> new Charts.Series(label.apply(r), r.history().stream().map(EpochResult::valLoss).toList(), false)).toList());
            Charts.epochChart(out.resolve(GAP_PNG), "Generalisation gap: train minus validation accuracy", "accuracy gap", withHistory.stream()
                    .map(r -> new Charts.Series(label.apply(r), r.history().stream().map(e -> e.accuracy() - e.valAccuracy()).toList(), false))
                    .toList());
            Map<String, Double> times = new LinkedHashMap<>();
            for (RunContents r : withHistory) {
                times.put(label.apply(r), r.history().stream().mapToDouble(EpochResult::epochSeconds).average().orElse(0));
            }
            Charts.barChart(out.resolve(EPOCH_TIME_PNG), "Mean time per epoch", "seconds per epoch", times);
        }
        Path page = out.resolve(INDEX);
        AtomicFiles.writeString(page, html(out, runs, withHistory));
        return page;
    }

    static String html(Path out, List<RunContents> runs, List<RunContents> plotted) {
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>deepnets: comparison of ").append(runs.size())
                .append(" runs</title>\n<style>").append(Html.STYLE).append("</style></head><body>\n");
        h.append("<h1>Comparison of runs</h1>\n<p class=\"muted\">").append(runs.size()).append(" runs in ").append(Html.escape(out.toAbsolutePath()))
                .append("; figures show ").append(plotted.size()).append(" of them (the latest run of each experiment).</p>\n");
        h.append("<h2>Runs</h2>\n<table><tr><th class=\"l\">experiment</th><th class=\"l\">run</th><th>epochs</th><th>parameters</th>")
                .append("<th>train acc</th><th>val acc</th><th>test loss</th><th>test acc</th><th>s / epoch</th><th>ms / step</th><th class=\"l\">status</th></tr>\n");
        List<RunContents> sorted = runs.stream().sorted(Comparator.comparing(RunContents::experiment).thenComparing(RunContents::stamp,
                Comparator.reverseOrder())).toList();
        for (RunContents r : sorted) {
            EpochResult last = r.history().isEmpty() ? null : r.history().get(r.history().size() - 1);
            Path target = java.nio.file.Files.isRegularFile(r.dir().resolve(RunFolder.REPORT)) ? r.dir().resolve(RunFolder.REPORT) : r.dir();
            String link = relative(out, target);
            h.append("<tr><td class=\"l\"><a href=\"").append(Html.href(link)).append("\">").append(Html.escape(r.experiment()))
                    .append("</a></td><td class=\"l\">").append(Html.escape(r.stamp())).append("</td>");
            h.append("<td>").append(r.history().size()).append(r.plannedEpochs() != null && r.plannedEpochs() != r.history().size()
                    ? " / " + r.plannedEpochs() : "").append("</td>");
            h.append("<td>").append(r.metric("params") == null ? "" : String.format(Locale.ROOT, "%,d", r.metric("params").longValue())).append("</td>");
            h.append(cell(last == null ? null : last.accuracy())).append(cell(last == null ? null : last.valAccuracy()))
                    .append(cell(r.metric("test_loss"))).append(cell(r.metric("test_accuracy")));
            double meanSeconds = r.history().stream().mapToDouble(EpochResult::epochSeconds).average().orElse(Double.NaN);
            double meanMs = r.history().stream().mapToDouble(EpochResult::msPerStep).average().orElse(Double.NaN);
            h.append(String.format(Locale.ROOT, "<td>%s</td><td>%s</td>", Double.isNaN(meanSeconds) ? "" : String.format(Locale.ROOT, "%.1f", meanSeconds),
                    Double.isNaN(meanMs) ? "" : String.format(Locale.ROOT, "%.0f", meanMs)));
            h.append("<td class=\"l\">").append(r.completed() ? "completed" : "interrupted (missing " + Html.escape(String.join(", ", r.missing())) + ")")
                    .append("</td></tr>\n");
        }
        h.append("</table>\n");
        if (!plotted.isEmpty()) {
            h.append("<h2>Validation curves</h2>\n<div class=\"figs\">");
            img(h, VAL_ACCURACY_PNG, "validation accuracy per epoch, one line per run");
            img(h, VAL_LOSS_PNG, "validation loss per epoch, one line per run");
            h.append("</div>\n<h2>Generalisation gap</h2>\n<p class=\"muted\">Training accuracy (running mean, dropout active) minus validation accuracy,"
                    + " per epoch: above zero the model fits its training data better than unseen data.</p>\n");
            img(h, GAP_PNG, "train minus validation accuracy per epoch");
            h.append("<h2>Time per epoch</h2>\n");
            img(h, EPOCH_TIME_PNG, "mean seconds per epoch per run");
        }
        h.append(Html.IMAGE_CHECK + "</body></html>\n");
        return h.toString();
    }

    private static String cell(Double v) {
        return "<td>" + (v == null ? "" : String.format(Locale.ROOT, "%.4f", v)) + "</td>";
    }

    private static void img(StringBuilder h, String file, String alt) {
        h.append("<img src=\"").append(Html.href(file)).append("\" alt=\"").append(Html.escape(alt)).append("\">");
    }

    static String relative(Path from, Path to) {
        return from.toAbsolutePath().normalize().relativize(to.toAbsolutePath().normalize()).toString().replace('\\', '/');
    }
}
