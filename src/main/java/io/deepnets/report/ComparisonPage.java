package io.deepnets.report;

import io.deepnets.runs.EpochResult;
import io.deepnets.runs.RunContents;
import io.deepnets.runs.RunFolder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * What {@code comparison.jte} shows: one formatted row per run (newest first within an experiment) and the
 * comparison figures.
 *
 * @param folder the folder the runs were found in
 * @param plotted how many runs the figures draw
 */
public record ComparisonPage(int runCount, String folder, int plotted, List<Row> rows, List<PageFigure> curves, PageFigure gap,
        PageFigure epochTime) {

    /** One run's line in the table; {@code link} points at its report.html, or its folder when there is none. */
    public record Row(String experiment, String link, String stamp, String epochs, String params, String trainAccuracy, String valAccuracy,
            String testLoss, String testAccuracy, String secondsPerEpoch, String msPerStep, String status) {
    }

    static ComparisonPage of(Path out, List<RunContents> runs, List<RunContents> plotted) {
        List<Row> rows = new ArrayList<>();
        runs.stream().sorted(Comparator.comparing(RunContents::experiment).thenComparing(RunContents::stamp, Comparator.reverseOrder()))
                .forEach(r -> rows.add(row(out, r)));
        return new ComparisonPage(runs.size(), out.toAbsolutePath().toString(), plotted.size(), rows,
                List.of(PageFigure.of(ComparisonReport.VAL_ACCURACY_PNG, "validation accuracy per epoch, one line per run"),
                        PageFigure.of(ComparisonReport.VAL_LOSS_PNG, "validation loss per epoch, one line per run")),
                PageFigure.of(ComparisonReport.GAP_PNG, "train minus validation accuracy per epoch"),
                PageFigure.of(ComparisonReport.EPOCH_TIME_PNG, "mean seconds per epoch per run"));
    }

    private static Row row(Path out, RunContents r) {
        EpochResult last = r.history().isEmpty() ? null : r.history().get(r.history().size() - 1);
        Path target = Files.isRegularFile(r.dir().resolve(RunFolder.REPORT)) ? r.dir().resolve(RunFolder.REPORT) : r.dir();
        String epochs = r.history().size() + (r.plannedEpochs() != null && r.plannedEpochs() != r.history().size() ? " / " + r.plannedEpochs() : "");
        double meanSeconds = r.history().stream().mapToDouble(EpochResult::epochSeconds).average().orElse(Double.NaN);
        double meanMs = r.history().stream().mapToDouble(EpochResult::msPerStep).average().orElse(Double.NaN);
        return new Row(r.experiment(), RelativeLinks.href(RelativeLinks.relative(out, target)), r.stamp(), epochs,
                r.metric("params") == null ? "" : String.format(Locale.ROOT, "%,d", r.metric("params").longValue()),
                f4(last == null ? null : last.accuracy()), f4(last == null ? null : last.valAccuracy()), f4(r.metric("test_loss")),
                f4(r.metric("test_accuracy")) + (r.metric("single_view_test_accuracy") != null ? " (image and mirror; alone "
                        + f4(r.metric("single_view_test_accuracy")) + ")" : ""), Double.isNaN(meanSeconds) ? "" : String.format(Locale.ROOT, "%.1f", meanSeconds),
                Double.isNaN(meanMs) ? "" : String.format(Locale.ROOT, "%.0f", meanMs),
                r.diverged() ? "diverged in epoch " + r.metrics().get("diverged_epoch") : r.completed() ? "completed" : "interrupted (missing " + String.join(", ", r.missing()) + ")");
    }

    private static String f4(Double v) {
        return v == null ? "" : String.format(Locale.ROOT, "%.4f", v);
    }
}
