package io.deepnets.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.deepnets.BadInputException;
import io.deepnets.explain.Explainer;
import io.deepnets.explain.Explanation;
import io.deepnets.explain.Overlays;
import io.deepnets.predict.ImagePreprocessor;
import io.deepnets.predict.Predictor;
import io.deepnets.predict.TrainedModel;
import io.deepnets.runs.AtomicFiles;
import io.deepnets.runs.OutputTargets;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import javax.imageio.ImageIO;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code deepnets explain}: where the network looked, as Grad-CAM and saliency maps over each image. */
@Command(name = "explain", mixinStandardHelpOptions = true,
        description = {"Classify images with a run's model and show where the network looked: Grad-CAM over the last convolution and the "
                + "saliency map (gradient of the class score with respect to each pixel).",
                "Writes <name>-gradcam.png (over the image the network saw), <name>-saliency.png and <name>-explain.json (prediction, "
                        + "top 3, both maps as numbers) per image into --out. Exit 2 when some image could not be read."})
final class ExplainCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "RUN_DIR|MODEL_ZIP", description = "A run folder or its model.zip.")
    Path model;

    @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "Image files.")
    List<Path> images;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where the maps go.")
    Path out;

    @Option(names = "--class", paramLabel = "LABEL", description = "Explain this class instead of the predicted one (a class name or number).")
    String cls;

    @Option(names = "--invert", defaultValue = "auto", paramLabel = "yes|no|auto", description = "As for predict.")
    String invert;

    @Mixin
    ForceOption forceOption;

    @Mixin
    DebugOption debug;

    private static final List<String> SUFFIXES = List.of("-gradcam.png", "-saliency.png", "-explain.json");

    @Override
    public Integer call() throws Exception {
        ImagePreprocessor.Invert mode = ImagePreprocessor.Invert.parse(invert);
        OutputTargets.checkFolder(out, "--out");
        for (String suffix : SUFFIXES) {
            OutputTargets.checkDistinctOutputs("--out", images, p -> Predictor.derivedName(p, suffix));
        }
        List<String> names = new ArrayList<>();
        for (Path p : images) {
            SUFFIXES.forEach(s -> names.add(Predictor.derivedName(p, s)));
        }
        OutputTargets.checkNothingInTheWay(out, "--out", names, forceOption.force);
        TrainedModel trained = TrainedModel.load(model);
        if (!trained.inputShape().isImage()) {
            throw new BadInputException(model + ": the model does not take images");
        }
        int target = cls == null ? -1 : classIndex(trained, cls);
        if (trained.averagesViews()) {
            System.err.println("note: the predicted class of " + trained.config().data().testTimeAugment().describe()
                    + ", as the run's data.test_time_augment says; the maps are of the image alone");
        }
        Explainer explainer = new Explainer(trained.network(), trained.inputShape());
        Files.createDirectories(out);
        ObjectMapper json = new ObjectMapper();
        boolean allOk = true;
        for (Path file : images) {
            ImagePreprocessor.Prepared p;
            try {
                p = trained.prepare(ImagePreprocessor.read(file), mode);
            } catch (BadInputException e) {
                System.err.println("error: " + e.getMessage());
                allOk = false;
                continue;
            }
            // With the run's data.test_time_augment the predicted class is that of the image and its mirror image
            // averaged, as predict says; the maps are the gradients of the image alone.
            float[] scored = trained.averagesViews() ? trained.probabilities(p.pixels(), 1) : null;
            int explained = target >= 0 || scored == null ? target : Predictor.top(scored, trained.classNames(), 1).get(0).index();
            Explanation e = explainer.explain(p.pixels(), explained);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("file", file.toString());
            List<Predictor.Scored> top = Predictor.top(scored != null ? scored : e.probabilities(), trained.classNames(), 3);
            m.put("label", top.get(0).label());
            m.put("probability", top.get(0).probability());
            m.put("top", top.stream().map(Predictor.Scored::json).toList());
            m.put("explained_class", trained.classNames().get(e.cls()));
            m.put("logit", e.logit());
            m.put("grad_cam_layer", e.gradCamLayer());
            m.put("grad_cam", e.gradCam() == null ? null : e.rows(e.gradCam()));
            m.put("saliency", e.rows(e.saliency()));
            Path stem = out.resolve(Predictor.derivedName(file, ""));
            if (e.gradCam() != null) {
                write(Path.of(stem + "-gradcam.png"), Overlays.enlargedTo(Overlays.over(p.seen(), e.gradCam()), 224));
            }
            write(Path.of(stem + "-saliency.png"), Overlays.enlargedTo(Overlays.heat(e.saliency(), e.height(), e.width()), 224));
            AtomicFiles.write(Path.of(stem + "-explain.json"), o -> o.write(json.writerWithDefaultPrettyPrinter().writeValueAsBytes(m)));
            System.out.printf(Locale.ROOT, "%s  %s  %.4f  explained: %s%s -> %s%n", file, m.get("label"), m.get("probability"), m.get("explained_class"),
                    e.gradCam() == null ? " (no convolution: saliency only)" : " (Grad-CAM over " + e.gradCamLayer() + ")", stem + "-*");
        }
        return allOk ? Main.OK : Main.BAD_INPUT;
    }

    private static void write(Path file, BufferedImage img) throws java.io.IOException {
        AtomicFiles.write(file, o -> ImageIO.write(img, "png", o));
    }

    private static int classIndex(TrainedModel model, String label) {
        int i = model.classNames().indexOf(label);
        if (i < 0 && label.matches("\\d{1,4}") && Integer.parseInt(label) < model.classNames().size()) {
            i = Integer.parseInt(label);
        }
        if (i < 0) {
            throw new BadInputException("--class " + label + ": not a class of the model (" + String.join(", ", model.classNames()) + ")");
        }
        return i;
    }
}
