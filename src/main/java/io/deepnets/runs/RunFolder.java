package io.deepnets.runs;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

/**
 * A run's folder, {@code <out>/<name>/<timestamp>/}. Created fresh for every run; an existing folder is never
 * reused, so no result is ever overwritten.
 */
public final class RunFolder {
    public static final String CONFIG = "config.yaml";
    public static final String HISTORY = "history.csv";
    public static final String METRICS = "metrics.json";
    public static final String CONFUSION = "confusion.csv";
    public static final String MODEL = "model.zip";
    /** With {@code training.checkpoint} (Keras ModelCheckpoint save_best_only): the best epoch's network. */
    public static final String BEST_MODEL = "best_model.zip";
    public static final String SUMMARY = "summary.txt";
    public static final String PREDICTIONS = "predictions.csv";
    public static final String PER_CLASS = "per_class.csv";
    public static final String ACCURACY_PNG = "accuracy.png";
    public static final String LOSS_PNG = "loss.png";
    public static final String CONFUSION_PNG = "confusion.png";
    public static final String MISCLASSIFIED_PNG = "misclassified.png";
    public static final String REPORT = "report.html";
    /** The most confident mistakes with Grad-CAM and saliency maps (image networks with a model). */
    public static final String EXPLAINED_PNG = "mistakes_explained.png";
    /** For a dataset split by {@code test_split}: the file positions of the test samples, one a line. */
    public static final String TEST_INDICES = "test_indices.csv";
    /** Feature maps of the convolutional layers for test image 0 (CNN runs). */
    public static final String ACTIVATIONS = "activations";
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH-mm-ss");

    private RunFolder() {
    }

    /**
     * Removes what a killed process left half-written in {@code runDir}: the temporary files of atomic writes
     * ({@code .NAME*.tmp}, in the folder and its activations/) and unfinished checkpoint folders. Returns them.
     */
    public static java.util.List<Path> removeLeftovers(Path runDir) {
        java.util.List<Path> removed = new java.util.ArrayList<>();
        for (Path dir : java.util.List.of(runDir, runDir.resolve(ACTIVATIONS))) {
            removed.addAll(AtomicFiles.removeLeftovers(dir));
        }
        removed.addAll(Checkpoint.removeLeftovers(runDir));
        return removed;
    }

    /** Creates {@code <out>/<name>/<timestamp>[-n]/}, adding a counter when a folder of that second exists. */
    public static Path create(Path out, String name, LocalDateTime now) throws IOException {
        Path parent = out.resolve(name);
        Files.createDirectories(parent);
        String stamp = STAMP.format(now);
        for (int n = 1; ; n++) {
            Path dir = parent.resolve(n == 1 ? stamp : stamp + "-" + n);
            try {
                return Files.createDirectory(dir);
            } catch (FileAlreadyExistsException e) {
                // taken: try the next counter
            }
        }
    }
}
