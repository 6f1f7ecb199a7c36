package io.deepnets.predict;

import io.deepnets.BadInputException;
import io.deepnets.report.Figures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Classifies image files with a trained model; a bad image is reported and the others are still classified. */
public final class Predictor {
    private final TrainedModel model;
    private final ImagePreprocessor.Invert invert;

    public Predictor(TrainedModel model, ImagePreprocessor.Invert invert) {
        this.model = model;
        this.invert = invert;
    }

    /** A class (its number and name) and its probability. */
    public record Scored(int index, String label, double probability) {
        /** As {@code predict --json} writes it: {@code {label, probability}}. */
        public java.util.Map<String, Object> json() {
            return java.util.Map.of("label", label, "probability", probability);
        }
    }

    /** The {@code k} most probable of {@code probabilities} (one per class of {@code names}), most probable first. */
    public static List<Scored> top(float[] probabilities, List<String> names, int k) {
        List<Scored> scored = new ArrayList<>();
        for (int i = 0; i < probabilities.length; i++) {
            scored.add(new Scored(i, names.get(i), probabilities[i]));
        }
        scored.sort(Comparator.comparingDouble(Scored::probability).reversed());
        return List.copyOf(scored.subList(0, Math.min(k, scored.size())));
    }

    /** One image's outcome: its top classes, or the error that stopped it. */
    public record Outcome(Path file, List<Scored> top, String error, boolean inverted) {
        public boolean ok() {
            return error == null;
        }
    }

    /** The file {@code --show-input} writes for {@code image}: {@code <stem>-input.png}. */
    public static String shownInputName(Path image) {
        return derivedName(image, "-input.png");
    }

    /** A file named after {@code image}: its name without the extension, then {@code suffix}. */
    public static String derivedName(Path image, String suffix) {
        Path name = image.getFileName();
        return (name == null ? "image" : name.toString()).replaceAll("\\.[^.]*$", "") + suffix;
    }

    /** Every file {@code --show-input} would write for {@code images}. */
    public static List<String> shownInputNames(List<Path> images) {
        return images.stream().map(Predictor::shownInputName).distinct().toList();
    }

    /** Classifies each file; writes what the network saw into {@code showInput} when it is not null. */
    public List<Outcome> classify(List<Path> files, Path showInput) {
        List<Outcome> outcomes = new ArrayList<>();
        for (Path file : files) {
            try {
                ImagePreprocessor.Prepared p = model.prepare(ImagePreprocessor.read(file), invert);
                float[] probs = model.probabilities(p.pixels(), 1);
                if (showInput != null) {
                    Files.createDirectories(showInput);
                    Figures.writePng(showInput.resolve(shownInputName(file)), p.seen());
                }
                outcomes.add(new Outcome(file, top(probs, model.classNames(), 3), null, p.inverted()));
            } catch (BadInputException e) {
                outcomes.add(new Outcome(file, List.of(), e.getMessage(), false));
            } catch (IOException e) {
                outcomes.add(new Outcome(file, List.of(), file + ": cannot write the input image (" + io.deepnets.FailureText.describe(e) + ")", false));
            }
        }
        return outcomes;
    }
}
