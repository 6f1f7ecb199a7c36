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

    @Option(names = "--digits", description = {"Each IMAGE is a page with several handwritten digits: find them (darkness against the "
            + "paper's local brightness, ruled lines removed, connected components), read them line by line along the page's tilt, left to "
            + "right, and print each line's digits with their probabilities.",
            "With --json: [{file, lines: [[{label, probability, box: [x, y, w, h]}, ...], ...]}, ...] in reading order."})
    boolean digits;

    @Option(names = "--annotate", paramLabel = "OUT.png|DIR", description = "With --digits: write the page with numbered boxes and labels "
            + "(a file for one page, a folder of <name>-annotated.png for several).")
    Path annotate;

    @Option(names = "--mask", paramLabel = "OUT.png|DIR", description = "With --digits: write what was taken for ink, black on white, "
            + "after ruled and margin lines were removed (a file for one page, a folder of <name>-mask.png for several).")
    Path mask;

    @Mixin
    ForceOption forceOption;

    @Mixin
    DebugOption debug;

    @Override
    public Integer call() throws Exception {
        if (annotate != null && !digits) {
            throw new io.deepnets.BadInputException("--annotate: only with --digits (it draws the digits found on a page)");
        }
        if (mask != null && !digits) {
            throw new io.deepnets.BadInputException("--mask: only with --digits (it shows what was taken for ink on a page)");
        }
        ImagePreprocessor.Invert mode = ImagePreprocessor.Invert.parse(invert);
        if (digits && !"auto".equals(invert)) {
            throw new io.deepnets.BadInputException("--invert: not with --digits (the page reader takes dark writing on light paper)");
        }
        if (digits && showInput != null) {
            throw new io.deepnets.BadInputException("--show-input: not with --digits (use --annotate to see what was read on a page)");
        }
        if (digits) {
            return readPages();
        }
        if (showInput != null) {
            OutputTargets.checkDistinctOutputs("--show-input", images, Predictor::shownInputName);
            OutputTargets.checkNothingInTheWay(showInput, "--show-input", Predictor.shownInputNames(images), forceOption.force);
        }
        TrainedModel trained = TrainedModel.load(model);
        noteViews(trained);
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
                m.put("top", o.top().stream().map(Predictor.Scored::json).toList());
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

    /** Says on stderr when the run's data.test_time_augment makes every prediction the mean of two views. */
    static void noteViews(TrainedModel trained) {
        if (trained.averagesViews()) {
            System.err.println("note: " + trained.config().data().testTimeAugment().describe() + ", as the run's data.test_time_augment says");
        }
    }

    /** The annotated picture's path for {@code page}: --annotate itself for one page, a file in it for several. */
    private Path annotated(Path page) {
        return derived(annotate, page, "-annotated.png");
    }

    /** An output for {@code page}: {@code option} itself for one page (unless it is a folder), a file in it for several. */
    private Path derived(Path option, Path page, String suffix) {
        return images.size() == 1 && !java.nio.file.Files.isDirectory(option) ? option : option.resolve(Predictor.derivedName(page, suffix));
    }

    private void checkPageOutput(Path option, String name, String suffix) {
        if (option == null) {
            return;
        }
        if (images.size() == 1 && !java.nio.file.Files.isDirectory(option)) {
            OutputTargets.checkFile(option, name, forceOption.force);
        } else {
            OutputTargets.checkDistinctOutputs(name, images, p -> derived(option, p, suffix).getFileName().toString());
            OutputTargets.checkNothingInTheWay(option, name, images.stream().map(p -> derived(option, p, suffix).getFileName().toString()).toList(),
                    forceOption.force);
        }
    }

    private void writeMask(Path page, io.deepnets.predict.PageInk ink) throws java.io.IOException {
        Path out = derived(mask, page, "-mask.png");
        java.nio.file.Files.createDirectories(out.toAbsolutePath().getParent());
        java.awt.image.BufferedImage m = ink.maskImage();
        io.deepnets.runs.AtomicFiles.write(out, o -> javax.imageio.ImageIO.write(m, "png", o));
        if (!json) {
            System.out.println("  ink mask: " + out);
        }
    }

    private int readPages() throws Exception {
        checkPageOutput(annotate, "--annotate", "-annotated.png");
        checkPageOutput(mask, "--mask", "-mask.png");
        if (annotate != null && mask != null && images.stream().anyMatch(p -> annotated(p).toAbsolutePath().normalize()
                .equals(derived(mask, p, "-mask.png").toAbsolutePath().normalize()))) {
            throw new io.deepnets.BadInputException("--mask " + mask + ": the same file as --annotate; name another");
        }
        TrainedModel trained = TrainedModel.load(model);
        noteViews(trained);
        io.deepnets.predict.DigitPageReader reader = new io.deepnets.predict.DigitPageReader(trained);
        List<Map<String, Object>> jsonOut = new ArrayList<>();
        boolean allOk = true;
        for (Path file : images) {
            java.awt.image.BufferedImage img;
            try {
                img = ImagePreprocessor.read(file);          // its messages name the file
            } catch (io.deepnets.BadInputException e) {
                System.err.println("error: " + e.getMessage());
                allOk = false;
                continue;
            }
            try {
                long started = System.nanoTime();
                io.deepnets.predict.DigitPageReader.Page page = reader.read(img);
                double seconds = (System.nanoTime() - started) / 1e9;
                if (json) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("file", file.toString());
                    m.put("lines", page.lines().stream().map(line -> line.stream().map(d -> {
                        Map<String, Object> dm = new LinkedHashMap<>();
                        dm.put("label", d.label());
                        dm.put("probability", d.probability());
                        dm.put("box", List.of(d.x(), d.y(), d.width(), d.height()));
                        return dm;
                    }).toList()).toList());
                    jsonOut.add(m);
                } else {
                    System.out.printf(Locale.ROOT, "%s: %d digit%s in %d line%s (%dx%d, tilted %.1f degrees, read in %.2f s)%n", file, page.count(),
                            page.count() == 1 ? "" : "s", page.lines().size(), page.lines().size() == 1 ? "" : "s", img.getWidth(), img.getHeight(),
                            page.skewDegrees(), seconds);
                    for (int i = 0; i < page.lines().size(); i++) {
                        System.out.printf(Locale.ROOT, "  line %d: %s   %s%n", i + 1, page.text().get(i), page.lines().get(i).stream()
                                .map(d -> String.format(Locale.ROOT, "%.2f", d.probability())).collect(Collectors.joining(" ")));
                    }
                }
                if (annotate != null) {
                    Path out = annotated(file);
                    java.nio.file.Files.createDirectories(out.toAbsolutePath().getParent());
                    io.deepnets.runs.AtomicFiles.write(out, o -> javax.imageio.ImageIO.write(
                            io.deepnets.predict.DigitPageReader.annotate(img, page), "png", o));
                    if (!json) {
                        System.out.println("  annotated: " + out);
                    }
                }
                if (mask != null && page.ink() != null) {
                    writeMask(file, page.ink());
                }
            } catch (io.deepnets.BadInputException e) {
                System.err.println("error: " + file + ": " + e.getMessage());
                allOk = false;
                if (mask != null) {
                    // Most wanted when nothing was found: what the reader took for ink.
                    writeMask(file, io.deepnets.predict.PageInk.of(img));
                }
            }
        }
        if (json) {
            System.out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(jsonOut));
        }
        return allOk ? Main.OK : Main.BAD_INPUT;
    }
}
