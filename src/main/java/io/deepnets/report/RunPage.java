package io.deepnets.report;

import io.deepnets.eval.ClassMetrics;
import io.deepnets.runs.EpochResult;
import io.deepnets.runs.RunContents;
import io.deepnets.runs.RunFolder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code run.jte} shows of one run folder, already formatted: the template only lays it out. Figures are
 * listed only when their file exists, so the page never links to a missing image.
 *
 * @param warning why the page is incomplete (an interrupted run, missing files), or null
 * @param testResult test loss, test accuracy, test samples and parameters, formatted; null when the run stopped before evaluation
 * @param testWeights which weights the test result is of when they are not the last epoch's as trained, or null
 * @param testViews how each test image was scored when it was not the image alone (test-time augmentation), with the
 *     image alone's figures; else null
 * @param provenance key to value; data files are expanded into {@link #dataFiles}
 */
public record RunPage(String experiment, String stamp, String folder, String description, String warning, List<String> testResult,
        String testWeights, String testViews, List<List<String>> history, String validationSource, List<PageFigure> historyFigures, boolean hasConfusion,
        List<PageFigure> confusionFigure, List<List<String>> mostConfused, List<List<String>> perClass, List<PageFigure> gallery,
        String galleryNote, List<PageFigure> activations, String summary, String configYaml, Map<String, String> provenance,
        Map<String, String> dataFiles, String timing, List<PageFigure> fileLinks, List<List<String>> classCounts, NetworkDiagram network) {

    static RunPage of(RunContents run, ClassMetrics classMetrics, String galleryNote) {
        Path dir = run.dir();
        String description = run.config() == null || run.config().description().isEmpty() ? null : run.config().description();
        String warning = null;
        if (!run.completed()) {
            warning = "This run did not finish: " + run.history().size() + " of " + (run.plannedEpochs() == null ? "?" : run.plannedEpochs())
                    + " epochs were completed. Missing: " + String.join(", ", run.missing()) + ".";
        } else if (!run.missing().isEmpty()) {
            warning = "Missing from the run folder: " + String.join(", ", run.missing()) + ".";
        }
        if (run.completed() && run.metric("stopped_epoch") != null && run.metric("stopped_epoch") > 0) {
            warning = "Early stopping ended training after epoch " + run.metric("stopped_epoch").intValue() + " of " + run.metrics().get("planned_epochs")
                    + " (" + (run.metric("best_epoch") == null ? "" : "best epoch " + run.metric("best_epoch").intValue() + "; ")
                    + "the saved model holds the " + run.metrics().get("model_weights") + " weights).";
        }
        if (run.diverged()) {
            warning = "Training diverged in epoch " + run.metrics().get("diverged_epoch")
                    + ": the loss became NaN or infinite, so training stopped there and the network was not evaluated.";
        }
        List<String> test = null;
        if (run.completed() && !run.diverged()) {
            test = List.of(f4(run.metric("test_loss")), f4(run.metric("test_accuracy")), String.valueOf(run.metrics().get("test_samples")),
                    String.format(Locale.ROOT, "%,d", run.metric("params").longValue()));
        }
        String testWeights = null;
        if (test != null && String.valueOf(run.metrics().get("model_weights")).startsWith("averaged")) {
            testWeights = "Of the saved model, whose weights are " + run.metrics().get("model_weights") + ": stochastic weight averaging's "
                    + "mean of those epochs' weights, each batch normalisation's statistics recounted for it; the history below is of the "
                    + "weights as they trained.";
        }
        String testViews = null;
        if (test != null && run.metrics().get("test_views") != null) {
            testViews = "Test figures of " + run.metrics().get("test_views") + " (data.test_time_augment); the image alone: test loss "
                    + f4(run.metric("single_view_test_loss")) + ", test accuracy " + f4(run.metric("single_view_test_accuracy"))
                    + ". The history's validation is of the image alone, as Keras's fit computes it.";
        }
        List<List<String>> history = new ArrayList<>();
        for (EpochResult r : run.history()) {
            history.add(List.of(Integer.toString(r.epoch()), String.format(Locale.ROOT, "%.1f s", r.epochSeconds()),
                    String.format(Locale.ROOT, "%.0f", r.msPerStep()), f4(r.loss()), f4(r.accuracy()), f4(r.valLoss()), f4(r.valAccuracy()),
                    Double.isNaN(r.lr()) ? "" : String.format(Locale.ROOT, "%.4g", r.lr())));
        }
        Object validation = run.metrics() == null ? null : run.metrics().get("validation_source");
        List<List<String>> confused = new ArrayList<>();
        List<List<String>> perClass = new ArrayList<>();
        if (classMetrics != null) {
            for (ClassMetrics.ConfusedPair p : classMetrics.mostConfused()) {
                confused.add(List.of(p.truth(), p.predicted(), Long.toString(p.count())));
            }
            for (ClassMetrics.ClassRow r : classMetrics.rows()) {
                perClass.add(List.of(r.name(), f4(r.precision()), f4(r.recall()), f4(r.f1()), Long.toString(r.support())));
            }
        }
        Map<String, String> provenance = new LinkedHashMap<>();
        Map<String, String> dataFiles = new LinkedHashMap<>();
        String timing = null;
        if (run.metrics() != null && run.metrics().get("provenance") instanceof Map<?, ?> p) {
            p.forEach((k, v) -> {
                if ("base_network".equals(k) && v instanceof Map<?, ?> base) {
                    base.forEach((f, value) -> provenance.put("base network " + f, String.valueOf(value)));
                } else if (v instanceof Map<?, ?> files) {
                    files.forEach((f, sum) -> dataFiles.put(String.valueOf(f), String.valueOf(sum)));
                } else {
                    provenance.put(String.valueOf(k), String.valueOf(v));
                }
            });
            timing = "started " + run.metrics().get("started") + ", finished " + run.metrics().get("finished");
        }
        List<PageFigure> files = new ArrayList<>();
        for (String f : List.of(RunFolder.CONFIG, RunFolder.HISTORY, RunFolder.METRICS, RunFolder.MODEL, RunFolder.SUMMARY)) {
            if (Files.isRegularFile(dir.resolve(f))) {
                files.add(PageFigure.of(f, f));
            }
        }
        List<List<String>> classCounts = new ArrayList<>();
        if (run.metrics() != null && run.metrics().get("class_counts") instanceof Map<?, ?> counts
                && counts.get("train") instanceof Map<?, ?> train) {
            for (Object name : train.keySet()) {
                List<String> row = new ArrayList<>(List.of(String.valueOf(name)));
                for (String part : List.of("train", "validation", "test")) {
                    Object n = counts.get(part) instanceof Map<?, ?> m ? m.get(name) : null;
                    row.add(n == null ? "" : String.valueOf(n));
                }
                classCounts.add(row);
            }
        }
        return new RunPage(run.experiment(), run.stamp(), dir.toString(), description, warning, test, testWeights, testViews, history,
                validation == null ? null : validation.toString(),
                figures(dir, RunFolder.ACCURACY_PNG, "accuracy per epoch, train and validation", RunFolder.LOSS_PNG,
                        "loss per epoch, train and validation"),
                classMetrics != null,
                figures(dir, RunFolder.CONFUSION_PNG, "confusion matrix: rows are true classes, columns predicted classes"), confused, perClass,
                figures(dir, RunFolder.MISCLASSIFIED_PNG, "misclassified test images with true and predicted label and probability",
                        RunFolder.EXPLAINED_PNG, "the most confident mistakes with Grad-CAM of the predicted class and the saliency map"),
                galleryNote, activationFigures(dir), run.summary(), run.configYaml(), provenance, dataFiles, timing, files, classCounts,
                run.config() == null ? null : NetworkDiagram.of(run.config().model()));
    }

    /** The links to per_class.csv and confusion.csv. */
    public List<PageFigure> tableLinks() {
        return List.of(PageFigure.of(RunFolder.PER_CLASS, RunFolder.PER_CLASS), PageFigure.of(RunFolder.CONFUSION, RunFolder.CONFUSION));
    }

    public String title() {
        return experiment + " - deepnets run " + stamp;
    }

    private static String f4(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }

    /** Pairs of (file, alt) that exist in {@code dir}. */
    private static List<PageFigure> figures(Path dir, String... fileAndAlt) {
        List<PageFigure> out = new ArrayList<>();
        for (int i = 0; i < fileAndAlt.length; i += 2) {
            if (Files.isRegularFile(dir.resolve(fileAndAlt[i]))) {
                out.add(PageFigure.of(fileAndAlt[i], fileAndAlt[i + 1]));
            }
        }
        return out;
    }

    private static List<PageFigure> activationFigures(Path dir) {
        Path activations = dir.resolve(RunFolder.ACTIVATIONS);
        if (!Files.isDirectory(activations)) {
            return List.of();
        }
        try (var files = Files.list(activations)) {
            return files.filter(f -> f.toString().endsWith(".png")).sorted()
                    .map(png -> PageFigure.of(RunFolder.ACTIVATIONS + "/" + png.getFileName(), "feature maps " + png.getFileName())).toList();
        } catch (IOException e) {
            return List.of();
        }
    }
}
