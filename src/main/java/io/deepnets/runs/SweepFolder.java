package io.deepnets.runs;

import io.deepnets.BadInputException;
import io.deepnets.config.YamlDocuments;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A sweep's folder, {@code <out>/sweeps/<name>/<timestamp>/}: {@code sweep.yaml} (the resolved sweep and its
 * points, written before the first point runs), {@code points/<axis=value,...>/} (one ordinary run folder per
 * point), and what the sweep report writes ({@code sweep.csv}, {@code index.html}, heatmaps). The layout and
 * the reading back live here; the sweep package runs the points, the report package draws them.
 */
public final class SweepFolder {
    public static final String SPEC = "sweep.yaml";
    public static final String POINTS = "points";
    public static final String CSV = "sweep.csv";
    public static final String INDEX = "index.html";

    private SweepFolder() {
    }

    /** Creates {@code <out>/sweeps/<name>/<timestamp>[-n]/}. */
    public static Path create(Path out, String name, LocalDateTime now) throws IOException {
        return RunFolder.create(out.resolve("sweeps"), name, now);
    }

    /** Earlier folders of the sweep {@code name} under {@code out}, newest first. */
    public static List<Path> earlier(Path out, String name) {
        Path parent = out.resolve("sweeps").resolve(name);
        if (!Files.isDirectory(parent)) {
            return List.of();
        }
        try (var dirs = Files.list(parent)) {
            return dirs.filter(SweepFolder::isSweepFolder).sorted(java.util.Comparator.comparing((Path p) -> p.getFileName().toString()).reversed())
                    .toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /**
     * Removes the sweep's folders that hold nothing but a half-written spec (a sweep killed before it wrote
     * {@value #SPEC}); a folder with anything else in it is left alone.
     */
    public static List<Path> removeUnstarted(Path out, String name) {
        Path parent = out.resolve("sweeps").resolve(name);
        List<Path> removed = new java.util.ArrayList<>();
        if (!Files.isDirectory(parent)) {
            return removed;
        }
        try (var dirs = Files.list(parent)) {
            for (Path d : dirs.filter(p -> Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS) && !isSweepFolder(p)).toList()) {
                AtomicFiles.removeLeftovers(d);
                try (var rest = Files.list(d)) {
                    if (rest.findAny().isEmpty()) {
                        Files.delete(d);
                        removed.add(d);
                    }
                }
            }
        } catch (IOException e) {
            // left for the next start
        }
        return removed;
    }

    public static boolean isSweepFolder(Path dir) {
        return Files.isRegularFile(dir.resolve(SPEC));
    }

    /** One axis as the report needs it. */
    public record AxisInfo(String name, boolean logScale) {
    }

    /**
     * One point: its folder, its axis values (as labels, and as numbers where they are numbers) and its run.
     *
     * @param run the point's run folder as read, or null when it has not run
     */
    public record PointRow(String folder, List<String> labels, List<Double> numbers, RunContents run) {
        /** completed, diverged, interrupted or not run. */
        public String status() {
            if (run == null) {
                return "not run";
            }
            if (run.diverged()) {
                return "diverged in epoch " + run.metrics().get("diverged_epoch");
            }
            return run.completed() ? "completed" : "interrupted";
        }

        /**
         * {@code metric} of the run: {@code val_*} from the last epoch, {@code test_*} from the test set,
         * {@code train_*} from the whole training part evaluated after training; null when not available.
         */
        public Double metric(String metric) {
            if (run == null || !run.completed() || run.diverged()) {
                return null;
            }
            return switch (metric) {
                case "val_accuracy" -> run.history().isEmpty() ? null : run.history().get(run.history().size() - 1).valAccuracy();
                case "val_loss" -> run.history().isEmpty() ? null : run.history().get(run.history().size() - 1).valLoss();
                case "train_accuracy" -> run.metric("train_eval_accuracy");
                case "train_loss" -> run.metric("train_eval_loss");
                default -> run.metric(metric);
            };
        }
    }

    /** A sweep folder as read: its name, ranking metric, axes and points in sweep order. */
    public record Contents(Path dir, String name, String description, String metric, List<AxisInfo> axes, List<PointRow> points) {
        public boolean higherIsBetter() {
            return metric.endsWith("accuracy");
        }
    }

    /** Reads {@code dir}; a point whose folder is missing or unreadable is "not run". */
    public static Contents read(Path dir) {
        if (!isSweepFolder(dir)) {
            throw new BadInputException(dir + ": not a sweep folder (no " + SPEC + ")");
        }
        Object root;
        try {
            root = YamlDocuments.parse(YamlDocuments.readFile(dir.resolve(SPEC), "sweep record"));
        } catch (BadInputException e) {
            throw new BadInputException(dir.resolve(SPEC) + ": unreadable (" + e.getMessage() + ")", e);
        }
        Path spec = dir.resolve(SPEC);
        if (!(root instanceof Map<?, ?> m)) {
            throw new BadInputException(spec + ": expected a mapping with name, metric, axes and points, got " + yamlKind(root));
        }
        List<?> axesRaw = listAt(spec, m, "axes");
        List<?> pointsRaw = listAt(spec, m, "points");
        if (!(m.get("metric") instanceof String metric) || !io.deepnets.config.SweepConfig.METRICS.contains(metric)) {
            throw new BadInputException(spec + ": metric: expected one of " + String.join(", ", io.deepnets.config.SweepConfig.METRICS) + ", got "
                    + yamlKind(m.get("metric")));
        }
        List<AxisInfo> axes = new ArrayList<>();
        for (int i = 0; i < axesRaw.size(); i++) {
            if (!(axesRaw.get(i) instanceof Map<?, ?> am) || !(am.get("name") instanceof String axisName)) {
                throw new BadInputException(spec + ": axes[" + i + "]: expected a mapping with a name, got " + yamlKind(axesRaw.get(i)));
            }
            axes.add(new AxisInfo(axisName, Boolean.TRUE.equals(am.get("log_scale"))));
        }
        List<PointRow> points = new ArrayList<>();
        for (int i = 0; i < pointsRaw.size(); i++) {
            Object p = pointsRaw.get(i);
            if (!(p instanceof Map<?, ?> pm) || !(pm.get("folder") instanceof String folder) || !(pm.get("values") instanceof List<?> values)) {
                throw new BadInputException(spec + ": points[" + i + "]: expected a mapping with folder and values, got " + yamlKind(p));
            }
            if (values.size() != axes.size()) {
                throw new BadInputException(spec + ": points[" + i + "].values: expected " + axes.size() + " value" + (axes.size() == 1 ? "" : "s")
                        + " (one per axis), got " + values.size());
            }
            // The folder names one entry of points/: a path that climbs out or goes elsewhere is not read.
            if (folder.isEmpty() || folder.equals(".") || folder.equals("..") || folder.contains("/") || folder.contains("\\")) {
                throw new BadInputException(spec + ": points[" + i + "].folder: expected a folder name inside " + POINTS + "/, got '" + folder + "'");
            }
            List<String> labels = new ArrayList<>();
            List<Double> numbers = new ArrayList<>();
            for (Object v : values) {
                labels.add(io.deepnets.config.SweepConfig.Axis.label(v instanceof Number n && !(v instanceof Integer) && !(v instanceof Long)
                        ? (Object) n.doubleValue() : v));
                numbers.add(v instanceof Number n ? n.doubleValue() : null);
            }
            Path runDir = dir.resolve(POINTS).resolve(folder);
            RunContents run = null;
            if (RunContents.isRunFolder(runDir)) {
                try {
                    run = RunContents.read(runDir);
                } catch (BadInputException e) {
                    run = null;
                }
            }
            points.add(new PointRow(folder, labels, numbers, run));
        }
        return new Contents(dir.toAbsolutePath().normalize(), m.get("name") == null ? dir.getFileName().toString() : String.valueOf(m.get("name")),
                m.get("description") == null ? "" : String.valueOf(m.get("description")), (String) m.get("metric"), axes, points);
    }

    private static List<?> listAt(Path spec, Map<?, ?> m, String key) {
        if (!(m.get(key) instanceof List<?> list)) {
            throw new BadInputException(spec + ": " + key + ": expected a list, got " + yamlKind(m.get(key)));
        }
        return list;
    }

    /** What a YAML value is, in words, for a message about a file of the wrong shape. */
    static String yamlKind(Object value) {
        if (value == null) {
            return "nothing";
        }
        if (value instanceof Map<?, ?>) {
            return "a mapping";
        }
        if (value instanceof List<?>) {
            return "a list";
        }
        String text = String.valueOf(value);
        return "'" + (text.length() > 40 ? text.substring(0, 40) + "..." : text) + "'";
    }
}
