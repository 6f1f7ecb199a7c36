package io.deepnets.engine;

import io.deepnets.data.ImageSet;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.api.layers.IOutputLayer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.impl.LayerVertex;
import org.deeplearning4j.nn.layers.wrapper.BaseWrapperLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

/**
 * Where a training step's time goes, layer by layer, measured inside the real step: each of the network's DL4J
 * layers is wrapped in a timing layer for the duration, so DL4J drives them exactly as in training (its workspaces,
 * helpers, cache mode, pre-processors) and the network's {@link TrainingStep} runs unchanged. The update is the time
 * from the end of the backward pass (DL4J's {@code onBackwardPass} listener call) to the end of the step; what is
 * left of the step (batch assembly, pre-processors, workspace bookkeeping, the listener) is reported as "other".
 *
 * <p>The engine's own steps ({@link OneDnnTrainingStep}, {@link SmallConvTrainingStep}: a {@link SelfTimedStep}) do not
 * call DL4J's layers; they time their own stages (one per layer, and in a graph one per merge or flatten vertex too)
 * and the update.
 *
 * <p>Per direction: DL4J has one backward call per layer that returns the input gradient and fills the weight
 * gradient (libnd4j's {@code conv2d_bp}, and oneDNN's two backward primitives behind it, run as one op), so the two
 * are timed together; the first layer's input gradient, which nothing uses, is computed all the same.
 */
public final class LayerProfiler {
    private LayerProfiler() {
    }

    /** One layer's milliseconds per step: forward (training mode) and backward (input and weight gradients). */
    public record LayerTime(int index, String name, String type, String shape, double forwardMs, double backwardMs) {
    }

    /**
     * A network's profile.
     *
     * @param layers every layer in order; the output layer's forward includes the loss, its backward the loss gradient
     * @param updateMs from the end of the backward pass to the end of the step: the parameter update
     * @param otherMs the rest of the step: batch assembly, input pre-processors, a graph's merge vertices, workspaces, bookkeeping
     * @param stepMs a whole step through the chosen {@link TrainingStep}
     */
    public record Profile(int batch, int steps, String step, List<LayerTime> layers, double updateMs, double otherMs, double stepMs) {
    }

    /** Profiles {@code steps} steps (after {@code warmup}) on batches of {@code data} in {@code order}. */
    public static Profile run(MultiLayerNetwork net, ImageSet data, int[] order, int batch, int classes, int warmup, int steps) {
        return run(net, data, order, batch, classes, warmup, steps, java.util.Set.of());
    }

    /**
     * As {@link #run(MultiLayerNetwork, ImageSet, int[], int, int, int, int, java.util.Set)} for a stack or a graph. In a
     * graph each layer vertex's layer is wrapped (DL4J's {@code LayerVertex.setLayer}) and the rows follow the graph's
     * topological order, the order DL4J's forward pass visits them; the merge vertices ({@code add},
     * {@code concatenate}) and the flatten pre-processor vertices are not layers and count in "other".
     */
    public static Profile run(io.deepnets.model.Network network, ImageSet data, int[] order, int batch, int classes, int warmup, int steps,
            java.util.Set<String> without) {
        if (network.stack().isPresent()) {
            return run(network.stack().get(), data, order, batch, classes, warmup, steps, without);
        }
        ComputationGraph graph = network.graph().orElseThrow();
        List<LayerVertex> vertices = new ArrayList<>();
        for (int i : graph.topologicalSortOrder()) {
            if (graph.getVertices()[i] instanceof LayerVertex v) {
                vertices.add(v);
            }
        }
        int n = vertices.size();
        Layer[] original = new Layer[n];
        TimedLayer[] timed = new TimedLayer[n];
        for (int i = 0; i < n; i++) {
            original[i] = vertices.get(i).getLayer();
            timed[i] = original[i] instanceof IOutputLayer ? new TimedOutputLayer(original[i]) : new TimedLayer(original[i]);
        }
        BackwardEnd backwardEnd = new BackwardEnd();
        int perEpoch = Math.max(1, data.count() / batch);
        graph.getUpdater();
        try (TrainingStep step = TrainingStep.choose(network, batch, classes, without).step()) {
            if (step instanceof SelfTimedStep own) {
                return ownProfile(own, data, order, batch, warmup, steps);
            }
            for (int i = 0; i < n; i++) {
                vertices.get(i).setLayer(timed[i]);
            }
            graph.addListeners(backwardEnd);
            long update = 0;
            long total = 0;
            for (int s = 0; s < warmup + steps; s++) {
                for (TimedLayer t : timed) {
                    t.counting = s >= warmup;
                }
                int from = (s % perEpoch) * batch;
                long t0 = System.nanoTime();
                step.fit(data, order, from, from + batch);
                long t1 = System.nanoTime();
                if (s >= warmup) {
                    total += t1 - t0;
                    update += t1 - backwardEnd.at;
                }
            }
            String[] names = new String[n];
            for (int i = 0; i < n; i++) {
                names[i] = vertices.get(i).getVertexName();
            }
            return profile(batch, steps, step.kind(), original, names, timed, total, update);
        } finally {
            for (int i = 0; i < n; i++) {
                vertices.get(i).setLayer(original[i]);
            }
            graph.getListeners().remove(backwardEnd);
        }
    }

