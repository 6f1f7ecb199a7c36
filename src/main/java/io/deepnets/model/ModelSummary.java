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
public record ModelSummary(String name, List<Row> rows, long totalParams, long nonTrainableParams, boolean graph) {

    /** One Keras layer; {@code connectedTo} are the layers whose outputs it takes (the functional summary's column). */
    public record Row(String layer, String type, TensorShape outputShape, long params, boolean frozen, List<String> connectedTo) {
        public Row(String layer, String type, TensorShape outputShape, long params, boolean frozen) {
            this(layer, type, outputShape, params, frozen, List.of());
        }
    }

    public ModelSummary(String name, List<Row> rows, long totalParams, long nonTrainableParams) {
        this(name, rows, totalParams, nonTrainableParams, false);
    }

    /**
     * The summary of {@code config}'s network: Keras's {@code Sequential} table for a stack, its functional table (an
     * input row and a "Connected to" column) for a graph.
     */
    public static ModelSummary of(ExperimentConfig config, long dl4jParams) {
        List<Row> rows = new ArrayList<>();
        List<TensorShape> shapes = config.model().outputShapes();
        List<Long> params = config.model().layerParams();
        List<String> names = config.model().layerNames();
        boolean graph = config.model().isGraph();
        if (graph) {
            rows.add(new Row(io.deepnets.config.ModelConfig.INPUT, "InputLayer", config.model().inputShape(), 0, false, List.of()));
        }
        for (int i = 0; i < config.model().layers().size(); i++) {
            LayerConfig layer = config.model().layers().get(i);
            rows.add(new Row(names.get(i), layer.kerasClass(), shapes.get(i), params.get(i), config.model().isFrozen(i),
                    graph ? config.model().inputs().get(i) : List.of()));
        }
        return new ModelSummary(config.name(), rows, dl4jParams, config.model().nonTrainableParams(), graph);
    }

    public String render() {
        // Keras's column widths (28, 26, 10); the first grows to fit long names such as batch_normalization_1.
        int first = 28;
        for (Row r : rows) {
            first = Math.max(first, r.layer().length() + r.type().length() + 4);
        }
        boolean anyFrozen = rows.stream().anyMatch(Row::frozen);
        int connected = 0;
        for (Row r : rows) {
            for (String c : r.connectedTo()) {
                connected = Math.max(connected, c.length() + 6);
            }
        }
        connected = graph ? Math.max(connected, 12) + 2 : 0;
        int width = first + 37 + (anyFrozen ? (graph ? 10 : 7) : 0) + connected;
        String line = "_".repeat(width);
        String format = " %-" + first + "s%-26s%-10s" + (anyFrozen && graph ? "%-10s" : "%s") + (graph ? "%s" : "") + "%n";
        StringBuilder sb = new StringBuilder();
        sb.append("Model: \"").append(name).append("\"\n").append(line).append('\n');
        sb.append(graph ? String.format(Locale.ROOT, format, "Layer (type)", "Output Shape", "Param #", anyFrozen ? "Trainable" : "", "Connected to")
                : String.format(Locale.ROOT, format, "Layer (type)", "Output Shape", "Param #", anyFrozen ? "Trainable" : ""));
        sb.append("=".repeat(width)).append('\n');
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            String trainable = anyFrozen && !"InputLayer".equals(r.type()) ? (r.frozen() ? "frozen" : "yes") : "";
            String params = String.format(Locale.ROOT, "%,d", r.params());
            if (graph) {
                // Keras's functional summary: one line per input, as layer[node][tensor].
                List<String> in = r.connectedTo().isEmpty() ? List.of("") : r.connectedTo();
                for (int k = 0; k < in.size(); k++) {
                    String c = in.get(k).isEmpty() ? "[]" : in.get(k) + "[0][0]";
                    sb.append(k == 0 ? String.format(Locale.ROOT, format, r.layer() + " (" + r.type() + ")", r.outputShape().keras(), params, trainable, c)
                            : String.format(Locale.ROOT, format, "", "", "", "", c));
                }
            } else {
                sb.append(String.format(Locale.ROOT, format, r.layer() + " (" + r.type() + ")", r.outputShape().keras(), params, trainable));
            }
            sb.append(i == rows.size() - 1 ? "=".repeat(width) : "").append('\n');
        }
        sb.append(String.format(Locale.ROOT, "Total params: %,d%n", totalParams));
        sb.append(String.format(Locale.ROOT, "Trainable params: %,d%n", totalParams - nonTrainableParams));
        sb.append(String.format(Locale.ROOT, "Non-trainable params: %,d%n", nonTrainableParams)).append(line).append('\n');
        return sb.toString();
    }
}
