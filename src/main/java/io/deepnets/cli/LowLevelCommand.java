package io.deepnets.cli;

import io.deepnets.lowlevel.Dl4jOps;
import io.deepnets.lowlevel.HandOps;
import io.deepnets.lowlevel.LowLevelInput;
import io.deepnets.lowlevel.LowLevelReport;
import io.deepnets.lowlevel.Stages;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code deepnets lowlevel}: the hand-computed exercise, every stage shown and cross-checked against DL4J. */
@Command(name = "lowlevel", mixinStandardHelpOptions = true,
        description = "Convolution, ReLU, max pooling, normalisation, dense and softmax by hand on the assignment's 6x6x2 image, every stage shown.")
final class LowLevelCommand implements Callable<Integer> {
    @Option(names = "--json", description = "Print one JSON object: image, filters, conv, relu, pool, norm, dense_weights, dense, softmax.")
    boolean json;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the dense layer's uniform weights (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--image", paramLabel = "FILE.json", description = "Another image: a nested list (rows, columns, channels).")
    Path image;

    @Option(names = "--filters", paramLabel = "FILE.json", description = "Other filters: a nested list (filter, rows, columns, channels).")
    Path filters;

    @Option(names = "--backward", description = "Also the backward pass: the loss for --label and its gradient at every stage, by hand, "
            + "checked against DL4J's backpropagation and finite differences.")
    boolean backward;

    @Option(names = "--label", defaultValue = "0", description = "Target class of the image for --backward (default ${DEFAULT-VALUE}).")
    int label;

    @Mixin
    DebugOption debug;

    @Override
    public Integer call() {
        double[][][] x = image == null ? LowLevelInput.assignmentImage() : LowLevelInput.readImage(image);
        double[][][][] f = filters == null ? LowLevelInput.assignmentFilters() : LowLevelInput.readFilters(filters);
        Stages hand;
        try {
            hand = HandOps.run(x, f, seed);
        } catch (io.deepnets.BadInputException e) {
            String source = (image == null ? "the assignment's image" : image.toString()) + " with "
                    + (filters == null ? "the assignment's filters" : filters.toString());
            throw new io.deepnets.BadInputException(source + ": " + e.getMessage(), e);
        }
        if (backward) {
            if (label < 0 || label >= hand.softmax().length) {
                throw new io.deepnets.BadInputException("--label: expected 0.." + (hand.softmax().length - 1) + " (the dense layer's "
                        + hand.softmax().length + " outputs), got " + label);
            }
            io.deepnets.lowlevel.Gradients g = io.deepnets.lowlevel.HandBackward.run(hand, label);
            var dl4j = io.deepnets.lowlevel.BackwardReport.differences(g, io.deepnets.lowlevel.Dl4jBackward.run(hand, label));
            var fd = io.deepnets.lowlevel.FiniteDifferences.check(hand, g);
            if (json) {
                System.out.println(io.deepnets.lowlevel.BackwardReport.json(hand, g, dl4j, fd));
            } else {
                System.out.print(LowLevelReport.text(hand, seed, LowLevelReport.maxDifference(hand, Dl4jOps.run(x, f, seed))));
                System.out.println();
                System.out.print(io.deepnets.lowlevel.BackwardReport.text(hand, g, dl4j, fd));
            }
        } else if (json) {
            System.out.println(LowLevelReport.json(hand));
        } else {
            Stages dl4j = Dl4jOps.run(x, f, seed);
            System.out.print(LowLevelReport.text(hand, seed, LowLevelReport.maxDifference(hand, dl4j)));
        }
        return Main.OK;
    }
}
