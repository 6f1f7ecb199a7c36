package io.deepnets.serve;

import io.deepnets.config.YamlDocuments;
import io.deepnets.runs.EpochResult;
import io.deepnets.runs.HistoryCsv;
import io.deepnets.runs.MetricsJson;
import io.deepnets.runs.ProgressFile;
import io.deepnets.runs.RunFolder;
import io.deepnets.runs.SweepFolder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The run and sweep folders under the served directories, re-read when their files change: a folder is read again
 * only when the size or time of its {@code config.yaml}, {@code history.csv}, {@code metrics.json} or {@code
 * progress.json} changed, and the whole tree is looked over at most once a second, so a thousand runs cost a thousand
 * directory listings, not a thousand parses.
 */
public final class RunCatalog {
    /** How deep run folders are looked for: {@code sweeps/<name>/<stamp>/points/<point>} is five below the root. */
    static final int DEPTH = 6;
    /** A progress file this old no longer counts as a live run (a training process writes it every few seconds). */
    static final long STALE_MILLIS = 10 * 60_000L;
    /** A progress file written by another machine counts as live this long (its process cannot be checked). */
    static final long REMOTE_LIVE_MILLIS = 90_000L;
    private static final Pattern TOTAL_PARAMS = Pattern.compile("Total params: ([0-9,]+)");
    private static final String HOST = ProgressFile.hostName();

    private final List<Path> roots;
    private final Map<Path, Cached> cache = new HashMap<>();
    private volatile Snapshot snapshot = new Snapshot(List.of(), List.of(), 0);
    private long lastScan;

