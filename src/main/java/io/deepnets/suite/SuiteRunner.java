package io.deepnets.suite;

import io.deepnets.BadInputException;
import io.deepnets.config.ConfigLoader;
import io.deepnets.config.DataConfig;
import io.deepnets.config.ExperimentConfig;
import io.deepnets.config.SuiteConfig;
import io.deepnets.data.DataSources;
import io.deepnets.data.DatasetLoader;
import io.deepnets.model.BuildInfo;
import io.deepnets.model.MemoryBudget;
import io.deepnets.report.ComparisonReport;
import io.deepnets.run.ExperimentRunner;
import io.deepnets.run.RunRequest;
import io.deepnets.run.RunResult;
import io.deepnets.runs.RunContents;
import io.deepnets.runs.RunFolder;
import io.deepnets.sweep.PointEngine;
import io.deepnets.sweep.PointOutcome;
import io.deepnets.sweep.PointTask;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Runs a suite's experiments in order, after checking all of them. An experiment whose latest run in the output
 * folder completed with the same resolved config, the same deepnets version and data files with the same
 * checksums is skipped (unless forced), saying why; one whose latest run with that config was interrupted is
 * resumed from its last checkpoint. Then the comparison page and the band check.
 */
public final class SuiteRunner {
    private final ExperimentRunner runner;
    private final PrintStream out;
    private final Map<String, String> env;
    private final PointEngine engine;

    public SuiteRunner(ExperimentRunner runner, PrintStream out) {
        this(runner, out, System.getenv());
    }

    /** {@code env} is where {@code DEEPNETS_DATA} is looked up when completed runs are checked against the data. */
    public SuiteRunner(ExperimentRunner runner, PrintStream out, Map<String, String> env) {
        this(runner, out, env, null);
    }

    /** With {@code engine}, the experiments to run are handed to it (e.g. Spark) instead of running here one by one. */
    public SuiteRunner(ExperimentRunner runner, PrintStream out, Map<String, String> env, PointEngine engine) {
        this.runner = runner;
        this.out = out;
        this.env = env;
        this.engine = engine;
    }

    public SuiteResult run(SuiteConfig suite, Path outDir, boolean force, List<String> globalOverrides, Path dataDir) {
        // Every experiment is loaded and checked before the first one runs: nothing trains or writes on bad input.
        List<ExperimentConfig> configs = new ArrayList<>();
        List<List<String>> allOverrides = new ArrayList<>();
        for (int i = 0; i < suite.experiments().size(); i++) {
            SuiteConfig.Entry entry = suite.experiments().get(i);
            List<String> overrides = new ArrayList<>(entry.overrides());
            overrides.addAll(globalOverrides);
            try {
                ExperimentConfig config = ConfigLoader.load(entry.config(), overrides);
                MemoryBudget.check(entry.config().toString(), config);
                configs.add(config);
            } catch (BadInputException e) {
                throw new BadInputException("suite " + suite.name() + ", experiments[" + i + "]: " + e.getMessage(), e);
            }
            allOverrides.add(overrides);
        }
        Path[] runDirs = new Path[configs.size()];
        String[] hows = new String[configs.size()];
        List<PointTask> tasks = new ArrayList<>();
        Map<DataConfig, Map<String, String>> checksums = new HashMap<>();
        for (int n = 0; n < configs.size(); n++) {
            SuiteConfig.Entry entry = suite.experiments().get(n);
            ExperimentConfig config = configs.get(n);
            String yaml = ConfigLoader.toYaml(config);
            Optional<Path> latest = latestRun(outDir.resolve(config.folderName())).filter(dir -> sameConfig(dir, yaml));
            out.printf("%n[%d/%d] %s%n", n + 1, suite.experiments().size(), config.name());
            Path runDir;
            String how;
            String reuse = latest.isPresent() && !force && Files.isRegularFile(latest.get().resolve(RunFolder.METRICS))
                    ? whyNotReusable(latest.get(), config, entry.config(), dataDir, checksums) : "no completed run with this config";
            if (reuse == null) {
                runDir = latest.get();
                how = "skipped: done in " + runDir.getFileName();
                out.println("up to date: " + runDir + " (same config, data files and deepnets version; use --force to run again)");
            } else if (latest.isPresent() && !force && !Files.isRegularFile(latest.get().resolve(RunFolder.METRICS))) {
                runDir = runner.resume(latest.get(), dataDir).runDir();
                how = "resumed";
            } else {
                if (latest.isPresent() && !force) {
                    out.println("running again: " + reuse);
                }
                if (engine != null) {
                    try {
                        // The empty folder stays as the reservation: two experiments of one name in the same second get
                        // two folders, not one (the engine trains into it, or replaces it with the point's folder).
                        runDir = RunFolder.create(outDir, config.folderName(), java.time.LocalDateTime.now());
                    } catch (IOException e) {
                        throw new UncheckedIOException("cannot create a run folder in " + outDir + ": " + io.deepnets.FailureText.describe(e), e);
                    }
                    tasks.add(new PointTask(n, config.name(), yaml, runDir.toAbsolutePath().toString(),
                            dataDir == null ? null : dataDir.toAbsolutePath().toString(), false));
                    how = "ran on " + engine.describe();
                } else {
                    RunResult r = runner.run(new RunRequest(entry.config(), allOverrides.get(n), dataDir, outDir));
                    runDir = r.runDir();
                    how = "ran";
                }
            }
            runDirs[n] = runDir;
            hows[n] = how;
        }
        if (!tasks.isEmpty()) {
            out.printf("%n%d experiment(s) on %s%n", tasks.size(), engine.describe());
            List<PointOutcome> failed = new ArrayList<>();
            engine.run(tasks, o -> {
                out.println(o.folder() + ": " + o.status() + (o.message() == null ? "" : ": " + o.message()));
                if (o.failed()) {
                    failed.add(o);
                }
            });
            if (!failed.isEmpty()) {
                throw new io.deepnets.CommandFailure(failed.size() + " experiment(s) failed on " + engine.describe() + ": " + failed.get(0).folder() + ": "
                        + failed.get(0).message());
            }
        }
        List<SuiteResult.Row> rows = new ArrayList<>();
        List<RunContents> runs = new ArrayList<>();
        for (int n = 0; n < configs.size(); n++) {
            SuiteConfig.Entry entry = suite.experiments().get(n);
            RunContents contents = RunContents.read(runDirs[n]);
            runs.add(contents);
            // A reference is a one-view figure (Keras's evaluate): with data.test_time_augment the image alone's is compared.
            Double accuracy = contents.metric("single_view_test_accuracy") != null ? contents.metric("single_view_test_accuracy")
                    : contents.metric("test_accuracy");
            double got = accuracy == null ? Double.NaN : accuracy;
            rows.add(new SuiteResult.Row(configs.get(n).name(), entry.reference(), entry.band(), got, entry.accepts(got), hows[n], runDirs[n]));
        }
        try {
            for (Path leftover : io.deepnets.runs.AtomicFiles.removeLeftovers(outDir)) {
                out.println("removed " + leftover + " (half-written when the suite was stopped)");
            }
            Path index = ComparisonReport.write(outDir, runs, runs);
            return new SuiteResult(rows, index);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the comparison report: " + io.deepnets.FailureText.describe(e), e);
        }
    }

