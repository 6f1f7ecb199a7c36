package io.deepnets.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.deepnets.filters.ClassicFilters;
import io.deepnets.filters.FiltersReport;
import io.deepnets.predict.ImagePreprocessor;
import io.deepnets.predict.TrainedModel;
import io.deepnets.runs.OutputTargets;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code deepnets filters}: the course's image filters and convolution, on one image, as PNGs, a page and figures. */
@Command(name = "filters", mixinStandardHelpOptions = true,
        description = {"Apply the classic filters (mean, median, Gaussian, unsharp masking, gradients, Sobel, Canny) to an image, with optional "
                + "noise and each result's PSNR; show that a CNN layer computes correlation; compare a trained network's first-layer kernels "
                + "with the designed ones (--model); the size arithmetic; convolution directly, by im2col and by FFT, timed.",
                "Writes PNGs and index.html into --out (default reports/filters/<image>/<time>/)."})
final class FiltersCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "IMAGE", description = "The image (PNG, JPG, BMP, GIF), at most 4,000,000 pixels.")
    Path image;

    @Option(names = "--noise", paramLabel = "gaussian:SIGMA|salt-pepper:FRACTION",
            description = "Add seeded noise first: Gaussian of standard deviation SIGMA grey levels (the textbook's variance 100 is gaussian:10), or a FRACTION of the pixels set to black or white.")
    String noise;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the noise (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--sigma", defaultValue = "1.0", description = "The Gaussian's standard deviation in pixels (default ${DEFAULT-VALUE}).")
    double sigma;

    @Option(names = "--size", defaultValue = "5", description = "The Gaussian's kernel size, odd (default ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--amount", defaultValue = "1.0", description = "Unsharp masking: how much of (image - blur) is added back (default ${DEFAULT-VALUE}).")
    double amount;

    @Option(names = "--color", description = "Filter each colour channel (default: the grey image).")
    boolean color;

    @Option(names = "--model", paramLabel = "RUN_DIR|MODEL_ZIP", description = "A trained run whose first convolution's kernels are compared with the designed ones.")
    Path model;

    @Option(names = "--out", paramLabel = "DIR", description = "Where the PNGs and index.html go (default reports/filters/<image>/<time>/).")
    Path out;

    @Option(names = "--json", description = "Print the figures (PSNRs, differences, timings, matches) as JSON.")
    boolean json;

    @Mixin
    ForceOption forceOption;

    @Mixin
    DebugOption debug;

    @Override
    public Integer call() throws Exception {
        FiltersReport.checkNoise(noise);
        ClassicFilters.Settings settings = new ClassicFilters.Settings(sigma, size, amount);
        String stem = image.getFileName() == null ? "image" : image.getFileName().toString().replaceAll("\\.[^.]*$", "");
        Path target = out != null ? out : Path.of("reports", "filters", stem, LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH-mm-ss")));
        OutputTargets.checkFolder(target, "--out");
        if (OutputTargets.hasFiles(target) && !forceOption.force) {
            throw new io.deepnets.BadInputException("--out " + target + ": the folder holds files already; choose another folder or pass --force");
        }
        java.awt.image.BufferedImage img = ImagePreprocessor.read(image);
        TrainedModel trained = model == null ? null : TrainedModel.load(model);
        if (trained != null) {
            io.deepnets.filters.LearnedKernels.firstKernels(trained.network(), model.toString());     // one line before any work if it has none
        }
        FiltersReport.Outcome o = FiltersReport.write(new FiltersReport.Request(image, noise, seed, target, settings, model, color), img, trained);
        if (json) {
            System.out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(o.figures()));
        } else {
            System.out.println("filters: " + o.page());
        }
        return Main.OK;
    }
}