    /**
     * The engine's own steps time their own stages: one per layer, in a graph per merge or flatten vertex too (a graph's
     * "other" then holds batch assembly and the gradient sums alone).
     */
    private static Profile ownProfile(SelfTimedStep ops, ImageSet data, int[] order, int batch, int warmup, int steps) {
        int perEpoch = Math.max(1, data.count() / batch);
        List<String> names = ops.layerNames();
        List<String> types = ops.layerTypes();
        SelfTimedStep.LayerTimes times = new SelfTimedStep.LayerTimes(names.size());
        long total = 0;
        for (int s = 0; s < warmup + steps; s++) {
            if (s == warmup) {
                ops.timeLayers(times);
            }
            int from = (s % perEpoch) * batch;
            long t0 = System.nanoTime();
            ops.fit(data, order, from, from + batch);
            if (s >= warmup) {
                total += System.nanoTime() - t0;
            }
        }
        ops.timeLayers(null);
        List<LayerTime> layers = new ArrayList<>();
        double layerMs = 0;
        for (int i = 0; i < names.size(); i++) {
            double f = times.forward[i] / 1e6 / steps;
            double b = times.backward[i] / 1e6 / steps;
            layers.add(new LayerTime(i, names.get(i), types.get(i), times.shapes[i], f, b));
            layerMs += f + b;
        }
        double updateMs = times.update / 1e6 / steps;
        double stepMs = total / 1e6 / steps;
        return new Profile(batch, steps, ops.kind(), layers, updateMs, stepMs - layerMs - updateMs, stepMs);
    }

    private static Profile profile(int batch, int steps, String kind, Layer[] original, String[] names, TimedLayer[] timed, long total, long update) {
        List<LayerTime> layers = new ArrayList<>();
        double layerMs = 0;
        for (int i = 0; i < timed.length; i++) {
            TimedLayer t = timed[i];
            Object conf = original[i].conf().getLayer();
            if (original[i] instanceof org.deeplearning4j.nn.layers.FrozenLayer f) {
                conf = "Frozen" + f.getInsideLayer().conf().getLayer().getClass().getSimpleName();
            }
            layers.add(new LayerTime(i, names[i], conf instanceof String str ? str : conf.getClass().getSimpleName(),
                    t.shape, t.forward / 1e6 / steps, t.backward / 1e6 / steps));
            layerMs += (t.forward + t.backward) / 1e6 / steps;
        }
        double stepMs = total / 1e6 / steps;
        double updateMs = update / 1e6 / steps;
        return new Profile(batch, steps, kind, layers, updateMs, stepMs - layerMs - updateMs, stepMs);
    }

