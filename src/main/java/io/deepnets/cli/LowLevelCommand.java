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
            throw new io.deepnets.BadInputException(source + ": " + e.getMessage());
        }
        if (json) {
            System.out.println(LowLevelReport.json(hand));
        } else {
            Stages dl4j = Dl4jOps.run(x, f, seed);
            System.out.print(LowLevelReport.text(hand, seed, LowLevelReport.maxDifference(hand, dl4j)));
        }
        return Main.OK;
    }
}