    /**
     * One run as the runs table shows it.
     *
     * @param id the run's id in the API (stable for its folder)
     * @param folder the folder relative to its root (with the root's name first when several roots are served)
     * @param status {@code training}, {@code finished}, {@code interrupted} or {@code diverged}
     * @param epochs epochs completed
     * @param progress the run's progress.json as of this look (null when it has none)
     */
    public record RunEntry(String id, String folder, Path dir, String experiment, String dataset, String started, String status, int epochs,
            Integer plannedEpochs, Long params, Double accuracy, Double valAccuracy, Double loss, Double valLoss, Double testAccuracy,
            Double testLoss, Double secondsPerEpoch, String sweep, ProgressFile.Progress progress, long signature) {

        Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", id);
            m.put("experiment", experiment);
            m.put("folder", folder);
            m.put("dataset", dataset);
            m.put("started", started);
            m.put("status", status);
            m.put("epochs", epochs);
            m.put("planned_epochs", plannedEpochs);
            m.put("params", params);
            m.put("accuracy", accuracy);
            m.put("val_accuracy", valAccuracy);
            m.put("loss", loss);
            m.put("val_loss", valLoss);
            m.put("test_accuracy", testAccuracy);
            m.put("test_loss", testLoss);
            m.put("seconds_per_epoch", secondsPerEpoch);
            m.put("sweep", sweep);
            return m;
        }
    }

    /** One sweep folder. */
    public record SweepEntry(String id, String folder, Path dir, String name) {
    }

    /**
     * What the catalog held at one look.
     *
     * @param version a digest of every run's files and status and of the folders found: it changes when any of them does
     */
    public record Snapshot(List<RunEntry> runs, List<SweepEntry> sweeps, long version) {
    }

    private record Cached(long signature, RunEntry entry) {
    }

    /** Over {@code roots} (folders; their real paths are used). */
    public RunCatalog(List<Path> roots) {
        this.roots = roots.stream().map(p -> {
            try {
                return p.toRealPath();
            } catch (IOException e) {
                return p.toAbsolutePath().normalize();
            }
        }).toList();
    }

    /** The folders as of at most a second ago. */
    public synchronized Snapshot snapshot() {
        long now = System.currentTimeMillis();
        if (now - lastScan >= 1000 || lastScan == 0) {
            lastScan = now;
            scan();
        }
        return snapshot;
    }

    public RunEntry run(String id) {
        return snapshot().runs().stream().filter(r -> r.id().equals(id)).findFirst().orElse(null);
    }

    public SweepEntry sweep(String id) {
        return snapshot().sweeps().stream().filter(s -> s.id().equals(id)).findFirst().orElse(null);
    }

    /** The root {@code dir} lies under. */
    public Path rootOf(Path dir) {
        return roots.stream().filter(dir::startsWith).findFirst().orElse(null);
    }

    private void scan() {
        List<RunEntry> runs = new ArrayList<>();
        List<SweepEntry> sweeps = new ArrayList<>();
        Map<Path, Cached> seen = new HashMap<>();
        for (int r = 0; r < roots.size(); r++) {
            walk(r, roots.get(r), 0, null, runs, sweeps, seen);
        }
        // A run's files or its status (a training process that died changes no file) or the set of folders changed.
        long version = runs.stream().mapToLong(r -> r.signature() * 31 + r.status().hashCode()).sum() * 31 + runs.size() + sweeps.size() * 7919L;
        cache.clear();
        cache.putAll(seen);
        runs.sort((a, b) -> b.started().compareTo(a.started()));
        snapshot = new Snapshot(List.copyOf(runs), List.copyOf(sweeps), version);
    }

    private void walk(int root, Path dir, int depth, String sweep, List<RunEntry> runs, List<SweepEntry> sweeps, Map<Path, Cached> seen) {
        if (Files.isRegularFile(dir.resolve(RunFolder.CONFIG), LinkOption.NOFOLLOW_LINKS)
                || Files.isRegularFile(dir.resolve(RunFolder.HISTORY), LinkOption.NOFOLLOW_LINKS)) {
            runs.add(entry(root, dir, sweep, seen));
            return;                                   // activations/ and checkpoint/ hold no runs
        }
        String inSweep = sweep;
        if (SweepFolder.isSweepFolder(dir)) {
            SweepEntry s = new SweepEntry(id(root, dir), relative(root, dir), dir, dir.getParent() == null ? "" : dir.getParent().getFileName().toString());
            sweeps.add(s);
            inSweep = s.id();
        }
        if (depth >= DEPTH) {
            return;
        }
        try (var list = Files.list(dir)) {
            for (Path child : list.sorted().toList()) {
                // Links are not followed: one leading out of the served folder would expose what lies there.
                if (Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS) && !child.getFileName().toString().startsWith(".")) {
                    walk(root, child, depth + 1, inSweep, runs, sweeps, seen);
                }
            }
        } catch (IOException e) {
            // unreadable: nothing listed from it
        }
    }

    private static long stamp(Path file) {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return a.lastModifiedTime().toMillis() * 1_000_003L + a.size();
        } catch (IOException e) {
            return 0;
        }
    }

    private RunEntry entry(int root, Path dir, String sweep, Map<Path, Cached> seen) {
        long signature = 17;
        for (String f : List.of(RunFolder.CONFIG, RunFolder.HISTORY, RunFolder.METRICS, ProgressFile.NAME)) {
            signature = signature * 1_000_000_007L + stamp(dir.resolve(f));
        }
        Cached old = cache.get(dir);
        if (old != null && old.signature() == signature && !"training".equals(old.entry().status())) {
            seen.put(dir, old);
            return old.entry();
        }
        RunEntry e = read(root, dir, sweep, signature, ProgressFile.read(dir));
        seen.put(dir, new Cached(signature, e));
        return e;
    }

    @SuppressWarnings("unchecked")
    private RunEntry read(int root, Path dir, String sweep, long signature, ProgressFile.Progress progress) {
        Map<String, Object> metrics = null;
        try {
            if (Files.isRegularFile(dir.resolve(RunFolder.METRICS))) {
                metrics = MetricsJson.read(dir.resolve(RunFolder.METRICS));
            }
        } catch (IOException e) {
            metrics = null;
        }
        List<EpochResult> history = List.of();
        try {
            if (Files.isRegularFile(dir.resolve(RunFolder.HISTORY))) {
                history = HistoryCsv.read(dir.resolve(RunFolder.HISTORY));
            }
        } catch (IOException | RuntimeException e) {
            history = List.of();
        }
        String experiment = dir.getParent() == null ? dir.getFileName().toString() : dir.getParent().getFileName().toString();
        String dataset = null;
        Integer planned = null;
        try {
            Object yaml = YamlDocuments.parse(Files.readString(dir.resolve(RunFolder.CONFIG), StandardCharsets.UTF_8));
            if (yaml instanceof Map<?, ?> m) {
                if (m.get("name") != null) {
                    experiment = m.get("name").toString();
                }
                if (m.get("data") instanceof Map<?, ?> d && d.get("dataset") != null) {
                    dataset = d.get("dataset").toString();
                }
                if (m.get("training") instanceof Map<?, ?> t && t.get("epochs") instanceof Number n) {
                    planned = n.intValue();
                    if (t.get("fine_tune") instanceof Map<?, ?> ft && ft.get("epochs") instanceof Number more) {
                        planned += more.intValue();
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // a run without a readable config is still listed, by its folder
        }
        Long params = null;
        if (metrics != null && metrics.get("params") instanceof Number n) {
            params = n.longValue();
        } else {
            try {
                Matcher m = TOTAL_PARAMS.matcher(Files.readString(dir.resolve(RunFolder.SUMMARY)));
                if (m.find()) {
                    params = Long.parseLong(m.group(1).replace(",", ""));
                }
            } catch (IOException | RuntimeException e) {
                params = null;
            }
        }
        if (metrics != null && metrics.get("experiment") != null) {
            experiment = metrics.get("experiment").toString();
        }
        if (metrics != null && metrics.get("dataset") != null) {
            dataset = metrics.get("dataset").toString();
        }
        String status;
        if (metrics != null) {
            status = "diverged".equals(metrics.get("status")) ? "diverged" : "finished";
        } else {
            status = live(progress) ? "training" : "interrupted";
        }
        EpochResult last = history.isEmpty() ? null : history.get(history.size() - 1);
        Double secondsPerEpoch = history.isEmpty() ? null : history.stream().mapToDouble(EpochResult::epochSeconds).average().orElse(Double.NaN);
        return new RunEntry(id(root, dir), relative(root, dir), dir, experiment, dataset, startedOf(dir), status, history.size(), planned, params,
                last == null ? null : last.accuracy(), last == null ? null : last.valAccuracy(), last == null ? null : last.loss(),
                last == null ? null : last.valLoss(), number(metrics, "test_accuracy"), number(metrics, "test_loss"), secondsPerEpoch, sweep,
                progress, signature);
    }

    /** Whether the process that wrote {@code progress} is still training: alive on this machine, or heard from lately elsewhere. */
    static boolean live(ProgressFile.Progress progress) {
        if (progress == null) {
            return false;
        }
        long age = System.currentTimeMillis() - progress.updatedMillis();
        if (!HOST.equals(progress.host())) {
            return age < REMOTE_LIVE_MILLIS;
        }
        return age < STALE_MILLIS && ProcessHandle.of(progress.pid()).map(ProcessHandle::isAlive).orElse(false);
    }

    private static String startedOf(Path dir) {
        String name = dir.getFileName().toString();
        if (name.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d-\\d\\d-\\d\\d.*")) {
            return name.substring(0, 10) + " " + name.substring(11, 13) + ":" + name.substring(14, 16) + ":" + name.substring(17, 19);
        }
        try {
            return java.time.Instant.ofEpochMilli(Files.getLastModifiedTime(dir).toMillis()).toString().substring(0, 19).replace('T', ' ');
        } catch (IOException e) {
            return "";
        }
    }

    private static Double number(Map<String, Object> m, String key) {
        return m != null && m.get(key) instanceof Number n ? n.doubleValue() : null;
    }

    private String relative(int root, Path dir) {
        String rel = roots.get(root).relativize(dir).toString().replace('\\', '/');
        return roots.size() == 1 ? rel : roots.get(root).getFileName() + "/" + rel;
    }

    /** The folder's id: 16 hex digits of the SHA-256 of its root's number and its path below the root (stable, URL-safe). */
    private String id(int root, Path dir) {
        return shortId(root, roots.get(root).relativize(dir));
    }

    private static String shortId(int root, Path dir) {
        try {
            byte[] h = java.security.MessageDigest.getInstance("SHA-256").digest((root + ":" + dir).getBytes(StandardCharsets.UTF_8));
            StringBuilder s = new StringBuilder();
            for (int i = 0; i < 8; i++) {
                s.append(String.format("%02x", h[i]));
            }
            return s.toString();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
