package io.deepnets.cli;

import io.deepnets.config.SweepConfig;
import io.deepnets.report.SweepReport;
import io.deepnets.runs.OutputTargets;
import io.deepnets.sweep.LocalEngine;
import io.deepnets.sweep.PointOutcome;
import io.deepnets.sweep.SparkEngine;
import io.deepnets.sweep.SweepPlan;
import io.deepnets.sweep.SweepResult;
import io.deepnets.sweep.SweepRunner;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code deepnets sweep}: every point of a grid or random search, each an ordinary run folder, and the sweep's report. */
@Command(name = "sweep", mixinStandardHelpOptions = true,
        description = {"Run every point of a hyper-parameter sweep (grid or random) as ordinary run folders under <out>/sweeps/<name>/<time>/,",
                "then sweep.csv, heatmaps and index.html. Points already complete in the same sweep are skipped, interrupted ones resumed."})
final class SweepCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SWEEP", description = "The sweep YAML, e.g. experiments/digits-grid.yaml.")
    Path sweep;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "reports", description = "Where the sweep folder goes (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--jobs", paramLabel = "N", description = "Points at a time, each in a worker process of its own (default: "
            + "2 on a machine with 2 or more cores, measured fastest here; 1 runs them in this process).")
    Integer jobs;

    @Mixin
    SparkOption spark;

    @Option(names = "--set", paramLabel = "KEY.PATH=VALUE", description = "Override a value in every point (e.g. training.epochs=20). Repeatable.")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--force", description = "Start a new sweep folder even when an earlier run of the same sweep exists.")
    boolean force;

    @Mixin
    DataDirOption data;

    @Mixin
    DebugOption debug;

    @Override
    public Integer call() {
        if (jobs != null && (jobs < 1 || jobs > 64)) {
            throw new io.deepnets.BadInputException("--jobs: expected 1 to 64 points at a time, got " + jobs);
        }
        OutputTargets.checkFolder(out, "--out");
        io.deepnets.config.ConfigLoader.refuseRepeatedKeys(overrides, java.util.Map.of());
        if (spark.requested() && jobs != null) {
            throw new io.deepnets.BadInputException("--jobs: not with --spark (the Spark master sets the parallelism, e.g. local[2])");
        }
        SparkEngine sparkEngine = spark.engine();
        SweepPlan plan = SweepPlan.of(SweepConfig.load(sweep, overrides), sweep);
        int n = jobs != null ? jobs : defaultJobs();
        SweepRunner runner = new SweepRunner(System.out, dir -> sparkEngine != null ? sparkEngine
                : new LocalEngine(n, Runners::silent, dir.resolve("workers")), SweepReport::write);
        SweepResult result = runner.run(plan, out, data.dataDir, force);
        System.out.println();
        System.out.printf(Locale.ROOT, "%d points (%d run now) in %.1f s; %s%n", result.contents().points().size(), result.ran(), result.seconds(),
                result.failed().isEmpty() ? "none failed" : result.failed().size() + " failed");
        for (PointOutcome f : result.failed()) {
            System.out.println("  failed: " + f.folder() + ": " + f.message());
        }
        System.out.println("sweep report: " + result.page());
        return result.failed().isEmpty() ? Main.OK : Main.FAILURE;
    }

    /** Two single-threaded workers measured faster than one two-threaded process for small networks (README, "Sweeps"). */
    static int defaultJobs() {
        return Runtime.getRuntime().availableProcessors() >= 2 ? 2 : 1;
    }
}
