package io.deepnets.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.deepnets.predict.ImagePreprocessor;
import io.deepnets.predict.Predictor;
import io.deepnets.predict.TrainedModel;
import io.deepnets.runs.OutputTargets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code deepnets predict}: classify image files with a trained model. */
@Command(name = "predict", mixinStandardHelpOptions = true,
        description = {"Classify images (PNG, JPG, BMP, GIF) with the model of a run: one line per image, FILE  LABEL  PROBABILITY and the top 3.",
                "Exit 0 when every image was classified, 2 when some could not be (each reported on stderr)."})
final class PredictCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "RUN_DIR|MODEL_ZIP", description = "A run folder or its model.zip.")
    Path model;

    @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "Image files.")
    List<Path> images;

    @Option(names = "--invert", defaultValue = "auto", paramLabel = "yes|no|auto",
            description = "Invert grey images (dark ink on light paper -> MNIST's white on black): auto (default) inverts when the background is light.")
    String invert;

    @Option(names = "--json", description = "Print a JSON array of {file, label, probability, top: [{label, probability}...]}.")
    boolean json;

    @Option(names = "--show-input", paramLabel = "DIR", description = "Write the image the network actually saw (e.g. 28x28) for each input.")
    Path showInput;

    @Mixin
    ForceOption forceOption;

    @Mixin
    DebugOption debug;

    @Override
    public Integer call() throws Exception {
        ImagePreprocessor.Invert mode = ImagePreprocessor.Invert.parse(invert);
        if (showInput != null) {
            OutputTargets.checkNothingInTheWay(showInput, "--show-input", Predictor.shownInputNames(images), forceOption.force);
        }
        TrainedModel trained = TrainedModel.load(model);
        List<Predictor.Outcome> outcomes = new Predictor(trained, mode).classify(images, showInput);
        List<Map<String, Object>> jsonOut = new ArrayList<>();
        for (Predictor.Outcome o : outcomes) {
            if (!o.ok()) {
                System.err.println("error: " + o.error());
                continue;
            }
            Predictor.Scored best = o.top().get(0);
            if (json) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("file", o.file().toString());
                m.put("label", best.label());
                m.put("probability", best.probability());
                m.put("top", o.top().stream().map(s -> Map.of("label", s.label(), "probability", s.probability())).toList());
                jsonOut.add(m);
            } else {
                System.out.printf(Locale.ROOT, "%s  %s  %.4f  (top 3: %s)%n", o.file(), best.label(), best.probability(),
                        o.top().stream().map(s -> String.format(Locale.ROOT, "%s %.4f", s.label(), s.probability())).collect(Collectors.joining(", ")));
            }
        }
        if (json) {
            System.out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(jsonOut));
        }
        return outcomes.stream().allMatch(Predictor.Outcome::ok) ? Main.OK : Main.BAD_INPUT;
    }
}
