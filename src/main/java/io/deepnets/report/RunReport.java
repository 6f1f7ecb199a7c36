package io.deepnets.report;

import io.deepnets.config.TensorShape;
import io.deepnets.data.ImageSet;
import io.deepnets.eval.ClassMetrics;
import io.deepnets.train.EpochResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

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
            Charts.epochChart(dir.resolve(RunFolder.ACCURACY_PNG), title + ": accuracy", "accuracy",
                    List.of(new Charts.Series("train", acc, false), new Charts.Series("validation", valAcc, true)));
            Charts.epochChart(dir.resolve(RunFolder.LOSS_PNG), title + ": loss", "loss (categorical cross-entropy)",
                    List.of(new Charts.Series("train", loss, false), new Charts.Series("validation", valLoss, true)));
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
        }
        Path page = dir.resolve(RunFolder.REPORT);
        AtomicFiles.writeString(page, html(run, classMetrics, note));
        return page;
    }

    static String html(RunContents run, ClassMetrics classMetrics, String galleryNote) {
        Path dir = run.dir();
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").append(Html.escape(run.experiment()))
                .append(" - deepnets run ").append(Html.escape(run.stamp())).append("</title>\n<style>").append(Html.STYLE)
                .append("</style></head><body>\n");
        h.append("<h1>").append(Html.escape(run.experiment())).append("</h1>\n");
        Object description = descriptionOf(run);
        if (description != null) {
            h.append("<p>").append(Html.escape(description)).append("</p>\n");
        }
        h.append("<p class=\"muted\">run ").append(Html.escape(run.stamp())).append(" &middot; folder ")
                .append(Html.escape(dir.toString())).append("</p>\n");
        if (!run.completed()) {
            h.append("<p class=\"warn\">This run did not finish: ").append(run.history().size()).append(" of ")
                    .append(run.plannedEpochs() == null ? "?" : run.plannedEpochs()).append(" epochs were completed. Missing: ")
                    .append(Html.escape(String.join(", ", run.missing()))).append(".</p>\n");
        } else if (!run.missing().isEmpty()) {
            h.append("<p class=\"warn\">Missing from the run folder: ").append(Html.escape(String.join(", ", run.missing()))).append(".</p>\n");
        }

        h.append("<h2>Test result</h2>\n");
        if (run.completed()) {
            h.append(String.format(Locale.ROOT, "<p class=\"big\">test loss <b>%.4f</b> &middot; test accuracy <b>%.4f</b> on %s samples &middot; %,d parameters</p>%n",
                    run.metric("test_loss"), run.metric("test_accuracy"), Html.escape(run.metrics().get("test_samples")),
                    run.metric("params").longValue()));
        } else {
            h.append("<p class=\"muted\">No test result: the run stopped before evaluation.</p>\n");
        }

        h.append("<h2>Training history</h2>\n");
        if (run.history().isEmpty()) {
            h.append("<p class=\"muted\">No epoch was completed.</p>\n");
        } else {
            h.append("<table><tr><th>epoch</th><th>time</th><th>ms/step</th><th>loss</th><th>accuracy</th><th>val_loss</th><th>val_accuracy</th></tr>\n");
            for (EpochResult r : run.history()) {
                h.append(String.format(Locale.ROOT, "<tr><td>%d</td><td>%.1f s</td><td>%.0f</td><td>%.4f</td><td>%.4f</td><td>%.4f</td><td>%.4f</td></tr>%n",
                        r.epoch(), r.epochSeconds(), r.msPerStep(), r.loss(), r.accuracy(), r.valLoss(), r.valAccuracy()));
            }
            h.append("</table>\n<p class=\"muted\">loss and accuracy: running means over the epoch's batches with dropout active; val_*: the whole validation set without dropout");
            if (run.metrics() != null && run.metrics().get("validation_source") != null) {
                h.append(" (validation: ").append(Html.escape(run.metrics().get("validation_source"))).append(")");
            }
            h.append(".</p>\n<div class=\"figs\">");
            image(h, dir, RunFolder.ACCURACY_PNG, "accuracy per epoch, train and validation");
            image(h, dir, RunFolder.LOSS_PNG, "loss per epoch, train and validation");
            h.append("</div>\n");
        }

        h.append("<h2>Confusion matrix (test set)</h2>\n");
        if (classMetrics == null) {
            h.append("<p class=\"muted\">Not available: confusion.csv is missing.</p>\n");
        } else {
            image(h, dir, RunFolder.CONFUSION_PNG, "confusion matrix: rows are true classes, columns predicted classes");
            h.append("<h3>Most-confused pairs</h3>\n<table><tr><th class=\"l\">true</th><th class=\"l\">predicted as</th><th>count</th></tr>\n");
            for (ClassMetrics.ConfusedPair p : classMetrics.mostConfused()) {
                h.append("<tr><td class=\"l\">").append(Html.escape(p.truth())).append("</td><td class=\"l\">").append(Html.escape(p.predicted()))
                        .append("</td><td>").append(p.count()).append("</td></tr>\n");
            }
            h.append("</table>\n<h3>Per-class metrics</h3>\n<table><tr><th class=\"l\">class</th><th>precision</th><th>recall</th><th>F1</th><th>support</th></tr>\n");
            for (ClassMetrics.ClassRow r : classMetrics.rows()) {
                h.append(String.format(Locale.ROOT, "<tr><td class=\"l\">%s</td><td>%.4f</td><td>%.4f</td><td>%.4f</td><td>%d</td></tr>%n",
                        Html.escape(r.name()), r.precision(), r.recall(), r.f1(), r.support()));
            }
            h.append("</table>\n<p><a href=\"").append(Html.href(RunFolder.PER_CLASS)).append("\">per_class.csv</a> &middot; <a href=\"")
                    .append(Html.href(RunFolder.CONFUSION)).append("\">confusion.csv</a></p>\n");
        }

        h.append("<h2>Misclassified test images</h2>\n");
        if (Files.isRegularFile(dir.resolve(RunFolder.MISCLASSIFIED_PNG))) {
            image(h, dir, RunFolder.MISCLASSIFIED_PNG, "misclassified test images with true and predicted label and probability");
        }
        if (galleryNote != null) {
            h.append("<p class=\"muted\">").append(Html.escape(galleryNote)).append("</p>\n");
        }

        Path activations = dir.resolve(RunFolder.ACTIVATIONS);
        if (Files.isDirectory(activations)) {
            h.append("<h2>Feature maps (test image 0)</h2>\n<p class=\"muted\">What each convolutional layer responds to: its maps before"
                    + " and after the activation, each scaled to 0..255 on its own.</p>\n");
            try (var files = Files.list(activations)) {
                for (Path png : files.filter(f -> f.toString().endsWith(".png")).sorted().toList()) {
                    image(h, dir, RunFolder.ACTIVATIONS + "/" + png.getFileName(), "feature maps " + png.getFileName());
                }
            } catch (java.io.IOException e) {
                h.append("<p class=\"muted\">The feature maps could not be listed.</p>\n");
            }
        }
        h.append("<h2>Model</h2>\n<pre>").append(run.summary() == null ? "summary.txt is missing" : Html.escape(run.summary())).append("</pre>\n");
        h.append("<h2>Config</h2>\n<pre>").append(run.configYaml() == null ? "config.yaml is missing" : Html.escape(run.configYaml())).append("</pre>\n");
        h.append("<h2>Provenance</h2>\n");
        Object provenance = run.metrics() == null ? null : run.metrics().get("provenance");
        if (provenance instanceof Map<?, ?> p) {
            h.append("<table>\n");
            p.forEach((k, v) -> {
                h.append("<tr><th class=\"l\">").append(Html.escape(k)).append("</th><td class=\"l\">");
                if (v instanceof Map<?, ?> files) {
                    files.forEach((f, sum) -> h.append(Html.escape(f)).append("<br><span class=\"muted\">sha256 ").append(Html.escape(sum)).append("</span><br>"));
                } else {
                    h.append(Html.escape(v));
                }
                h.append("</td></tr>\n");
            });
            h.append("</table>\n");
            h.append("<p class=\"muted\">started ").append(Html.escape(run.metrics().get("started"))).append(", finished ")
                    .append(Html.escape(run.metrics().get("finished"))).append("</p>\n");
        } else {
            h.append("<p class=\"muted\">Not available: metrics.json is missing.</p>\n");
        }
        h.append("<p class=\"muted\">Files: ");
        for (String f : List.of(RunFolder.CONFIG, RunFolder.HISTORY, RunFolder.METRICS, RunFolder.MODEL, RunFolder.SUMMARY)) {
            if (Files.isRegularFile(dir.resolve(f))) {
                h.append("<a href=\"").append(Html.href(f)).append("\">").append(Html.escape(f)).append("</a> ");
            }
        }
        h.append("</p>\n").append(Html.IMAGE_CHECK).append("</body></html>\n");
        return h.toString();
    }

    private static Object descriptionOf(RunContents run) {
        return run.config() == null || run.config().description().isEmpty() ? null : run.config().description();
    }

    private static void image(StringBuilder h, Path dir, String file, String alt) {
        if (Files.isRegularFile(dir.resolve(file))) {
            h.append("<img src=\"").append(Html.href(file)).append("\" alt=\"").append(Html.escape(alt)).append("\">");
        }
    }
}
