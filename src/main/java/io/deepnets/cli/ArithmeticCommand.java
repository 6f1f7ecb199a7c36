package io.deepnets.cli;

import io.deepnets.filters.ConvolutionArithmetic;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code deepnets arithmetic}: a convolution's or pooling's output size, its formula, DL4J's answer and a picture. */
@Command(name = "arithmetic", mixinStandardHelpOptions = true,
        description = "The output size of a convolution (or max pooling) layer for an input size, kernel, stride and padding, with the formula, "
                + "DL4J's own shape inference for the same layer, and a picture of where the kernel sits.")
final class ArithmeticCommand implements Callable<Integer> {
    @Option(names = "--input", required = true, paramLabel = "I", description = "The input's height (= width).")
    int input;

    @Option(names = "--kernel", required = true, paramLabel = "K", description = "The kernel's size.")
    int kernel;

    @Option(names = "--stride", defaultValue = "1", paramLabel = "S", description = "The stride (default ${DEFAULT-VALUE}).")
    int stride;

    @Option(names = "--padding", defaultValue = "valid", paramLabel = "valid|same|full|P", description = "Zero padding (default ${DEFAULT-VALUE}).")
    String padding;

    @Option(names = "--pool", description = "Max pooling instead of a convolution (no padding).")
    boolean pool;

    @Mixin
    DebugOption debug;

    @Override
    public Integer call() {
        ConvolutionArithmetic.Answer a = ConvolutionArithmetic.of(input, kernel, stride, padding, pool);
        System.out.println(a.formula());
        System.out.println("DL4J's " + (pool ? "SubsamplingLayer" : "ConvolutionLayer") + " infers " + a.dl4jOutput() + (a.dl4jOutput() == a.output()
                ? " (agrees)" : " (differs!)"));
        System.out.print(a.picture());
        return a.dl4jOutput() == a.output() ? Main.OK : Main.FAILURE;
    }
}
