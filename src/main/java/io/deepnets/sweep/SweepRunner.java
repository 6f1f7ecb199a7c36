package io.deepnets.sweep;

import io.deepnets.config.ConfigLoader;
import io.deepnets.runs.AtomicFiles;
import io.deepnets.runs.RunFolder;
import io.deepnets.runs.SweepFolder;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Runs a checked {@link SweepPlan}: finds the folder of an earlier run of the same sweep (same resolved sweep
 * and points) or makes a new one, skips points already complete, hands the others to the engine (which resumes
 * interrupted ones from their checkpoints), prints progress, and has the report drawn. Ctrl-C loses at most the
 * points in progress: they resume from their last epoch next time.
 */
public final class SweepRunner {
    private final PrintStream out;
    private final Function<Path, PointEngine> engine;
    private final SweepReporter reporter;

    /**
     * @param engine the engine for a sweep folder (it may keep logs there)
     * @param reporter draws sweep.csv, index.html and the figures
     */
    public SweepRunner(PrintStream out, Function<Path, PointEngine> engine, SweepReporter reporter) {
        this.out = out;
        this.engine = engine;
        this.reporter = reporter;
    }

    /** Draws a sweep folder's report. */
    public interface SweepReporter {
        Path write(SweepFolder.Contents contents) throws IOException;
    }

    public SweepResult run(SweepPlan plan, Path outDir, Path dataDir, boolean force) {
        long start = System.nanoTime();
        String spec = specYaml(plan);
        Path dir = force ? null : SweepFolder.earlier(outDir, plan.sweep().name()).stream().filter(d -> sameSpec(d, spec)).findFirst().orElse(null);
        try {
            if (dir == null) {
                for (Path empty : SweepFolder.removeUnstarted(outDir, plan.sweep().name())) {
                    out.println("removed " + empty + " (a sweep stopped before it wrote " + SweepFolder.SPEC + ")");
                }
                dir = SweepFolder.create(outDir, plan.sweep().name(), LocalDateTime.now());
                AtomicFiles.writeString(dir.resolve(SweepFolder.SPEC), spec);
                out.println("sweep folder: " + dir);
            } else {
                out.println("continuing the sweep in " + dir + " (same sweep; --force starts a new one)");
                for (Path leftover : AtomicFiles.removeLeftovers(dir)) {
                    out.println("removed " + leftover + " (half-written when the sweep was stopped)");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the sweep folder in " + outDir + ": " + io.deepnets.FailureText.describe(e), e);
        }
        Path points = dir.resolve(SweepFolder.POINTS);
        List<PointTask> tasks = new ArrayList<>();
        int complete = 0;
        for (int i = 0; i < plan.points().size(); i++) {
            String folder = plan.points().get(i).folderName();
            Path runDir = points.resolve(folder).toAbsolutePath();
            if (Files.isRegularFile(runDir.resolve(RunFolder.METRICS))) {
                complete++;
                continue;
            }
            for (Path leftover : RunFolder.removeLeftovers(runDir)) {
                out.println("removed " + leftover + " (half-written when the sweep was stopped)");
            }
            tasks.add(new PointTask(i, folder, ConfigLoader.toYaml(plan.configs().get(i)), runDir.toString(),
                    dataDir == null ? null : dataDir.toAbsolutePath().toString()));
        }
        PointEngine e = engine.apply(dir);
        int total = plan.points().size();
        out.printf(Locale.ROOT, "%d points: %d complete, %d to run on %s%n", total, complete, tasks.size(), e.describe());
        List<PointOutcome> failed = new ArrayList<>();
        int[] finished = {complete};
        e.run(tasks, outcome -> {
            finished[0]++;
            if (outcome.failed()) {
                failed.add(outcome);
            }
            out.printf(Locale.ROOT, "[%d/%d] %s: %s%s (%.1f s)%n", finished[0], total, outcome.folder(), outcome.status(),
                    outcome.message() == null ? "" : ": " + outcome.message(), outcome.seconds());
        });
        SweepFolder.Contents contents = SweepFolder.read(dir);
        Path page;
        try {
            page = reporter.write(contents);
        } catch (IOException ex) {
            throw new UncheckedIOException("the points are saved in " + dir + ", but the sweep report could not be written: " + io.deepnets.FailureText.describe(ex), ex);
        }
        return new SweepResult(dir, contents, tasks.size(), failed, (System.nanoTime() - start) / 1e9, page);
    }

    /** The resolved sweep and its points, as written to sweep.yaml; equal text means the same sweep. */
    static String specYaml(SweepPlan plan) {
        Map<String, Object> m = new LinkedHashMap<>(plan.sweep().toMap());
        List<Map<String, Object>> points = new ArrayList<>();
        for (int i = 0; i < plan.points().size(); i++) {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("folder", plan.points().get(i).folderName());
            p.put("values", plan.points().get(i).values());
            points.add(p);
        }
        m.put("points", points);
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        options.setWidth(120);
        return new Yaml(options).dump(m);
    }

    private static boolean sameSpec(Path dir, String spec) {
        try {
            return spec.equals(Files.readString(dir.resolve(SweepFolder.SPEC)));
        } catch (IOException e) {
            return false;
        }
    }
}
