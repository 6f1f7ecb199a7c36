package io.deepnets.cli;

import io.deepnets.config.SuiteConfig;
import io.deepnets.run.ExperimentRunner;
import io.deepnets.suite.SuiteResult;
import io.deepnets.suite.SuiteRunner;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code deepnets suite}: run every experiment of a suite and check its test accuracy against its band. */
@Command(name = "suite", mixinStandardHelpOptions = true,
        description = {"Run a suite's experiments and check each test accuracy against its band (exit 1 if any is outside).",
                "Experiments already done with the same config are skipped, interrupted ones resumed; then the comparison page and the table",
                "experiment | reference | band | got | status."})
final class SuiteCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SUITE", description = "The suite YAML, e.g. experiments/assignment.yaml.")
    Path suite;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "reports", description = "Where run folders and index.html go (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--force", description = "Run every experiment again, even when a completed run with the same config exists.")
    boolean force;

    @Option(names = "--set", paramLabel = "KEY.PATH=VALUE", description = "Override a value in every experiment (e.g. seed=7). Repeatable.")
    List<String> overrides = new ArrayList<>();

    @Mixin
    SparkOption spark;

    @Mixin
    DataDirOption data;

    @Mixin
    DebugOption debug;

    @Override
    public Integer call() {
        io.deepnets.runs.OutputTargets.checkFolder(out, "--out");
        io.deepnets.config.ConfigLoader.refuseRepeatedKeys(overrides, java.util.Map.of());
        io.deepnets.sweep.SparkEngine sparkEngine = spark.engine();
        SuiteConfig config = SuiteConfig.load(suite);
        ExperimentRunner runner = Runners.console();
        SuiteResult result = new SuiteRunner(runner, System.out, System.getenv(),
                sparkEngine).run(config, out, force, overrides, data.dataDir);
        System.out.println();
        System.out.print(result.table());
        System.out.println("comparison: " + result.index());
        return result.passed() ? Main.OK : Main.FAILURE;
    }
}
