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
        // Keras's column widths (28, 26, 10); the first grows to fit long names such as batch_normalization_1.
        int first = 28;
        for (Row r : rows) {
            first = Math.max(first, r.layer().length() + r.type().length() + 4);
        }
        boolean anyFrozen = rows.stream().anyMatch(Row::frozen);
        int width = first + 37 + (anyFrozen ? 7 : 0);
        String line = "_".repeat(width);
        String format = " %-" + first + "s%-26s%-10s%s%n";
        StringBuilder sb = new StringBuilder();
        sb.append("Model: \"").append(name).append("\"\n").append(line).append('\n');
        sb.append(String.format(Locale.ROOT, format, "Layer (type)", "Output Shape", "Param #", anyFrozen ? "Trainable" : ""));
        sb.append("=".repeat(width)).append('\n');
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            sb.append(String.format(Locale.ROOT, format, r.layer() + " (" + r.type() + ")", r.outputShape().keras(),
                    String.format(Locale.ROOT, "%,d", r.params()), anyFrozen ? (r.frozen() ? "frozen" : "yes") : ""));
            sb.append(i == rows.size() - 1 ? "=".repeat(width) : "").append('\n');
        }
        sb.append(String.format(Locale.ROOT, "Total params: %,d%n", totalParams));
        sb.append(String.format(Locale.ROOT, "Trainable params: %,d%n", totalParams - nonTrainableParams));
        sb.append(String.format(Locale.ROOT, "Non-trainable params: %,d%n", nonTrainableParams)).append(line).append('\n');
        return sb.toString();
    }
}
