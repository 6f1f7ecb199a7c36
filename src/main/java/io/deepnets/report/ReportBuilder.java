package io.deepnets.report;

import io.deepnets.BadInputException;
import io.deepnets.config.ExperimentConfig;
import io.deepnets.data.DataSources;
import io.deepnets.data.DatasetLoader;
import io.deepnets.data.LoadedDataset;
import io.deepnets.data.SplitDataset;
import io.deepnets.runs.RunContents;
import io.deepnets.runs.RunFolder;
import io.deepnets.runs.SweepFolder;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/** {@code deepnets report}: rebuilds one run's report, or compares the runs found under folders. */
public final class ReportBuilder {
    private final Path dataDir;
    private final Map<String, String> env;
    private final PrintStream progress;

    public ReportBuilder(Path dataDir, Map<String, String> env, PrintStream progress) {
        this.dataDir = dataDir;
        this.env = env;
        this.progress = progress;
    }

    /** What was written. */
    public record Written(Path page, int runs) {
    }

    /**
     * One run folder: its report is rebuilt (the gallery from the test images, when the dataset can be found).
     * Anything else: every run folder under the paths is compared in {@code out} (default: the first path).
     */
    public Written build(List<Path> paths, Path out) {
        try {
            if (paths.size() == 1 && (SweepFolder.isSweepFolder(paths.get(0)) || RunContents.isRunFolder(paths.get(0)))) {
                String what = SweepFolder.isSweepFolder(paths.get(0)) ? "sweep" : "run";
                if (out != null) {
                    throw new BadInputException("--out " + out + ": a " + what + "'s report is written into its own folder, "
                            + paths.get(0) + "; leave --out out");
                }
                io.deepnets.runs.OutputTargets.checkWritable(paths.get(0), "the " + what + " folder");
            }
            if (paths.size() == 1 && SweepFolder.isSweepFolder(paths.get(0))) {
                SweepFolder.Contents sweep = SweepFolder.read(paths.get(0));
                return new Written(SweepReport.write(sweep), sweep.points().size());
            }
            if (paths.size() == 1 && RunContents.isRunFolder(paths.get(0))) {
                RunContents run = RunContents.read(paths.get(0));
                return new Written(rebuild(run), 1);
            }
            if (out == null && (RunContents.isRunFolder(paths.get(0)) || SweepFolder.isSweepFolder(paths.get(0)))) {
                // The comparison's index.html would go into the current folder, or replace a sweep's own page.
                throw new BadInputException("--out: comparing several folders needs --out DIR for the comparison's index.html ("
                        + paths.get(0) + " is a " + (SweepFolder.isSweepFolder(paths.get(0)) ? "sweep" : "run") + " folder with a page of its own)");
            }
            List<RunContents> runs = new ArrayList<>();
            boolean named = true;
            for (Path p : paths) {
                if (!Files.isDirectory(p)) {
                    throw new BadInputException(p + ": no such folder");
                }
                if (RunContents.isRunFolder(p)) {
                    runs.add(RunContents.read(p));
                } else {
                    named = false;
                    List<Path> found = findRunFolders(p);
                    if (found.isEmpty()) {
                        throw new BadInputException(p + ": no deepnets run folders in it (expected <name>/<timestamp>/ folders with "
                                + RunFolder.HISTORY + ")");
                    }
                    for (Path f : found) {
                        runs.add(RunContents.read(f));
                    }
                }
            }
            Path target = out != null ? out : paths.get(0);
            List<RunContents> plotted = named ? runs : ComparisonReport.latestPerExperiment(runs);
            for (Path leftover : io.deepnets.runs.AtomicFiles.removeLeftovers(target)) {
                progress.println("removed " + leftover + " (half-written when a report was stopped)");
            }
            return new Written(ComparisonReport.write(target, runs, plotted), runs.size());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the report: " + io.deepnets.FailureText.describe(e), e);
        }
    }

    /** Run folders at most three levels under {@code root} ({@code root/name/timestamp} is the usual layout). */
    static List<Path> findRunFolders(Path root) throws IOException {
        Set<Path> found = new LinkedHashSet<>();
        try (Stream<Path> walk = Files.walk(root, 3)) {
            // Links are not followed: reports/latest -> mnist-cnn/<stamp> would list that run twice.
            walk.filter(p -> Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)).filter(RunContents::isRunFolder).sorted()
                    .forEach(found::add);
        }
        return new ArrayList<>(found);
    }

    private Path rebuild(RunContents run) throws IOException {
        RunReport.TestImages images = null;
        String note = null;
        if (run.configYaml() != null && run.config() == null) {
            note = "The gallery was not rebuilt: config.yaml is not a valid experiment config.";
        } else if (run.config() != null && run.predictions() != null) {
            try {
                ExperimentConfig config = run.config();
                LoadedDataset loaded = DatasetLoader.forConfig(config.data(), dataDir, env, DataSources.canonical(), progress);
                SplitDataset data = SplitDataset.of(loaded, config.data());
                images = new RunReport.TestImages(data.test(), data.shape());
            } catch (BadInputException e) {
                note = "The gallery was not rebuilt: the test images could not be loaded (" + e.getMessage() + ").";
            }
        } else if (run.predictions() == null) {
            note = "No gallery: predictions.csv is missing (the run did not finish).";
        }
        return RunReport.write(run, images, note);
    }
}
