package io.deepnets.model;

import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/**
 * A trained or training network as DL4J holds it: a {@link MultiLayerNetwork} for a stack of layers, a
 * {@link ComputationGraph} for a graph (branches, {@code add}, {@code concatenate}). The rest of the application trains,
 * evaluates, saves and reads networks through this one type; the fast training steps, which compute stacks only, ask
 * for {@link #stack()}.
 *
 * <p>Batches arrive as the readers store them: one flat row per sample, channels first. A stack reshapes them itself
 * (DL4J's preprocessor of {@code InputType.convolutionalFlat}); a graph whose input feeds several layers takes them as
 * images, reshaped here.
 */
public final class Network {
    private final MultiLayerNetwork stack;
    private final ComputationGraph graph;
    private final long[] imageShape;

    private Network(MultiLayerNetwork stack, ComputationGraph graph, long[] imageShape) {
        this.stack = stack;
        this.graph = graph;
        this.imageShape = imageShape;
    }

    public static Network of(MultiLayerNetwork stack) {
        return new Network(stack, null, null);
    }

    /**
     * @param imageShape {@code [channels, height, width]} of the input for image networks, null for flat input
     */
    public static Network of(ComputationGraph graph, long[] imageShape) {
        return new Network(null, graph, imageShape == null ? null : imageShape.clone());
    }

    /**
     * Reads a network saved by {@link #save}, a stack or a graph as the file holds; {@code imageShape} is the config's
     * input ({@code [channels, height, width]}, null for flat input).
     */
    public static Network read(File zip, long[] imageShape, boolean withUpdater) throws IOException {
        return isGraph(zip) ? of(ModelSerializer.restoreComputationGraph(zip, withUpdater), imageShape)
                : of(ModelSerializer.restoreMultiLayerNetwork(zip, withUpdater));
    }

    /** Whether a model zip holds a graph: DL4J writes a graph's configuration with its vertices, a stack's without. */
    public static boolean isGraph(File zip) throws IOException {
        try (java.util.zip.ZipFile z = new java.util.zip.ZipFile(zip)) {
            java.util.zip.ZipEntry e = z.getEntry("configuration.json");
            if (e == null) {
                throw new IOException("not a DL4J model file (no configuration.json inside)");
            }
            try (java.io.InputStream in = z.getInputStream(e)) {
                String json = new String(in.readNBytes(1 << 26), java.nio.charset.StandardCharsets.UTF_8);
                return json.contains("\"vertices\"") && json.contains("\"networkInputs\"");
            }
        }
    }

    public boolean isGraph() {
        return graph != null;
    }

    /** The network as a stack, for the code that computes stacks only; empty for a graph. */
    public Optional<MultiLayerNetwork> stack() {
        return Optional.ofNullable(stack);
    }

    /** The graph; empty for a stack. */
    public Optional<ComputationGraph> graph() {
        return Optional.ofNullable(graph);
    }

    /** DL4J's common view of both kinds. */
    public Model model() {
        return graph != null ? graph : stack;
    }

    /** A graph's input as {@code [channels, height, width]}, null for a stack or flat input. */
    public long[] imageShape() {
        return imageShape == null ? null : imageShape.clone();
    }

    /** The features as the network takes them: images for a graph, the flat rows for a stack (it reshapes them itself). */
    public INDArray input(INDArray rows) {
        if (graph == null || imageShape == null || rows.rank() == 4) {
            return rows;
        }
        return rows.reshape('c', rows.size(0), imageShape[0], imageShape[1], imageShape[2]);
    }

    /** One gradient step on a batch (DL4J's {@code fit(DataSet)}), leaving the batch's loss as {@link #score()}. */
    public void fit(INDArray features, INDArray labels) {
        if (graph != null) {
            graph.fit(new DataSet(input(features), labels));
        } else {
            stack.fit(new DataSet(features, labels));
        }
    }

    /**
     * DL4J's forward and backward pass on a batch, as {@code fit} runs it before its update: the batch's loss in
     * {@link #score()}, the gradient in the network's flattened gradient view (listeners see the training forward pass).
     */
    public void computeGradientAndScore(INDArray features, INDArray labels) {
        if (graph != null) {
            graph.setInputs(input(features));
            graph.setLabels(labels);
            graph.computeGradientAndScore();
        } else {
            stack.setInput(features);
            stack.setLabels(labels);
            stack.computeGradientAndScore();
        }
    }

    /** Drops the inputs and activations the last pass kept, as {@code fit} does after its step. */
    public void clearLayersStates() {
        if (graph != null) {
            graph.clearLayersStates();
        } else {
            stack.clearLayersStates();
        }
    }

