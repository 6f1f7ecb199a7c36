package io.deepnets.cli;

import io.deepnets.config.ExperimentConfig;
import io.deepnets.model.ModelSummary;
import io.deepnets.run.ExperimentRunner;
import io.deepnets.run.RunRequest;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code deepnets summary CONFIG}: the Keras-style model table, without data or training. */
@Command(name = "summary", mixinStandardHelpOptions = true,
        description = "Print the model table (layer, output shape, parameters) and the total, as Keras's model.summary() does.")
final class SummaryCommand implements Callable<Integer> {
    @Mixin
    ConfigOptions config;

    @Mixin
    DebugOption debug;

    @Override
    public Integer call() {
        ExperimentConfig experiment = ExperimentRunner.config(new RunRequest(config.config, config.allOverrides(), null, null));
        // Counted from the config, not a built network: a summary of a network too large to train still prints.
        System.out.print(ModelSummary.of(experiment, experiment.model().totalParams()).render());
        return Main.OK;
    }
}
