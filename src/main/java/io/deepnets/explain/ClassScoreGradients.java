package io.deepnets.explain;

import io.deepnets.model.Network;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.layers.BaseOutputLayer;
import org.deeplearning4j.nn.layers.FrozenLayer;
import org.deeplearning4j.nn.layers.FrozenLayerWithBackprop;
import org.deeplearning4j.nn.layers.normalization.BatchNormalization;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The gradient of one class's score with respect to the input and to the output of one layer, for a single image,
 * with the network in inference mode (batch normalisation with its moving statistics, no dropout), as Keras's
 * {@code GradientTape} over {@code model(x, training=False)} gives it.
 *
 * <p>The score is the class's logit, the output layer's input times its weight column plus bias, before the softmax
 * (Grad-CAM's y<sup>c</sup>): its gradient with respect to the output layer's input is that weight column, so no loss
 * function is involved. Below the output each layer's own DL4J {@code backpropGradient} carries the gradient down, after
 * an inference-mode forward pass through that layer; two cases DL4J gets wrong or refuses outside training are
 * written here: batch normalisation in inference mode is the per-channel affine map
 * {@code gamma * (x - mean) / sqrt(var + eps) + beta}, whose derivative is {@code gamma / sqrt(var + eps)} (DL4J's
 * backprop assumes the batch's statistics), and dropout is the identity (DL4J's needs the mask of a training pass).
 * A frozen layer (transfer learning) is walked through its inner layer: DL4J's frozen wrapper stops the gradient.
 */
public final class ClassScoreGradients {
    private static final LayerWorkspaceMgr NO_WORKSPACES = LayerWorkspaceMgr.noWorkspaces();

    private ClassScoreGradients() {
    }

    /**
     * What the backward walk gives.
     *
     * @param probabilities the network's output (softmax) for the image
     * @param cls the class whose score was differentiated
     * @param logit the class's score before the softmax
     * @param input d logit / d input, in the network's input layout ({@code [1, n]} for a stack, {@code [1, c, h, w]} for a graph)
     * @param layerOutput the output of {@code layer} (null when no layer was asked for)
     * @param layerGradient d logit / d that output (same shape)
     */
    public record Result(INDArray probabilities, int cls, double logit, INDArray input, INDArray layerOutput, INDArray layerGradient) {
    }

    /**
     * The gradients of class {@code cls}'s logit (-1: the predicted class's) for {@code features} (one row, as {@link
     * Network#input} takes it),
     * with the output of the layer named {@code layer} ({@link Network#layerNames()}'s names; null for none).
     */
    public static Result of(Network net, INDArray features, int cls, String layer) {
        if (net.stack().isPresent()) {
            return ofStack(net.stack().get(), features, cls, layer == null ? -1 : net.layerNames().indexOf(layer));
        }
        return ofGraph(net.graph().orElseThrow(), net.input(features), cls, layer);
    }

    private static Result ofStack(MultiLayerNetwork net, INDArray x, int cls, int target) {
        List<INDArray> acts = net.feedForward(x, false);
        Layer[] layers = net.getLayers();
        int n = layers.length;
        INDArray probabilities = acts.get(n).dup();
        cls = cls < 0 ? probabilities.argMax(1).getInt(0) : cls;
        Layer outLayer = inner(layers[n - 1]);
        INDArray outIn = preProcess(net.getLayerWiseConfigurations().getInputPreProcess(n - 1), acts.get(n - 1));
        double logit = logit(outLayer, outIn, cls);
        INDArray eps = backpropPre(net.getLayerWiseConfigurations().getInputPreProcess(n - 1), scoreGradient(outLayer, cls));
        INDArray layerOutput = null;
        INDArray layerGradient = null;
        for (int i = n - 2; i >= 0; i--) {
            if (i == target) {
                layerOutput = acts.get(i + 1).dup();
                layerGradient = eps.dup();
            }
            InputPreProcessor pp = net.getLayerWiseConfigurations().getInputPreProcess(i);
            eps = backpropPre(pp, backward(inner(layers[i]), preProcess(pp, acts.get(i)), eps));
        }
        return new Result(probabilities, cls, logit, eps, layerOutput, layerGradient);
    }

    private static Result ofGraph(ComputationGraph graph, INDArray x, int cls, String target) {
        if (graph.getNumOutputArrays() != 1 || graph.getNumInputArrays() != 1) {
            throw new IllegalArgumentException("explanations need a network with one input and one output");
        }
        Map<String, INDArray> acts = graph.feedForward(x, false);
        Map<String, List<String>> inputs = graph.getConfiguration().getVertexInputs();
        String outputName = graph.getConfiguration().getNetworkOutputs().get(0);
        GraphVertex outVertex = graph.getVertex(outputName);
        INDArray probabilities = acts.get(outputName).dup();
        cls = cls < 0 ? probabilities.argMax(1).getInt(0) : cls;
        Layer outLayer = inner(outVertex.getLayer());
        String outFrom = inputs.get(outputName).get(0);
        InputPreProcessor outPre = preProcessorOf(outVertex);
        double logit = logit(outLayer, preProcess(outPre, acts.get(outFrom)), cls);
        Map<String, INDArray> eps = new HashMap<>();
        eps.put(outFrom, backpropPre(outPre, scoreGradient(outLayer, cls)));
        INDArray layerOutput = null;
        INDArray layerGradient = null;
        int[] order = graph.topologicalSortOrder();
        for (int k = order.length - 1; k >= 0; k--) {
            GraphVertex v = graph.getVertices()[order[k]];
            String name = v.getVertexName();
            INDArray e = eps.get(name);
            if (v.isInputVertex() || name.equals(outputName) || e == null) {
                continue;
            }
            if (name.equals(target)) {
                layerOutput = acts.get(name).dup();
                layerGradient = e.dup();
            }
            List<String> from = inputs.get(name);
            if (v.hasLayer()) {
                InputPreProcessor pp = preProcessorOf(v);
                add(eps, from.get(0), backpropPre(pp, backward(inner(v.getLayer()), preProcess(pp, acts.get(from.get(0))), e)));
            } else {
                INDArray[] in = from.stream().map(f -> acts.get(f).dup()).toArray(INDArray[]::new);
                v.setInputs(in);
                v.doForward(false, NO_WORKSPACES);
                v.setEpsilon(e.dup());
                INDArray[] back = v.doBackward(false, NO_WORKSPACES).getSecond();
                for (int j = 0; j < from.size(); j++) {
                    add(eps, from.get(j), back[j]);
                }
                v.clear();
            }
        }
        String inputName = graph.getConfiguration().getNetworkInputs().get(0);
        INDArray inputGradient = eps.getOrDefault(inputName, Nd4j.zeros(x.dataType(), x.shape()));
        return new Result(probabilities, cls, logit, inputGradient, layerOutput, layerGradient);
    }

    private static void add(Map<String, INDArray> eps, String name, INDArray gradient) {
        eps.merge(name, gradient.dup(), INDArray::addi);
    }

    private static InputPreProcessor preProcessorOf(GraphVertex v) {
        return v instanceof org.deeplearning4j.nn.graph.vertex.impl.LayerVertex lv ? lv.getLayerPreProcessor() : null;
    }

    /** The layer whose arithmetic a frozen wrapper hides. */
    static Layer inner(Layer layer) {
        if (layer instanceof FrozenLayer f) {
            return f.getInsideLayer();
        }
        if (layer instanceof FrozenLayerWithBackprop f) {
            return f.getInsideLayer();
        }
        return layer;
    }

    private static INDArray preProcess(InputPreProcessor pp, INDArray in) {
        return pp == null ? in : pp.preProcess(in.dup(), (int) in.size(0), NO_WORKSPACES);
    }

    private static INDArray backpropPre(InputPreProcessor pp, INDArray eps) {
        return pp == null ? eps : pp.backprop(eps, (int) eps.size(0), NO_WORKSPACES);
    }

    private static BaseOutputLayer<?> outputLayer(Layer layer) {
        if (!(layer instanceof BaseOutputLayer<?> out) || out.getParam("W") == null) {
            throw new IllegalArgumentException("explanations need a dense output layer (the class scores are its outputs before the softmax)");
        }
        return out;
    }

    private static double logit(Layer layer, INDArray in, int cls) {
        BaseOutputLayer<?> out = outputLayer(layer);
        INDArray w = out.getParam("W");
        double z = in.reshape(1, in.length()).castTo(w.dataType()).mmul(w.getColumn(cls).reshape(w.size(0), 1)).getDouble(0);
        INDArray b = out.getParam("b");
        return b == null ? z : z + b.getDouble(cls);
    }

    /** d z_c / d (the output layer's input): the weight column of class c, as a row. */
    private static INDArray scoreGradient(Layer layer, int cls) {
        INDArray w = outputLayer(layer).getParam("W");
        return w.getColumn(cls).dup().reshape(1, w.size(0));
    }

    /** One layer backwards at {@code in}, inference mode: the gradient with respect to its input. */
    private static INDArray backward(Layer layer, INDArray in, INDArray eps) {
        if (layer instanceof BatchNormalization) {
            return batchNormBackward(layer, eps);
        }
        if (layer instanceof org.deeplearning4j.nn.layers.DropoutLayer) {
            return eps.dup();
        }
        // The forward pass in training mode: a convolution caches its pre-activation for backprop only then (a stale one
        // from the last training batch would be used otherwise). Batch norm and dropout, the only layers whose training
        // arithmetic differs, never get here.
        layer.clear();
        layer.setInput(in.dup(), NO_WORKSPACES);
        layer.activate(true, NO_WORKSPACES);
        INDArray back = layer.backpropGradient(eps.dup(), NO_WORKSPACES).getSecond();
        layer.clear();
        return back;
    }

    /** Batch normalisation's inference map is per channel {@code gamma / sqrt(var + eps)} times its input, plus a constant. */
    private static INDArray batchNormBackward(Layer layer, INDArray eps) {
        org.deeplearning4j.nn.conf.layers.BatchNormalization conf = (org.deeplearning4j.nn.conf.layers.BatchNormalization) layer.conf().getLayer();
        // With useLogStd DL4J keeps log10 of sqrt(var + eps) instead of var.
        INDArray scale = conf.isUseLogStd() ? Transforms.exp(layer.getParam("log10stdev").mul(-Math.log(10)), false)
                : Transforms.sqrt(layer.getParam("var").add(conf.getEps()), false).rdivi(1.0);
        if (!conf.isLockGammaBeta()) {
            scale.muli(layer.getParam("gamma").reshape(scale.shape()));
        } else {
            scale.muli(conf.getGamma());
        }
        long channels = scale.length();
        INDArray out = eps.dup();
        if (eps.rank() == 4) {
            out.muli(scale.reshape(1, channels, 1, 1).castTo(eps.dataType()));
        } else {
            out.muliRowVector(scale.reshape(1, channels).castTo(eps.dataType()));
        }
        return out;
    }
}
