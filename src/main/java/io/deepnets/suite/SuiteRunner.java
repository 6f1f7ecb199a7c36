package io.deepnets.suite;

import io.deepnets.config.ConfigLoader;
import io.deepnets.config.ExperimentConfig;
import io.deepnets.config.SuiteConfig;
import io.deepnets.report.ComparisonReport;
import io.deepnets.run.ExperimentRunner;
import io.deepnets.run.RunRequest;
import io.deepnets.run.RunResult;
import io.deepnets.runs.RunContents;
import io.deepnets.runs.RunFolder;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Runs a suite's experiments in order. An experiment whose latest run in the output folder completed with the
 * same resolved config is skipped (unless forced); one whose latest run with that config was interrupted is
 * resumed from its last checkpoint. Then the comparison page and the band check.
 */
public final class SuiteRunner {
    private final ExperimentRunner runner;
    private final PrintStream out;

    public SuiteRunner(ExperimentRunner runner, PrintStream out) {
        this.runner = runner;
        this.out = out;
    }

    public SuiteResult run(SuiteConfig suite, Path outDir, boolean force, List<String> globalOverrides, Path dataDir) {
        List<SuiteResult.Row> rows = new ArrayList<>();
        List<RunContents> runs = new ArrayList<>();
        int n = 0;
        for (SuiteConfig.Entry entry : suite.experiments()) {
            n++;
            List<String> overrides = new ArrayList<>(entry.overrides());
            overrides.addAll(globalOverrides);
            ExperimentConfig config = ConfigLoader.load(entry.config(), overrides);
            String yaml = ConfigLoader.toYaml(config);
            Optional<Path> latest = latestRun(outDir.resolve(config.folderName())).filter(dir -> sameConfig(dir, yaml));
            out.printf("%n[%d/%d] %s%n", n, suite.experiments().size(), config.name());
            Path runDir;
            String how;
            if (latest.isPresent() && !force && Files.isRegularFile(latest.get().resolve(RunFolder.METRICS))) {
                runDir = latest.get();
                how = "skipped: done in " + runDir.getFileName();
                out.println("up to date: " + runDir + " (use --force to run again)");
            } else if (latest.isPresent() && !force) {
                runDir = runner.resume(latest.get(), dataDir).runDir();
                how = "resumed";
            } else {
                RunResult r = runner.run(new RunRequest(entry.config(), overrides, dataDir, outDir));
                runDir = r.runDir();
                how = "ran";
            }
            RunContents contents = RunContents.read(runDir);
            runs.add(contents);
            double got = contents.metric("test_accuracy");
            rows.add(new SuiteResult.Row(config.name(), entry.reference(), entry.band(), got, entry.accepts(got), how, runDir));
        }
        try {
            Path index = ComparisonReport.write(outDir, runs, runs);
            return new SuiteResult(rows, index);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the comparison report: " + e.getMessage(), e);
        }
    }

    static Optional<Path> latestRun(Path experimentDir) {
        if (!Files.isDirectory(experimentDir)) {
            return Optional.empty();
        }
        try (Stream<Path> dirs = Files.list(experimentDir)) {
            return dirs.filter(Files::isDirectory).filter(RunContents::isRunFolder).max(Comparator.comparing(p -> p.getFileName().toString()));
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