    /** The output layer's activations in inference mode. */
    public INDArray output(INDArray features) {
        return graph != null ? graph.outputSingle(false, input(features)) : stack.output(features, false);
    }

    /** The loss of the last step or score computation (batch mean plus the regularisation penalty). */
    public double score() {
        return model().score();
    }

    public INDArray params() {
        return model().params();
    }

    public void setParams(INDArray params) {
        model().setParams(params);
    }

    public long numParams() {
        return model().numParams();
    }

    /** The updater's state (one flat array over every layer's state), null when the updater keeps none. */
    public INDArray updaterState() {
        if (graph != null) {
            return graph.getUpdater() == null ? null : graph.getUpdater().getStateViewArray();
        }
        return stack.getUpdater() == null ? null : stack.getUpdater().getStateViewArray();
    }

    /** The output layer (the softmax classifier). */
    public Layer outputLayer() {
        return graph != null ? graph.getOutputLayer(0) : stack.getOutputLayer();
    }

    /** Keras's label smoothing of the output layer's cross-entropy; 0 without. */
    public double labelSmoothing() {
        return outputLayer().conf().getLayer() instanceof org.deeplearning4j.nn.conf.layers.BaseOutputLayer o
                ? KerasCategoricalCrossentropy.smoothingOf(o.getLossFn()) : 0.0;
    }

    /** The layers with parameters or activations, in DL4J's order (a graph's in topological order). */
    public Layer[] layers() {
        return graph != null ? graph.getLayers() : stack.getLayers();
    }

    /** The layer DL4J built for a config layer named {@code name} (a stack's by index), or null when it has none (flatten, merges). */
    public Layer layer(String name, int stackIndex) {
        if (graph != null) {
            return graph.getVertex(name) != null && graph.getVertex(name).hasLayer() ? graph.getLayer(name) : null;
        }
        return stackIndex < 0 ? null : stack.getLayer(stackIndex);
    }

    public int iterationCount() {
        return graph != null ? graph.getIterationCount() : stack.getIterationCount();
    }

    public int epochCount() {
        return graph != null ? graph.getEpochCount() : stack.getEpochCount();
    }

    public void setIterationCount(int n) {
        if (graph != null) {
            graph.getConfiguration().setIterationCount(n);
        } else {
            stack.setIterationCount(n);
        }
    }

    public void setEpochCount(int n) {
        if (graph != null) {
            graph.getConfiguration().setEpochCount(n);
        } else {
            stack.setEpochCount(n);
        }
    }

    public void incrementEpochCount() {
        if (graph != null) {
            graph.incrementEpochCount();
        } else {
            stack.incrementEpochCount();
        }
    }

    public void setLearningRate(double lr) {
        if (graph != null) {
            graph.setLearningRate(lr);
        } else {
            stack.setLearningRate(lr);
        }
    }

    /** The L1/L2 penalty of the current weights, as DL4J adds it to the score. */
    public double regularizationScore() {
        return graph != null ? graph.calcRegularizationScore(true) : stack.calcRegularizationScore(true);
    }

    public Collection<TrainingListener> listeners() {
        return graph != null ? graph.getListeners() : stack.getListeners();
    }

    public void addListeners(TrainingListener... listeners) {
        if (graph != null) {
            graph.addListeners(listeners);
        } else {
            stack.addListeners(listeners);
        }
    }

    /**
     * Every layer's activations for one batch in inference mode, by DL4J layer or vertex name (a stack's layers are
     * named by their index), the output included.
     */
    public Map<String, INDArray> activations(INDArray features) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        if (graph != null) {
            out.putAll(graph.feedForward(input(features), false));
        } else {
            List<INDArray> list = stack.feedForward(features, false);
            for (int i = 1; i < list.size(); i++) {
                out.put(String.valueOf(i - 1), list.get(i));
            }
        }
        return out;
    }

    /** Writes the network (and the updater's state when {@code withUpdater}) as DL4J's model zip. */
    public void save(File zip, boolean withUpdater) throws IOException {
        ModelSerializer.writeModel(model(), zip, withUpdater);
    }

    /** As {@link #save(File, boolean)}, to a stream. */
    public void save(java.io.OutputStream out, boolean withUpdater) throws IOException {
        ModelSerializer.writeModel(model(), out, withUpdater);
    }

    /** The names of a graph's layers, in its topological order; a stack's indices. */
    public List<String> layerNames() {
        List<String> out = new ArrayList<>();
        for (Layer l : layers()) {
            out.add(graph != null ? l.conf().getLayer().getLayerName() : String.valueOf(l.getIndex()));
        }
        return out;
    }
}
