package io.deepnets.serve;

import io.deepnets.BadInputException;
import io.deepnets.explain.Explainer;
import io.deepnets.explain.Explanation;
import io.deepnets.explain.Overlays;
import io.deepnets.predict.ActivationMaps;
import io.deepnets.predict.ImagePreprocessor;
import io.deepnets.predict.TrainedModel;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.nd4j.linalg.factory.Nd4j;

/**
 * "Try a model": classifies an uploaded image with a finished run's network, as {@code predict --json} does, and on
 * request adds what the network saw, every convolution's feature maps, and the Grad-CAM and saliency maps of the
 * predicted class. Networks are loaded once and kept (the last few used); one request at a time uses a network.
 */
final class ModelPlayground {
    private static final int KEPT = 4;
    private final Map<Path, TrainedModel> models = new LinkedHashMap<>(8, 0.75f, true);

    /** What to add to the prediction. */
    record Options(boolean explain, boolean maps, ImagePreprocessor.Invert invert) {
    }

    private synchronized TrainedModel model(Path runDir) {
        TrainedModel m = models.get(runDir);
        if (m == null) {
            m = TrainedModel.load(runDir);
            models.put(runDir, m);
            if (models.size() > KEPT) {
                models.remove(models.keySet().iterator().next());
            }
        }
        return m;
    }

    Map<String, Object> predict(Path runDir, byte[] image, Options options) throws IOException {
        BufferedImage img = decode(image);
        TrainedModel model;
        try {
            model = model(runDir);
        } catch (BadInputException e) {
            throw new ApiError(409, "this run's model cannot be used: " + e.getMessage());
        }
        synchronized (model) {
            ImagePreprocessor.Prepared p;
            try {
                p = model.prepare(img, options.invert());
            } catch (BadInputException e) {
                throw ApiError.badRequest(e.getMessage());
            }
            float[] probs = model.network().output(Nd4j.create(p.pixels(), new long[] {1, p.pixels().length}, 'c')).dup('c').data().asFloat();
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < probs.length; i++) {
                order.add(i);
            }
            order.sort(Comparator.comparingDouble((Integer i) -> probs[i]).reversed());
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("file", "upload");
            out.put("label", model.classNames().get(order.get(0)));
            out.put("probability", (double) probs[order.get(0)]);
            out.put("top", order.stream().limit(3).map(i -> Map.of("label", model.classNames().get(i), "probability", (double) probs[i])).toList());
            out.put("class_index", order.get(0));
            out.put("inverted", p.inverted());
            out.put("input_png", dataUrl(Overlays.enlarge(p.seen(), scale(p.seen()))));
            if (options.explain()) {
                out.put("explanation", explain(model, p));
            }
            if (options.maps()) {
                List<Map<String, Object>> maps = new ArrayList<>();
                if (model.inputShape().isImage()) {
                    for (ActivationMaps.LayerMaps l : ActivationMaps.compute(model.network(), p.pixels())) {
                        Map<String, Object> m = new LinkedHashMap<>();
                        m.put("layer", l.name());
                        m.put("activation", l.activation());
                        m.put("maps", l.after().length);
                        m.put("size", l.after()[0].length + "x" + l.after()[0][0].length);
                        m.put("png", dataUrl(ActivationMaps.gridImage(l.name() + " after " + l.activation(), l.after())));
                        maps.add(m);
                    }
                }
                out.put("feature_maps", maps);
            }
            return out;
        }
    }

    private static Map<String, Object> explain(TrainedModel model, ImagePreprocessor.Prepared p) throws IOException {
        Explanation e;
        try {
            e = new Explainer(model.network(), model.inputShape()).explain(p.pixels());
        } catch (IllegalArgumentException ex) {
            throw ApiError.badRequest("no explanation for this network: " + ex.getMessage());
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("class", model.classNames().get(e.cls()));
        m.put("class_index", e.cls());
        m.put("logit", e.logit());
        m.put("height", e.height());
        m.put("width", e.width());
        int f = scale(p.seen());
        m.put("saliency", e.rows(e.saliency()));
        m.put("saliency_png", dataUrl(Overlays.enlarge(Overlays.heat(e.saliency(), e.height(), e.width()), f)));
        if (e.gradCam() != null) {
            m.put("grad_cam_layer", e.gradCamLayer());
            m.put("grad_cam", e.rows(e.gradCam()));
            m.put("grad_cam_png", dataUrl(Overlays.enlarge(Overlays.over(p.seen(), e.gradCam()), f)));
        } else {
            m.put("grad_cam_layer", null);
            m.put("grad_cam_note", "no convolution in this network: Grad-CAM needs one; the saliency map is shown alone");
        }
        return m;
    }

    private static int scale(BufferedImage img) {
        return Math.max(1, 224 / Math.max(img.getWidth(), img.getHeight()));
    }

    static String dataUrl(BufferedImage img) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return "data:image/png;base64," + Base64.getEncoder().encodeToString(out.toByteArray());
    }

    /** Decodes with predict's limits (the size in the header checked before any pixel is allocated). */
    private static BufferedImage decode(byte[] bytes) throws IOException {
        Path tmp = Files.createTempFile("deepnets-upload", ".img");
        try {
            Files.write(tmp, bytes);
            try {
                return ImagePreprocessor.read(tmp);
            } catch (BadInputException e) {
                throw ApiError.badRequest(e.getMessage().replace(tmp.toString(), "the upload"));
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