    /** As {@link #run(MultiLayerNetwork, ImageSet, int[], int, int, int, int)} without the steps named in {@code without}. */
    public static Profile run(MultiLayerNetwork net, ImageSet data, int[] order, int batch, int classes, int warmup, int steps,
            java.util.Set<String> without) {
        int n = net.getnLayers();
        Layer[] original = net.getLayers().clone();
        TimedLayer[] timed = new TimedLayer[n];
        for (int i = 0; i < n; i++) {
            timed[i] = original[i] instanceof IOutputLayer ? new TimedOutputLayer(original[i]) : new TimedLayer(original[i]);
        }
        BackwardEnd backwardEnd = new BackwardEnd();
        int perEpoch = Math.max(1, data.count() / batch);
        // The step (and DL4J's solver and updater) are made before the layers are wrapped: they hold the real layers.
        net.getUpdater();
        try (TrainingStep step = TrainingStep.choose(net, batch, classes, without).step()) {
            // The engine's own steps never call DL4J's layers: they time their own stages (one per layer).
            if (step instanceof SelfTimedStep own) {
                return ownProfile(own, data, order, batch, warmup, steps);
            }
            net.setLayers(timed);
            net.addListeners(backwardEnd);
            long update = 0;
            long total = 0;
            for (int s = 0; s < warmup + steps; s++) {
                boolean counting = s >= warmup;
                for (TimedLayer t : timed) {
                    t.counting = counting;
                }
                int from = (s % perEpoch) * batch;
                long t0 = System.nanoTime();
                step.fit(data, order, from, from + batch);
                long t1 = System.nanoTime();
                if (counting) {
                    total += t1 - t0;
                    update += t1 - backwardEnd.at;
                }
            }
            String[] names = new String[n];
            for (int i = 0; i < n; i++) {
                names[i] = original[i].conf().getLayer().getLayerName();
            }
            return profile(batch, steps, step.kind(), original, names, timed, total, update);
        } finally {
            net.setLayers(original);
            net.getListeners().remove(backwardEnd);
        }
    }

    /** Notes when DL4J finishes a backward pass. */
    private static final class BackwardEnd extends BaseTrainingListener {
        long at;

        @Override
        public void onBackwardPass(Model model) {
            at = System.nanoTime();
        }
    }

    /** Times the forward and backward calls DL4J makes on one layer. */
    private static class TimedLayer extends BaseWrapperLayer {
        boolean counting;
        long forward;
        long backward;
        String shape = "";

        TimedLayer(Layer underlying) {
            super(underlying);
        }

        final <T> T forward(java.util.function.Supplier<T> call) {
            long t0 = System.nanoTime();
            T out = call.get();
            if (counting) {
                forward += System.nanoTime() - t0;
            }
            return out;
        }

        @Override
        public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
            INDArray out = forward(() -> underlying.activate(training, workspaceMgr));
            shape = java.util.Arrays.toString(out.shape());
            return out;
        }

        @Override
        public INDArray activate(INDArray input, boolean training, LayerWorkspaceMgr workspaceMgr) {
            INDArray out = forward(() -> underlying.activate(input, training, workspaceMgr));
            shape = java.util.Arrays.toString(out.shape());
            return out;
        }

        @Override
        public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
            long t0 = System.nanoTime();
            Pair<Gradient, INDArray> out = underlying.backpropGradient(epsilon, workspaceMgr);
            if (counting) {
                backward += System.nanoTime() - t0;
            }
            return out;
        }
    }

    /** The output layer: DL4J computes the loss through {@link IOutputLayer#computeScore}, counted as forward. */
    private static final class TimedOutputLayer extends TimedLayer implements IOutputLayer {
        private final IOutputLayer out;

        TimedOutputLayer(Layer underlying) {
            super(underlying);
            this.out = (IOutputLayer) underlying;
            shape = "[loss]";
        }

        @Override
        public boolean needsLabels() {
            return out.needsLabels();
        }

        @Override
        public void setLabels(INDArray labels) {
            out.setLabels(labels);
        }

        @Override
        public INDArray getLabels() {
            return out.getLabels();
        }

        @Override
        public double computeScore(double fullNetworkRegScore, boolean training, LayerWorkspaceMgr workspaceMgr) {
            return forward(() -> out.computeScore(fullNetworkRegScore, training, workspaceMgr));
        }

        @Override
        public INDArray computeScoreForExamples(double fullNetworkRegScore, LayerWorkspaceMgr workspaceMgr) {
            return out.computeScoreForExamples(fullNetworkRegScore, workspaceMgr);
        }

        @Override
        public double f1Score(DataSet data) {
            return out.f1Score(data);
        }

        @Override
        public double f1Score(INDArray examples, INDArray labels) {
            return out.f1Score(examples, labels);
        }

        @Override
        public int numLabels() {
            return out.numLabels();
        }

        @Override
        public void fit(DataSetIterator iter) {
            out.fit(iter);
        }

        @Override
        public int[] predict(INDArray examples) {
            return out.predict(examples);
        }

        @Override
        public List<String> predict(DataSet dataSet) {
            return out.predict(dataSet);
        }

        @Override
        public void fit(INDArray examples, INDArray labels) {
            out.fit(examples, labels);
        }

        @Override
        public void fit(DataSet data) {
            out.fit(data);
        }

        @Override
        public void fit(INDArray examples, int[] labels) {
            out.fit(examples, labels);
        }
    }
}
