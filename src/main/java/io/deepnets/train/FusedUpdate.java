package io.deepnets.train;

import java.util.Optional;
import java.util.function.Consumer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DL4J's parameter update for a whole network in one pass over its flattened parameters, gradient and updater state
 * ({@link FusedRmsProp}, {@link FusedAdaDelta}), used by the custom steps in place of DL4J's solver and updater.
 */
interface FusedUpdate {

    /** Applies one step from the summed gradient of {@code batch} examples, then advances DL4J's iteration count. */
    void apply(int batch);

    /** The fused update for {@code net}'s optimizer, or empty (with the reason told to {@code why}). */
    static Optional<FusedUpdate> forNetwork(MultiLayerNetwork net, INDArray gradient, Consumer<String> why) {
        StringBuilder rms = new StringBuilder();
        Optional<FusedUpdate> update = FusedRmsProp.forNetwork(net, gradient, rms::append).map(u -> u);
        if (update.isPresent()) {
            return update;
        }
        StringBuilder ada = new StringBuilder();
        update = FusedAdaDelta.forNetwork(net, gradient, ada::append).map(u -> u);
        if (update.isEmpty()) {
            // Both say the same unless the optimizer is one of the two: then that one's reason is the one that matters.
            boolean notRms = rms.toString().startsWith("the optimizer is not");
            boolean notAda = ada.toString().startsWith("the optimizer is not");
            why.accept(notRms && notAda ? ada.toString().replace("one AdaDelta", "one RMSprop or AdaDelta") : notRms ? ada.toString() : rms.toString());
        }
        return update;
    }
}
