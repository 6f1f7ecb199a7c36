package io.deepnets.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The config file and its overrides, shared by every command that reads an experiment. */
final class ConfigOptions {
    @Parameters(index = "0", paramLabel = "CONFIG", description = "The experiment YAML, e.g. configs/mnist-cnn.yaml.")
    Path config;

    @Option(names = "--set", paramLabel = "KEY.PATH=VALUE",
            description = "Override a config value, validated like the file (e.g. training.batch_size=64, model.layers[3].rate=0.3). Repeatable.")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--epochs", paramLabel = "N", description = "Shorthand for --set training.epochs=N.")
    Integer epochs;

    List<String> allOverrides() {
        List<String> all = new ArrayList<>(overrides);
        if (epochs != null) {
            if (epochs < 1) {
                throw new io.deepnets.BadInputException("--epochs: expected a positive integer, got " + epochs);
            }
            all.add("training.epochs=" + epochs);
        }
        io.deepnets.config.ConfigLoader.refuseRepeatedKeys(all, epochs == null ? java.util.Map.of()
                : java.util.Map.of("training.epochs=" + epochs, "--epochs " + epochs));
        return all;
    }
}
