package io.deepnets.cli;

import io.deepnets.sweep.SparkEngine;
import picocli.CommandLine.Option;

/** {@code --spark MASTER} and {@code --spark-shared-out}: run a sweep's points or a suite's runs on Apache Spark. */
final class SparkOption {
    @Option(names = "--spark", paramLabel = "MASTER", description = "Run on Apache Spark: local[N] (in this process), spark://HOST:PORT, "
            + "or cluster (under spark-submit, its master). Run folders come back to --out.")
    String master;

    @Option(names = "--spark-shared-out", description = "With --spark: --out is on a file system every executor sees at the same path; "
            + "run folders are written there directly instead of being shipped back to the driver (always so in local mode).")
    boolean sharedOut;

    boolean requested() {
        return master != null;
    }

    /** The engine the options ask for (checked: the master URL and Spark on the class path), or null without --spark. */
    SparkEngine engine() {
        if (master == null) {
            return null;
        }
        SparkEngine.check(master);
        // Local mode's executors are this process: they write the run folders in place, where serve sees them train.
        return new SparkEngine(master, System.out, sharedOut || master.startsWith("local"));
    }
}
