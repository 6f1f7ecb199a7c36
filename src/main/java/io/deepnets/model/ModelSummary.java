package io.deepnets.model;

import io.deepnets.config.ExperimentConfig;
import io.deepnets.config.LayerConfig;
import io.deepnets.config.TensorShape;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The model table as Keras's {@code model.summary()} prints it: one row per Keras layer with its output shape
 * and parameter count, and the totals. The total is DL4J's own count of the built network.
 */
public record ModelSummary(String name, List<Row> rows, long totalParams, long nonTrainableParams) {

    /** One Keras layer. */
    public record Row(String layer, String type, TensorShape outputShape, long params, boolean frozen) {
    }

    public static ModelSummary of(ExperimentConfig config, long dl4jParams) {
        List<Row> rows = new ArrayList<>();
        List<TensorShape> shapes = config.model().outputShapes();
        List<Long> params = config.model().layerParams();
        List<String> names = config.model().layerNames();
        for (int i = 0; i < config.model().layers().size(); i++) {
            LayerConfig layer = config.model().layers().get(i);
            rows.add(new Row(names.get(i), layer.kerasClass(), shapes.get(i), params.get(i), config.model().isFrozen(i)));
        }
        return new ModelSummary(config.name(), rows, dl4jParams, config.model().nonTrainableParams());
    }

    public String render() {
        String line = "_".repeat(65);
        StringBuilder sb = new StringBuilder();
        sb.append("Model: \"").append(name).append("\"\n").append(line).append('\n');
        sb.append(String.format(Locale.ROOT, " %-28s%-26s%-10s%n", "Layer (type)", "Output Shape", "Param #"));
        sb.append("=".repeat(65)).append('\n');
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            sb.append(String.format(Locale.ROOT, " %-28s%-26s%-10s%s%n", r.layer() + " (" + r.type() + ")", r.outputShape().keras(),
                    String.format(Locale.ROOT, "%,d", r.params()), r.frozen() ? "frozen" : ""));
            sb.append(i == rows.size() - 1 ? "=".repeat(65) : "").append('\n');
        }
        sb.append(String.format(Locale.ROOT, "Total params: %,d%n", totalParams));
        sb.append(String.format(Locale.ROOT, "Trainable params: %,d%n", totalParams - nonTrainableParams));
        sb.append(String.format(Locale.ROOT, "Non-trainable params: %,d%n", nonTrainableParams)).append(line).append('\n');
        return sb.toString();
    }
}
