package io.deepnets.cli;

import io.deepnets.data.DataSources;
import io.deepnets.run.ExperimentRunner;

/** The experiment runner the commands use: console output, this process's environment, the canonical downloads. */
final class Runners {
    private Runners() {
    }

    static ExperimentRunner console() {
        return new ExperimentRunner(System.out, System.err, System.console() != null, System.getenv(), DataSources.canonical());
    }
}
