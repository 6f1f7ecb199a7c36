package io.deepnets.cli;

import io.deepnets.run.ExperimentRunner;
import io.deepnets.run.RunRequest;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code deepnets run CONFIG}: train, evaluate, write a run folder. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Train the experiment, evaluate it on the test set and write a run folder <out>/<name>/<timestamp>/.")
final class RunCommand implements Callable<Integer> {
    @Mixin
    ConfigOptions config;

    @Mixin
    DebugOption debug;

    @Mixin
    DataDirOption data;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "reports", description = "Where run folders go (default: ${DEFAULT-VALUE}).")
    Path out;

    @Override
    public Integer call() {
        io.deepnets.runs.OutputTargets.checkFolder(out, "--out");
        ExperimentRunner runner = Runners.console();
        runner.run(new RunRequest(config.config, config.allOverrides(), data.dataDir, out));
        return Main.OK;
    }
}
