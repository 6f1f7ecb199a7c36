package io.deepnets.engine;

import java.util.List;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Counts correct predictions of the TRAINING forward pass, as Keras's training accuracy does (dropout active,
 * weights before the update). DL4J hands listeners the activations up to the output layer's input, so the
 * listener applies the output layer's affine map itself (argmax of the pre-softmax equals argmax of softmax):
 * one small matrix product instead of a second forward pass.
 */
final class BatchAccuracyListener extends BaseTrainingListener {
    private int[] labels;
    private int correct;

    void expect(int[] batchLabels) {
        this.labels = batchLabels;
        this.correct = -1;
    }

    /** Correct predictions in the last batch. */
    int correct() {
        if (correct < 0) {
            throw new IllegalStateException("the training forward pass was not observed");
        }
        return correct;
    }

    @Override
    public void onForwardPass(Model model, List<INDArray> activations) {
        count(((MultiLayerNetwork) model).getOutputLayer(), activations.get(activations.size() - 1));
    }

    /** A graph's training forward pass: the output layer's input is the activation of the vertex feeding it. */
    @Override
    public void onForwardPass(Model model, java.util.Map<String, INDArray> activations) {
        org.deeplearning4j.nn.graph.ComputationGraph graph = (org.deeplearning4j.nn.graph.ComputationGraph) model;
        String output = graph.getConfiguration().getNetworkOutputs().get(0);
        String feeding = graph.getConfiguration().getVertexInputs().get(output).get(0);
        INDArray input = activations.get(feeding);
        if (input == null) {
            throw new IllegalStateException("the graph's forward pass did not pass the output layer's input " + feeding);
        }
        count(graph.getLayer(output), input);
    }

    private void count(org.deeplearning4j.nn.api.Layer out, INDArray input) {
        try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
            INDArray w = out.getParam("W");
            INDArray b = out.getParam("b");
            INDArray x = input.rank() > 2 ? input.dup('c').reshape(input.size(0), w.size(0)) : input;
            INDArray z = x.mmul(w).addiRowVector(b);
            long[] predicted = Nd4j.argMax(z, 1).toLongVector();
            int c = 0;
            for (int i = 0; i < predicted.length; i++) {
                if (predicted[i] == labels[i]) {
                    c++;
                }
            }
            correct = c;
        }
    }
}
