package io.deepnets.report;

import io.deepnets.config.TensorShape;
import io.deepnets.data.ImageSet;
import io.deepnets.explain.Explainer;
import io.deepnets.explain.Explanation;
import io.deepnets.explain.Overlays;
import io.deepnets.model.KerasModelMapper;
import io.deepnets.model.Network;
import io.deepnets.runs.PredictionsCsv;
import io.deepnets.runs.RunContents;
import io.deepnets.runs.RunFolder;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Where the network looked when it made its most confident mistakes: for each, the test image, Grad-CAM of the
 * predicted class over the last convolution, and the saliency map ({@link io.deepnets.explain}), in one figure beside
 * the report's gallery.
 */
final class MistakeExplanations {
    static final int SHOWN = 8;

    private MistakeExplanations() {
    }

    /**
     * Draws {@link RunFolder#EXPLAINED_PNG} for the first {@link #SHOWN} of {@code mistakes}; returns false (nothing
     * written) when the run has no model or its network takes no images.
     */
    static boolean write(RunContents run, ImageSet images, TensorShape shape, List<PredictionsCsv.Prediction> mistakes) throws IOException {
        Path zip = run.dir().resolve(RunFolder.MODEL);
        if (run.config() == null || !shape.isImage() || !Files.isRegularFile(zip) || mistakes.isEmpty()) {
            return false;
        }
        Network net = Network.read(zip.toFile(), KerasModelMapper.imageShape(run.config().model()), false);
        Explainer explainer = new Explainer(net, shape);
        List<String> names = run.confusion().classNames();
        List<PredictionsCsv.Prediction> shown = mistakes.subList(0, Math.min(SHOWN, mistakes.size()));
        int scale = Math.max(2, 120 / Math.max(shape.height(), shape.width()));
        int tw = shape.width() * scale;
        int th = shape.height() * scale;
        int gap = 14;
        int captionW = 230;
        int rowH = th + gap;
        int width = captionW + 3 * (tw + gap) + 20;
        int height = 80 + shown.size() * rowH;
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = Figures.graphics(img);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 17));
        String title = "Where it looked: the " + shown.size() + " most confident mistakes";
        g.drawString(title, 10, 26);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        String layer = explainer.gradCamLayer();
        String[][] heads = {{"test image", ""}, {"Grad-CAM", layer == null ? "(no convolution)" : "over " + layer}, {"saliency", "|d score / d pixel|"}};
        for (int c = 0; c < 3; c++) {
            g.drawString(heads[c][0], captionW + c * (tw + gap), 46);
            g.drawString(heads[c][1], captionW + c * (tw + gap), 61);
        }
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
        for (int i = 0; i < shown.size(); i++) {
            PredictionsCsv.Prediction p = shown.get(i);
            if (p.index() >= images.count()) {
                continue;
            }
            float[] pixels = images.row(p.index());
            BufferedImage seen = io.deepnets.data.ImageDecoder.picture(pixels, 0, shape);
            Explanation e = explainer.explain(pixels, p.predicted());
            int y = 70 + i * rowH;
            g.setColor(Color.BLACK);
            g.drawString("true " + names.get(p.truth()), 10, y + 18);
            g.drawString("predicted " + names.get(p.predicted()) + String.format(Locale.ROOT, " (%.2f)", p.probability()), 10, y + 36);
            g.drawImage(seen, captionW, y, tw, th, null);
            if (e.gradCam() != null) {
                g.drawImage(Overlays.over(seen, e.gradCam()), captionW + tw + gap, y, tw, th, null);
            }
            g.drawImage(Overlays.heat(e.saliency(), e.height(), e.width()), captionW + 2 * (tw + gap), y, tw, th, null);
        }
        g.dispose();
        Figures.writePng(run.dir().resolve(RunFolder.EXPLAINED_PNG), img);
        return true;
    }
}
