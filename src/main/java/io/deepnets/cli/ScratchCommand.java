package io.deepnets.cli;

import io.deepnets.BadInputException;
import io.deepnets.scratchrun.ScratchTrainer;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code deepnets scratch}: networks made of the hand-written layers only. */
@Command(name = "scratch", mixinStandardHelpOptions = true, description = "Networks built from deepnets' hand-written layers (plain Java, no DL4J).",
        subcommands = ScratchCommand.Train.class)
final class ScratchCommand implements Runnable {
    @Override
    public void run() {
        throw new BadInputException("scratch: expected a subcommand: train (see deepnets scratch --help)");
    }

    /** {@code deepnets scratch train}: Caffe's LeNet on MNIST with hand-written forward and backward passes. */
    @Command(name = "train", mixinStandardHelpOptions = true,
            description = "Train Caffe's LeNet (conv 20 5x5, pool, conv 50 5x5, pool, 500 ReLU, 10) on MNIST with the hand-written layers only; "
                    + "writes a run folder and report like 'run', and times the same network through DL4J.")
    static final class Train implements Callable<Integer> {
        @Option(names = "--iterations", defaultValue = "2000", description = "Training iterations (default ${DEFAULT-VALUE}).")
        int iterations;

        @Option(names = "--batch", defaultValue = "64", description = "Images per iteration (default ${DEFAULT-VALUE}).")
        int batch;

        @Option(names = "--seed", defaultValue = "42", description = "Seed of the weights and the order (default ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--display", defaultValue = "100", description = "Print the cost and training accuracy every N iterations (default ${DEFAULT-VALUE}).")
        int display;

        @Option(names = "--test-every", defaultValue = "500", description = "Test accuracy every N iterations (default ${DEFAULT-VALUE}).")
        int testEvery;

        @Option(names = "--dl4j-steps", defaultValue = "50", description = "Steps of DL4J's fit to time for comparison; 0 skips it (default ${DEFAULT-VALUE}).")
        int dl4jSteps;

        @Option(names = "--out", paramLabel = "DIR", defaultValue = "reports", description = "Where run folders go (default: ${DEFAULT-VALUE}).")
        Path out;

        @Mixin
        DataDirOption data;

        @Mixin
        DebugOption debug;

        @Override
        public Integer call() {
            for (String[] v : new String[][] {{"--iterations", String.valueOf(iterations)}, {"--batch", String.valueOf(batch)},
                    {"--display", String.valueOf(display)}, {"--test-every", String.valueOf(testEvery)}}) {
                if (Integer.parseInt(v[1]) < 1) {
                    throw new BadInputException(v[0] + ": expected a positive integer, got " + v[1]);
                }
            }
            if (batch > 60_000) {
                throw new BadInputException("--batch: " + batch + " is more than the 60,000 MNIST training images");
            }
            if (dl4jSteps < 0 || (long) dl4jSteps * batch > 60_000) {
                throw new BadInputException("--dl4j-steps: expected 0.." + 60_000 / batch + " (steps of " + batch + " from 60,000 images), got " + dl4jSteps);
            }
            io.deepnets.runs.OutputTargets.checkFolder(out, "--out");
            new ScratchTrainer(System.out, System.err, System.getenv()).train(new ScratchTrainer.Options(iterations, batch, seed, display, testEvery,
                    data.dataDir, out, dl4jSteps));
            return Main.OK;
        }
    }
}
