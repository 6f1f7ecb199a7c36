package io.deepnets.report;

import java.util.List;

/**
 * The model of {@code filters.jte}: the image, each filter's picture beside its kernel and PSNR, correlation against
 * convolution, the learned kernels beside the designed ones, the size arithmetic and convolution three ways. Every
 * value is already text; the template only lays it out.
 */
public record FiltersPage(String title, String image, String noise, List<Tile> inputs, List<Tile> filters, Correlation correlation,
        List<Learned> learned, String learnedNote, List<Arithmetic> arithmetic, List<Timing> timings, String crossover, OneDimensional oneD) {

    /** A picture with its name, what it is, its kernel (rows of numbers; empty when it is none) and a figure line. */
    public record Tile(PageFigure figure, String name, String description, List<List<String>> kernel, String figures) {
    }

    /** The asymmetric kernel, DL4J's layer output against the textbook's sums, and the two pictures. */
    public record Correlation(List<List<String>> kernel, String crop, String layerVsCorrelation, String layerVsFlippedConvolution,
            String layerVsConvolution, PageFigure layer, PageFigure convolution) {
    }

    /** One learned kernel, its nearest classic kernel and both responses. */
    public record Learned(String name, List<List<String>> learned, String nearest, List<List<String>> classic, String similarity,
            PageFigure learnedResponse, PageFigure classicResponse) {
    }

    /** One arithmetic question: the layer, the formula, DL4J's answer and the picture. */
    public record Arithmetic(String layer, String formula, String dl4j, String picture) {
    }

    /** One kernel size of the three ways. */
    public record Timing(String kernel, String direct, String im2col, String fft, String agreement) {
    }

    /** The one-dimensional case: the polynomials, their product, the Toeplitz matrix and its product. */
    public record OneDimensional(String p, String q, String product, List<List<String>> toeplitz, String toeplitzProduct) {
    }
}
