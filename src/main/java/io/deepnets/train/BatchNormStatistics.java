package io.deepnets.train;

import io.deepnets.engine.TrainingStep;
import io.deepnets.model.Network;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Batch normalisation's moving statistics recomputed for weights that never trained with them (the average of
 * stochastic weight averaging), as PyTorch's {@code torch.optim.swa_utils.update_bn} does: every batch passes forward
 * in training mode (each batch normalisation normalising by the batch's own statistics, as in a training step, with
 * no weight changed), and each layer's moving mean and variance become the plain mean over the batches of the batch
 * means and variances ({@code momentum=None}). The batch variance is the one DL4J's layer (and Keras's) moves its
 * statistics with, over the batch and the spatial positions, not Bessel-corrected (PyTorch's is; over a batch of 128
 * images of 32x32 positions the two differ by a factor of 1.00001). Frozen layers keep theirs: they run in inference
 * mode in training as well. A batch passes through the training step's own forward pass where it has one (the
 * oneDNN engine's, no gradient taken), else through DL4J's {@code feedForward}.
 */
public final class BatchNormStatistics {
    private final Network net;
    private final List<Site> sites = new ArrayList<>();
    private int batches;

    /** One unfrozen batch normalisation layer, where its input comes from, and the sums of its batch statistics. */
    private static final class Site {
        final Layer layer;
        final BatchNormalization conf;
        final String input;
        final InputPreProcessor preProcessor;
        INDArray meanSum;
        INDArray varSum;

        Site(Layer layer, String input, InputPreProcessor preProcessor) {
            this.layer = layer;
            this.conf = (BatchNormalization) layer.conf().getLayer();
            this.input = input;
            this.preProcessor = preProcessor;
        }
    }

    /** Starts a recount for every unfrozen batch normalisation layer of {@code net}. */
    public BatchNormStatistics(Network net) {
        this.net = net;
        if (net.graph().isPresent()) {
            ComputationGraph graph = net.graph().get();
            for (GraphVertex v : graph.getVertices()) {
                if (v.hasLayer() && v.getLayer() instanceof org.deeplearning4j.nn.layers.normalization.BatchNormalization
                        && !(v instanceof org.deeplearning4j.nn.graph.vertex.impl.FrozenVertex)) {
                    List<String> inputs = graph.getConfiguration().getVertexInputs().get(v.getVertexName());
                    InputPreProcessor pre = v instanceof org.deeplearning4j.nn.graph.vertex.impl.LayerVertex lv ? lv.getLayerPreProcessor() : null;
                    sites.add(new Site(v.getLayer(), inputs.get(0), pre));
                }
            }
        } else {
            MultiLayerNetwork stack = net.stack().orElseThrow();
            for (int i = 0; i < stack.getnLayers(); i++) {
                if (stack.getLayer(i) instanceof org.deeplearning4j.nn.layers.normalization.BatchNormalization) {
                    sites.add(new Site(stack.getLayer(i), String.valueOf(i), stack.getLayerWiseConfigurations().getInputPreProcess(i)));
                }
            }
        }
    }

    /** The number of layers whose statistics are recounted. */
    public int layers() {
        return sites.size();
    }

    /** Passes one batch of training rows (as the network takes them) forward in training mode and adds its statistics. */
    public void add(INDArray features) {
        if (sites.isEmpty()) {
            return;
        }
        Map<String, INDArray> acts = new LinkedHashMap<>();
        java.util.Set<String> inputs = java.util.Set.of("0");
        if (net.graph().isPresent()) {
            inputs = java.util.Set.copyOf(net.graph().get().getConfiguration().getNetworkInputs());
            acts.putAll(net.graph().get().feedForward(net.input(features), true));
        } else {
            // feedForward's list holds the network's input at 0, then each layer's output: layer i's input is entry i.
            List<INDArray> list = net.stack().get().feedForward(features, true);
            for (int i = 0; i < list.size(); i++) {
                acts.put(String.valueOf(i), list.get(i));
            }
        }
        for (Site s : sites) {
            INDArray x = acts.get(s.input);
            if (s.preProcessor != null) {
                x = s.preProcessor.preProcess(x, (int) x.size(0), LayerWorkspaceMgr.noWorkspaces());
            }
            int[] dims = x.rank() == 4 ? new int[] {0, 2, 3} : new int[] {0};
            accumulate(s, x.mean(dims).reshape(-1), x.var(false, dims).reshape(-1));
        }
        batches++;
        net.clearLayersStates();
        // Every layer's activations of the batch were copied out for this pass alone: freed now, not when the garbage
        // collector finds them (ResNet-20 over 20 batches of 128 peaked at 6.3 GB resident without this, 3.5 GB with it).
        java.util.Set<INDArray> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (Map.Entry<String, INDArray> a : acts.entrySet()) {
            if (!inputs.contains(a.getKey()) && seen.add(a.getValue()) && a.getValue().closeable()) {
                a.getValue().close();
            }
        }
    }

    /**
     * Adds one batch's statistics as a training step computed them in its own training-mode forward pass
     * ({@link TrainingStep#batchNormStatistics}); false, adding nothing, unless they are of exactly this recount's layers.
     */
    public boolean add(List<TrainingStep.BatchStatistics> batch) {
        if (batch.size() != sites.size()) {
            return false;
        }
        TrainingStep.BatchStatistics[] bySite = new TrainingStep.BatchStatistics[sites.size()];
        for (TrainingStep.BatchStatistics b : batch) {
            int i = 0;
            while (i < sites.size() && sites.get(i).layer != b.layer()) {
                i++;
            }
            if (i == sites.size() || bySite[i] != null) {
                return false;
            }
            bySite[i] = b;
        }
        for (int i = 0; i < bySite.length; i++) {
            accumulate(sites.get(i), Nd4j.createFromArray(bySite[i].mean()), Nd4j.createFromArray(bySite[i].variance()));
        }
        batches++;
        return true;
    }

    private static void accumulate(Site s, INDArray mean, INDArray var) {
        if (s.meanSum == null) {
            s.meanSum = mean.dup();
            s.varSum = var.dup();
        } else {
            s.meanSum.addi(mean);
            s.varSum.addi(var);
        }
    }

    /** Sets every layer's moving mean and variance to the mean of the batches' (nothing when no batch was added). */
    public void apply() {
        if (batches == 0) {
            return;
        }
        for (Site s : sites) {
            INDArray mean = s.meanSum.div(batches);
            INDArray var = s.varSum.div(batches);
            s.layer.getParam("mean").assign(mean.reshape(s.layer.getParam("mean").shape()));
            if (s.conf.isUseLogStd()) {
                // DL4J's log-std form keeps log10(sqrt(var + eps)) in place of the variance.
                INDArray logStd = org.nd4j.linalg.ops.transforms.Transforms.log(
                        org.nd4j.linalg.ops.transforms.Transforms.sqrt(var.add(s.conf.getEps()), false), 10, false);
                s.layer.getParam("log10stdev").assign(logStd.reshape(s.layer.getParam("log10stdev").shape()));
            } else {
                s.layer.getParam("var").assign(var.reshape(s.layer.getParam("var").shape()));
            }
        }
    }
}
