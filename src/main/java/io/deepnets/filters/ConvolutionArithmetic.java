package io.deepnets.filters;

import io.deepnets.BadInputException;
import java.util.Locale;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;

/**
 * The size arithmetic of convolution and pooling (Dumoulin and Visin's guide, as the lecture notes give it): for
 * input size i, kernel k, stride s and zero padding p, o = floor((i + 2p - k) / s) + 1, with p = 0 ("valid"),
 * floor(k/2) ("same", odd k) or k - 1 ("full"); pooling o = floor((i - k) / s) + 1. Each answer is checked against
 * DL4J's own shape inference for the same layer, and drawn as the guide draws it: the zero-padded input with the
 * kernel's first window marked.
 */
public final class ConvolutionArithmetic {
    private ConvolutionArithmetic() {
    }

    /**
     * One question and its answer.
     *
     * @param padding valid, same, full, or a number of zero rows and columns on each side
     * @param pooling max pooling (no padding) instead of a convolution
     */
    public record Answer(int input, int kernel, int stride, String padding, boolean pooling, int pad, int output, String formula, int dl4jOutput,
            String picture) {
    }

    /** Works out one layer's output size, checks it with DL4J and draws it. */
    public static Answer of(int input, int kernel, int stride, String padding, boolean pooling) {
        if (input < 1 || input > 10_000) {
            throw new BadInputException("--input: expected a size from 1 to 10000, got " + input);
        }
        if (kernel < 1 || kernel > input + 2 * 10_000) {
            throw new BadInputException("--kernel: expected a positive size, got " + kernel);
        }
        if (stride < 1 || stride > 1000) {
            throw new BadInputException("--stride: expected 1 to 1000, got " + stride);
        }
        int pad;
        String how;
        if (pooling && !padding.equals("valid") && !padding.equals("0")) {
            throw new BadInputException("--padding: pooling here takes no padding (valid), got '" + padding + "'");
        }
        switch (padding) {
            case "valid" -> {
                pad = 0;
                how = "no padding";
            }
            case "same" -> {
                if (kernel % 2 == 0) {
                    throw new BadInputException("--padding same: needs an odd kernel (half the kernel on each side), got " + kernel);
                }
                pad = kernel / 2;
                how = "half padding p = floor(k/2) = " + pad;
            }
            case "full" -> {
                pad = kernel - 1;
                how = "full padding p = k - 1 = " + pad;
            }
            default -> {
                if (!padding.matches("\\d{1,4}")) {
                    throw new BadInputException("--padding: expected valid, same, full or a number of pixels, got '" + padding + "'");
                }
                pad = Integer.parseInt(padding);
                how = "zero padding p = " + pad;
            }
        }
        if (input + 2 * pad < kernel) {
            throw new BadInputException("--kernel: " + kernel + " is larger than the padded input " + (input + 2 * pad) + " (i + 2p)");
        }
        int output = Math.floorDiv(input + 2 * pad - kernel, stride) + 1;
        String formula = pooling
                ? String.format(Locale.ROOT, "pooling: o = floor((i - k) / s) + 1 = floor((%d - %d) / %d) + 1 = %d", input, kernel, stride, output)
                : String.format(Locale.ROOT, "%s: o = floor((i + 2p - k) / s) + 1 = floor((%d + %d - %d) / %d) + 1 = %d", how, input, 2 * pad, kernel,
                        stride, output);
        return new Answer(input, kernel, stride, padding, pooling, pad, output, formula, dl4j(input, kernel, stride, pad, pooling),
                picture(input, kernel, stride, pad));
    }

    /** DL4J's own inference for a convolution (or max pooling) layer with the same kernel, stride and padding. */
    static int dl4j(int input, int kernel, int stride, int pad, boolean pooling) {
        InputType in = InputType.convolutional(input, input, 1);
        InputType out;
        if (pooling) {
            out = new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(kernel, kernel).stride(stride, stride)
                    .convolutionMode(ConvolutionMode.Truncate).build().getOutputType(0, in);
        } else {
            out = new ConvolutionLayer.Builder(kernel, kernel).nIn(1).nOut(1).stride(stride, stride).padding(pad, pad)
                    .convolutionMode(ConvolutionMode.Truncate).build().getOutputType(0, in);
        }
        return (int) ((InputType.InputTypeConvolutional) out).getHeight();
    }

    /**
     * One row of the zero-padded input, drawn as the guide draws it (large inputs are cut): {@code o} for padding,
     * {@code .} for the input, the first window's cells {@code #}, then where each window starts along the row.
     */
    static String picture(int input, int kernel, int stride, int pad) {
        int size = input + 2 * pad;
        int shown = Math.min(size, 40);
        StringBuilder sb = new StringBuilder();
        int rows = Math.min(shown, Math.max(kernel, 1) + 1);
        for (int y = 0; y < Math.min(rows, shown); y++) {
            for (int x = 0; x < shown; x++) {
                boolean padCell = x < pad || y < pad || x >= pad + input || y >= pad + input;
                boolean window = x < kernel && y < kernel;
                sb.append(window ? '#' : padCell ? 'o' : '.');
            }
            sb.append(shown < size ? " ..." : "").append('\n');
        }
        sb.append("windows start at columns");
        for (int x = 0; x + kernel <= size && x < shown; x += stride) {
            sb.append(' ').append(x);
        }
        sb.append(shown < size ? " ..." : "").append('\n');
        return sb.toString();
    }
}
