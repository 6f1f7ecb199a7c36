package io.deepnets.runs;

import io.deepnets.BadInputException;
import io.deepnets.config.ConfigLoader;
import io.deepnets.config.ExperimentConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a run folder holds, read without changing anything. Pieces an interrupted run never wrote are null and
 * listed in {@link #missing()}.
 *
 * @param name the experiment name (the parent folder's name)
 * @param stamp the run folder's name (its start time)
 * @param config config.yaml parsed once; null when it is missing or no longer valid
 */
public record RunContents(Path dir, String name, String stamp, String configYaml, ExperimentConfig config, String summary,
        List<EpochResult> history, Map<String, Object> metrics, ConfusionCsv.Table confusion, List<PredictionsCsv.Prediction> predictions,
        List<String> missing) {

    /** Whether {@code dir} looks like a run folder (has its config or history). */
    public static boolean isRunFolder(Path dir) {
        return Files.isRegularFile(dir.resolve(RunFolder.CONFIG)) || Files.isRegularFile(dir.resolve(RunFolder.HISTORY));
    }

    public static RunContents read(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new BadInputException(dir + ": no such folder");
        }
        if (!isRunFolder(dir)) {
            throw new BadInputException(dir + ": not a deepnets run folder (expected " + RunFolder.CONFIG + " and " + RunFolder.HISTORY + ")");
        }
        List<String> missing = new ArrayList<>();
        try {
            String config = readOrNull(dir.resolve(RunFolder.CONFIG), missing);
            String summary = readOrNull(dir.resolve(RunFolder.SUMMARY), missing);
            List<EpochResult> history = List.of();
            if (Files.isRegularFile(dir.resolve(RunFolder.HISTORY))) {
                history = named(dir.resolve(RunFolder.HISTORY), HistoryCsv::read);
            } else {
                missing.add(RunFolder.HISTORY);
            }
            Map<String, Object> metrics = null;
            if (Files.isRegularFile(dir.resolve(RunFolder.METRICS))) {
                metrics = named(dir.resolve(RunFolder.METRICS), MetricsJson::read);
                for (String key : "diverged".equals(metrics.get("status")) ? List.of("params") : List.of("test_loss", "test_accuracy", "params")) {
                    if (!(metrics.get(key) instanceof Number)) {
                        throw new IOException(dir.resolve(RunFolder.METRICS) + ": expected a number for " + key);
                    }
                }
            } else {
                missing.add(RunFolder.METRICS);
            }
            ConfusionCsv.Table confusion = null;
            if (Files.isRegularFile(dir.resolve(RunFolder.CONFUSION))) {
                confusion = named(dir.resolve(RunFolder.CONFUSION), ConfusionCsv::read);
            } else {
                missing.add(RunFolder.CONFUSION);
            }
            List<PredictionsCsv.Prediction> predictions = null;
            if (Files.isRegularFile(dir.resolve(RunFolder.PREDICTIONS))) {
                predictions = named(dir.resolve(RunFolder.PREDICTIONS), PredictionsCsv::read);
            } else {
                missing.add(RunFolder.PREDICTIONS);
            }
            if (predictions != null && confusion != null) {
                int classes = confusion.classNames().size();
                for (int i = 0; i < predictions.size(); i++) {
                    PredictionsCsv.Prediction p = predictions.get(i);
                    if (p.index() < 0 || p.truth() < 0 || p.truth() >= classes || p.predicted() < 0 || p.predicted() >= classes) {
                        throw new BadInputException(dir.resolve(RunFolder.PREDICTIONS) + ": row " + (i + 1) + " names a sample or class that does not "
                                + "exist (classes 0.." + (classes - 1) + " in " + RunFolder.CONFUSION + ")");
                    }
                }
            }
            if (!Files.isRegularFile(dir.resolve(RunFolder.MODEL))) {
                missing.add(RunFolder.MODEL);
            }
            Path abs = dir.toAbsolutePath().normalize();
            String name = abs.getParent() == null ? abs.getFileName().toString() : abs.getParent().getFileName().toString();
            return new RunContents(abs, name, abs.getFileName().toString(), config, parse(config), summary, history, metrics, confusion,
                    predictions, List.copyOf(missing));
        } catch (IOException | RuntimeException e) {
            if (e instanceof BadInputException b) {
                throw b;
            }
            String m = io.deepnets.FailureText.describe(e);
            throw new BadInputException(m.startsWith(dir.toString()) ? m : dir + ": unreadable run folder (" + m + ")", e);
        }
    }

    /** Reads one file of the folder; whatever goes wrong is said about that file. */
    private static <T> T named(Path file, FileRead<T> reader) {
        try {
            return reader.read(file);
        } catch (IOException | RuntimeException e) {
            if (e instanceof BadInputException b) {
                throw b;
            }
            String m = io.deepnets.FailureText.describe(e);
            throw new BadInputException(m.startsWith(file.toString()) ? m : file + ": " + m, e);
        }
    }

    @FunctionalInterface
    private interface FileRead<T> {
        T read(Path file) throws IOException;
    }

    private static String readOrNull(Path file, List<String> missing) throws IOException {
        if (Files.isRegularFile(file)) {
            return named(file, Files::readString);
        }
        missing.add(file.getFileName().toString());
        return null;
    }

    private static ExperimentConfig parse(String configYaml) {
        if (configYaml == null) {
            return null;
        }
        try {
            return ConfigLoader.parse(configYaml, List.of());
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** The same contents with {@code metrics} as the run's figures (a report drawn before metrics.json is written). */
    public RunContents withMetrics(Map<String, Object> newMetrics) {
        List<String> stillMissing = missing.stream().filter(f -> !f.equals(RunFolder.METRICS)).toList();
        return new RunContents(dir, name, stamp, configYaml, config, summary, history, newMetrics, confusion, predictions, stillMissing);
    }

    /** The epochs the run was configured for; null when config.yaml cannot be read. */
    public Integer plannedEpochs() {
        return config == null ? null : config.training().totalEpochs();
    }

    /** Whether training diverged (a sweep's run: metrics.json says so and holds no test figures). */
    public boolean diverged() {
        return metrics != null && "diverged".equals(metrics.get("status"));
    }

    /** A run whose metrics.json exists finished training and evaluation (or, in a sweep, diverged). */
    public boolean completed() {
        return metrics != null;
    }

    public Double metric(String key) {
        Object v = metrics == null ? null : metrics.get(key);
        return v instanceof Number n ? n.doubleValue() : null;
    }

    /** The display name of the experiment: from metrics.json, else the config, else the folder's name. */
    public String experiment() {
        Object v = metrics == null ? null : metrics.get("experiment");
        if (v != null) {
            return v.toString();
        }
        return config != null ? config.name() : name;
    }
}
