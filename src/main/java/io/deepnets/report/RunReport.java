package io.deepnets.report;

import io.deepnets.config.TensorShape;
import io.deepnets.data.ImageSet;
import io.deepnets.eval.ClassMetrics;
import io.deepnets.runs.AtomicFiles;
import io.deepnets.runs.EpochResult;
import io.deepnets.runs.PerClassCsv;
import io.deepnets.runs.PredictionsCsv;
import io.deepnets.runs.RunContents;
import io.deepnets.runs.RunFolder;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The report of one run: accuracy and loss plots, the confusion heatmap, per-class metrics, the gallery of
 * misclassified test images and {@code report.html}, all from the run folder's files. It never writes
 * history.csv, metrics.json or the model.
 */
public final class RunReport {
    static final int GALLERY = 36;

    private RunReport() {
    }

    /** Test images for the gallery: the test set the run was evaluated on. */
    public record TestImages(ImageSet set, TensorShape shape) {
    }

    /**
     * Writes every figure and page the folder's files allow. {@code images} may be null (data not available): the
     * gallery is then kept as it is, or reported missing.
     */
    public static Path write(RunContents run, TestImages images, String galleryNote) throws IOException {
        Path dir = run.dir();
        String title = run.experiment();
        if (!run.history().isEmpty()) {
            List<Double> acc = run.history().stream().map(EpochResult::accuracy).toList();
            List<Double> valAcc = run.history().stream().map(EpochResult::valAccuracy).toList();
            List<Double> loss = run.history().stream().map(EpochResult::loss).toList();
            List<Double> valLoss = run.history().stream().map(EpochResult::valLoss).toList();
            List<Charts.EpochMark> marks = new ArrayList<>();
            if (run.metric("best_epoch") != null && run.metric("best_epoch") > 0) {
                marks.add(new Charts.EpochMark(run.metric("best_epoch").intValue(), "best epoch"
                        + (String.valueOf(run.metrics().get("model_weights")).startsWith("best") ? " (weights kept)" : "")));
            }
            if (run.metric("stopped_epoch") != null && run.metric("stopped_epoch") > 0) {
                marks.add(new Charts.EpochMark(run.metric("stopped_epoch").intValue(), "early stop"));
            }
            Charts.epochChart(dir.resolve(RunFolder.ACCURACY_PNG), title + ": accuracy", "accuracy",
                    List.of(new Charts.Series("train", acc, false), new Charts.Series("validation", valAcc, true)), marks);
            Charts.epochChart(dir.resolve(RunFolder.LOSS_PNG), title + ": loss", "loss (categorical cross-entropy)",
                    List.of(new Charts.Series("train", loss, false), new Charts.Series("validation", valLoss, true)), marks);
        }
        ClassMetrics classMetrics = null;
        if (run.confusion() != null) {
            Figures.confusion(dir.resolve(RunFolder.CONFUSION_PNG), title + ": test-set confusion matrix", run.confusion().classNames(),
                    run.confusion().counts());
            classMetrics = ClassMetrics.of(run.confusion().counts(), run.confusion().classNames(), 5);
            PerClassCsv.write(dir.resolve(RunFolder.PER_CLASS), classMetrics);
        }
        String note = galleryNote;
        if (images != null && run.predictions() != null && run.confusion() != null) {
            List<PredictionsCsv.Prediction> wrong = new ArrayList<>(run.predictions().stream().filter(p -> p.truth() != p.predicted()).toList());
            wrong.sort(Comparator.comparingDouble(PredictionsCsv.Prediction::probability).reversed());
            List<String> names = run.confusion().classNames();
            List<Figures.Tile> tiles = wrong.stream().limit(GALLERY).filter(p -> p.index() < images.set().count())
                    .map(p -> new Figures.Tile(p.index(), "true " + names.get(p.truth()) + "\npred " + names.get(p.predicted())
                            + String.format(Locale.ROOT, " (%.2f)", p.probability())))
                    .toList();
            Figures.gallery(dir.resolve(RunFolder.MISCLASSIFIED_PNG), title + ": the " + tiles.size()
                    + " most confident mistakes on the test set", images.set(), images.shape(), tiles, 6);
            note = null;
            try {
                MistakeExplanations.write(run, images.set(), images.shape(), wrong);
            } catch (IOException | RuntimeException e) {
                note = "The mistakes' Grad-CAM and saliency maps could not be drawn (" + io.deepnets.FailureText.describe(e) + ").";
            }
        }
        Path page = dir.resolve(RunFolder.REPORT);
        AtomicFiles.writeString(page, html(run, classMetrics, note));
        return page;
    }

    static String html(RunContents run, ClassMetrics classMetrics, String galleryNote) {
        return PageTemplates.render("run.jte", RunPage.of(run, classMetrics, galleryNote));
    }
}
