package io.deepnets.cli;

import io.deepnets.predict.ActivationMaps;
import io.deepnets.predict.ImagePreprocessor;
import io.deepnets.predict.TrainedModel;
import io.deepnets.runs.OutputTargets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code deepnets activations}: the feature maps of every convolutional layer for one image. */
@Command(name = "activations", mixinStandardHelpOptions = true,
        description = "For every convolutional layer, write a PNG grid of its feature maps for the image, before and after the activation.")
final class ActivationsCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "RUN_DIR|MODEL_ZIP", description = "A run folder or its model.zip.")
    Path model;

    @Option(names = "--image", required = true, paramLabel = "FILE", description = "The image (PNG, JPG, BMP, GIF).")
    Path image;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where the PNGs go.")
    Path out;

    @Option(names = "--invert", defaultValue = "auto", paramLabel = "yes|no|auto", description = "As for predict.")
    String invert;

    @Mixin
    ForceOption forceOption;

    @Mixin
    DebugOption debug;

    @Override
    public Integer call() throws Exception {
        ImagePreprocessor.Invert mode = ImagePreprocessor.Invert.parse(invert);
        OutputTargets.checkFolder(out, "--out");
        TrainedModel trained = TrainedModel.load(model);
        ImagePreprocessor.Prepared p = trained.prepare(ImagePreprocessor.read(image), mode);
        List<ActivationMaps.LayerMaps> maps = ActivationMaps.compute(trained.network(), p.pixels());
        if (maps.isEmpty()) {
            throw new io.deepnets.BadInputException(model + ": the model has no convolutional layer");
        }
        OutputTargets.checkNothingInTheWay(out, "--out", ActivationMaps.fileNames(maps), forceOption.force);
        for (Path f : ActivationMaps.write(maps, out, image.getFileName().toString())) {
            System.out.println("written: " + f);
        }
        return Main.OK;
    }
}
