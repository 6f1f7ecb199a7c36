package io.deepnets.report;

import io.deepnets.runs.AtomicFiles;
import io.deepnets.runs.EpochResult;
import io.deepnets.runs.RunContents;
import io.deepnets.runs.RunFolder;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
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
        return PageTemplates.render("comparison.jte", ComparisonPage.of(out, runs, plotted));
    }
}
