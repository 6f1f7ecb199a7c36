package io.deepnets.serve;

import io.deepnets.BadInputException;
import io.deepnets.explain.Explainer;
import io.deepnets.explain.Explanation;
import io.deepnets.explain.Overlays;
import io.deepnets.predict.ActivationMaps;
import io.deepnets.predict.ImagePreprocessor;
import io.deepnets.predict.Predictor;
import io.deepnets.predict.TrainedModel;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * "Try a model": classifies an uploaded image with a finished run's network, as {@code predict --json} does, and on
 * request adds what the network saw, every convolution's feature maps, and the Grad-CAM and saliency maps of the
 * predicted class. Networks are loaded once and kept (the last few used); one request at a time uses a network.
 */
final class ModelPlayground {
    private static final int KEPT = 4;
    /** The pictures' longer side, about (the input, Grad-CAM and saliency enlarged for the page). */
    static final int SHOWN_SIDE = 224;
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
            float[] probs = model.probabilities(p.pixels(), 1);
            List<Predictor.Scored> top = Predictor.top(probs, model.classNames(), 3);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("file", "upload");
            out.put("label", top.get(0).label());
            out.put("probability", top.get(0).probability());
            out.put("top", top.stream().map(Predictor.Scored::json).toList());
            out.put("class_index", top.get(0).index());
            out.put("inverted", p.inverted());
            out.put("input_png", dataUrl(Overlays.enlargedTo(p.seen(), SHOWN_SIDE)));
            if (options.explain()) {
                out.put("explanation", explain(model, p, top.get(0).index()));
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

    /** Where the network looked for class {@code cls} of the prepared image. */
    private static Map<String, Object> explain(TrainedModel model, ImagePreprocessor.Prepared p, int cls) throws IOException {
        Explanation e;
        try {
            e = new Explainer(model.network(), model.inputShape()).explain(p.pixels(), cls);
        } catch (IllegalArgumentException ex) {
            throw ApiError.badRequest("no explanation for this network: " + ex.getMessage());
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("class", model.classNames().get(e.cls()));
        m.put("class_index", e.cls());
        m.put("logit", e.logit());
        m.put("height", e.height());
        m.put("width", e.width());
        m.put("saliency", e.rows(e.saliency()));
        m.put("saliency_png", dataUrl(Overlays.enlargedTo(Overlays.heat(e.saliency(), e.height(), e.width()), SHOWN_SIDE)));
        if (e.gradCam() != null) {
            m.put("grad_cam_layer", e.gradCamLayer());
            m.put("grad_cam", e.rows(e.gradCam()));
            m.put("grad_cam_png", dataUrl(Overlays.enlargedTo(Overlays.over(p.seen(), e.gradCam()), SHOWN_SIDE)));
        } else {
            m.put("grad_cam_layer", null);
            m.put("grad_cam_note", "no convolution in this network: Grad-CAM needs one; the saliency map is shown alone");
        }
        return m;
    }

    static String dataUrl(BufferedImage img) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return "data:image/png;base64," + Base64.getEncoder().encodeToString(out.toByteArray());
    }

    /** Decodes with predict's limits (the size in the header checked before any pixel is allocated). */
    private static BufferedImage decode(byte[] bytes) {
        try {
            return ImagePreprocessor.read(bytes, "the upload");
        } catch (BadInputException e) {
            throw ApiError.badRequest(e.getMessage());
        }
    }
}
