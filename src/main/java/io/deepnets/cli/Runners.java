package io.deepnets.cli;

import io.deepnets.data.DataSources;
import io.deepnets.run.ExperimentRunner;

/** The experiment runner the commands use: console output, this process's environment, the canonical downloads. */
final class Runners {
    private Runners() {
    }

    /** For sweep points: training's epoch lines go to standard error, no progress bar. */
    static ExperimentRunner quiet() {
        return new ExperimentRunner(System.err, System.err, false, System.getenv(), DataSources.canonical());
    }

    /** For sweep points in this process: the sweep prints one line per point; each point's history is in its folder. */
    static ExperimentRunner silent() {
        return new ExperimentRunner(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()), System.err, false, System.getenv(),
                DataSources.canonical());
    }

    static ExperimentRunner console() {
        return new ExperimentRunner(System.out, System.err, System.console() != null, System.getenv(), DataSources.canonical());
    }
}
