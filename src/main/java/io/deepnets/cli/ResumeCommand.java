package io.deepnets.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code deepnets resume RUN_DIR}: continue an interrupted run from its last completed epoch. */
@Command(name = "resume", mixinStandardHelpOptions = true,
        description = "Continue an interrupted run in its folder from its last completed epoch (model, updater state, history).")
final class ResumeCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "RUN_DIR", description = "The run folder, e.g. reports/mnist-cnn/2026-11-22T10-00-00.")
    Path runDir;

    @Mixin
    DataDirOption data;

    @Mixin
    DebugOption debug;

    @Override
    public Integer call() {
        if (!io.deepnets.runs.RunContents.isRunFolder(runDir)) {
            throw new io.deepnets.BadInputException(runDir + ": not a deepnets run folder");
        }
        Runners.console().resume(runDir, data.dataDir);
        return Main.OK;
    }
}
