package io.deepnets.report;

import io.deepnets.config.LayerConfig;
import io.deepnets.config.ModelConfig;
import io.deepnets.config.TensorShape;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The network as Keras's {@code plot_model(show_shapes=True)} draws it: a box per layer with its name, type and output
 * shape, an arrow from each of its inputs, parallel branches side by side. Laid out here (no Graphviz): each layer
 * sits one row below the lowest of its inputs (the longest path from the input), a row's boxes are ordered by where
 * their inputs sit and centred; an arrow that skips rows (a residual shortcut, an inception branch that ends early)
 * runs through narrow pass-through slots in the rows between, beside their boxes. Drawn as SVG by
 * {@code parts/network.jte}.
 *
 * @param width the drawing's width in pixels
 * @param height its height
 */
public record NetworkDiagram(int width, int height, List<Box> boxes, List<Arrow> arrows) {

    /** One layer (or the input) at {@code (x, y)}, its top-left corner. */
    public record Box(int x, int y, int w, int h, String name, String type, String shape, boolean frozen, boolean merge) {
        public int centerX() {
            return x + w / 2;
        }

        public int textY(int line) {
            return y + 16 + 15 * line;
        }
    }

    /** An arrow as an SVG path ({@code d}) ending at its target's top edge. */
    public record Arrow(String path) {
    }

    static final int BOX_W = 210;
    static final int BOX_H = 52;
    static final int COLUMN = 240;
    static final int ROW = 80;
    static final int MARGIN = 30;
    /** The width of a pass-through slot, in columns. */
    static final double PASS = 0.25;

    /** The picture as an SVG element (the run report's, for pages that show it elsewhere). */
    public String svg() {
        return PageTemplates.render("parts/network.jte", this);
    }

    /** The diagram of {@code model}, stack or graph. */
    public static NetworkDiagram of(ModelConfig model) {
        int n = model.layers().size();
        List<String> names = new ArrayList<>();
        names.add(ModelConfig.INPUT);
        names.addAll(model.layerNames());
        List<TensorShape> shapes = new ArrayList<>();
        shapes.add(model.inputShape());
        shapes.addAll(model.outputShapes());
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < names.size(); i++) {
            index.put(names.get(i), i);
        }
        List<List<Integer>> inputs = new ArrayList<>();
        inputs.add(List.of());
        for (List<String> in : model.inputs()) {
            inputs.add(in.stream().map(index::get).toList());
        }
        int[] rank = new int[n + 1];
        int rows = 1;
        for (int v = 1; v <= n; v++) {
            for (int u : inputs.get(v)) {
                rank[v] = Math.max(rank[v], rank[u] + 1);
            }
            rows = Math.max(rows, rank[v] + 1);
        }
        // An arrow that skips rows runs through a chain of invisible slots, one per row it crosses (as Sugiyama's layered
        // drawing does), so the rows make room for it and it never crosses a box.
        List<Integer> nodeRank = new ArrayList<>();
        List<List<Integer>> nodeInputs = new ArrayList<>();
        for (int v = 0; v <= n; v++) {
            nodeRank.add(rank[v]);
            nodeInputs.add(new ArrayList<>());
        }
        List<List<Integer>> chains = new ArrayList<>();
        for (int v = 1; v <= n; v++) {
            for (int u : inputs.get(v)) {
                List<Integer> chain = new ArrayList<>(List.of(u));
                int previous = u;
                for (int r = rank[u] + 1; r < rank[v]; r++) {
                    int dummy = nodeRank.size();
                    nodeRank.add(r);
                    nodeInputs.add(new ArrayList<>(List.of(previous)));
                    chain.add(dummy);
                    previous = dummy;
                }
                nodeInputs.get(v).add(previous);
                chain.add(v);
                chains.add(chain);
            }
        }
        int nodes = nodeRank.size();
        List<List<Integer>> byRow = new ArrayList<>();
        for (int r = 0; r < rows; r++) {
            byRow.add(new ArrayList<>());
        }
        for (int v = 0; v < nodes; v++) {
            byRow.get(nodeRank.get(v)).add(v);
        }
        double[] slot = new double[nodes];
        double widest = 1;
        for (List<Integer> row : byRow) {
            // Ordered by the mean slot of their inputs (barycentre), ties in config order, pass-through slots after the
            // layers: branches keep their order and a shortcut runs beside the path it skips.
            row.sort(Comparator.comparingDouble((Integer v) -> nodeInputs.get(v).stream().mapToDouble(u -> slot[u]).average().orElse(0))
                    .thenComparingInt(v -> v));
            double span = 0;
            for (int v : row) {
                span += v <= n ? 1 : PASS;
            }
            double at = -(span - (row.get(0) <= n ? 1 : PASS)) / 2.0;
            for (int k = 0; k < row.size(); k++) {
                int v = row.get(k);
                slot[v] = at;
                if (k + 1 < row.size()) {
                    at += ((v <= n ? 1 : PASS) + (row.get(k + 1) <= n ? 1 : PASS)) / 2.0;
                }
            }
            widest = Math.max(widest, span);
        }
        double minSlot = 0;
        double maxSlot = 0;
        for (double x : slot) {
            minSlot = Math.min(minSlot, x);
            maxSlot = Math.max(maxSlot, x);
        }
        int width = (int) Math.ceil(2 * MARGIN + (maxSlot - minSlot) * COLUMN + BOX_W);
        double center = MARGIN + BOX_W / 2.0 - minSlot * COLUMN;
        List<Box> boxes = new ArrayList<>();
        for (int v = 0; v <= n; v++) {
            int x = (int) Math.round(center + slot[v] * COLUMN - BOX_W / 2.0);
            int y = MARGIN + rank[v] * ROW;
            LayerConfig layer = v == 0 ? null : model.layers().get(v - 1);
            String type = v == 0 ? "InputLayer" : layer.kerasClass();
            boxes.add(new Box(x, y, BOX_W, BOX_H, names.get(v), type, shapes.get(v).keras(), v > 0 && model.isFrozen(v - 1),
                    layer instanceof LayerConfig.Merge));
        }
        List<Arrow> arrows = new ArrayList<>();
        for (List<Integer> chain : chains) {
            Box from = boxes.get(chain.get(0));
            Box to = boxes.get(chain.get(chain.size() - 1));
            int x = from.centerX();
            int y = from.y() + from.h();
            StringBuilder d = new StringBuilder(String.format(Locale.ROOT, "M%d,%d", x, y));
            for (int k = 1; k < chain.size(); k++) {
                int v = chain.get(k);
                boolean last = k == chain.size() - 1;
                int nx = last ? to.centerX() : (int) Math.round(center + slot[v] * COLUMN);
                int ny = last ? to.y() : MARGIN + nodeRank.get(v) * ROW;
                d.append(String.format(Locale.ROOT, " C%d,%d %d,%d %d,%d", x, y + (ny - y) / 2, nx, y + (ny - y) / 2, nx, ny));
                if (!last) {
                    d.append(String.format(Locale.ROOT, " L%d,%d", nx, ny + BOX_H));
                    ny += BOX_H;
                }
                x = nx;
                y = ny;
            }
            arrows.add(new Arrow(d.toString()));
        }
        int height = 2 * MARGIN + (rows - 1) * ROW + BOX_H;
        return new NetworkDiagram(width, height, boxes, arrows);
    }
}