    /**
     * Null when the completed run in {@code runDir} may stand for {@code config}: same resolved config (already
     * checked), made by this deepnets version, from data files with the same SHA-256 as those found now.
     * Otherwise why it must run again.
     */
    private String whyNotReusable(Path runDir, ExperimentConfig config, Path configFile, Path dataDir, Map<DataConfig, Map<String, String>> cache) {
        RunContents done = RunContents.read(runDir);
        Object provenance = done.metrics().get("provenance");
        if (!(provenance instanceof Map<?, ?> p)) {
            return runDir + " records no provenance";
        }
        String version = BuildInfo.get("deepnets.version");
        if (!version.equals(p.get("deepnets_version"))) {
            return runDir + " was made by deepnets " + p.get("deepnets_version") + ", this is " + version;
        }
        Map<String, String> now;
        try {
            now = cache.computeIfAbsent(config.data(), d -> DatasetLoader.forConfig(d, dataDir, env, DataSources.canonical(), out).checksums());
        } catch (io.deepnets.data.DataException e) {
            throw e.inConfig(configFile);
        }
        Object then = p.get("data_files");
        if (!(then instanceof Map<?, ?> before) || !before.values().stream().map(String::valueOf).collect(java.util.stream.Collectors.toCollection(
                java.util.TreeSet::new)).equals(new java.util.TreeSet<>(now.values()))) {
            return "the data files differ from those " + runDir + " was trained on (SHA-256)";
        }
        return null;
    }

    static Optional<Path> latestRun(Path experimentDir) {
        if (!Files.isDirectory(experimentDir)) {
            return Optional.empty();
        }
        try (Stream<Path> dirs = Files.list(experimentDir)) {
            // Only real folders: a "latest" link would sort after every timestamp and stand for whatever it points at.
            return dirs.filter(p -> Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)).filter(RunContents::isRunFolder)
                    .max(Comparator.comparing(p -> p.getFileName().toString()));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static boolean sameConfig(Path runDir, String resolvedYaml) {
        try {
            return resolvedYaml.equals(Files.readString(runDir.resolve(RunFolder.CONFIG)));
        } catch (IOException e) {
            return false;
        }
    }
}
