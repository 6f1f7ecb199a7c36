package io.deepnets.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.deepnets.config.ConfigLoader;
import io.deepnets.config.ExperimentConfig;
import io.deepnets.model.KerasModelMapper;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 30's bar: no network in {@code configs/} or {@code configs/zoo/} trains through DL4J's {@code fit} on the
 * CPU: every network of them is on the oneDNN step, the MLPs included, but the digits net (the small conv step). The
 * two transfer configs need a base run; their networks (a frozen base under a new head) are on the oneDNN step in
 * {@code TransferLearningTest} and {@code OneDnnTrainingStepTest#frozenLayersStepLikeDl4jFit}.
 */
class EveryConfigStepChoiceTest {
    private static final Map<String, String> EXPECTED = Map.of("digits-cnn", SmallConvTrainingStep.KIND);

    @ParameterizedTest
    @ValueSource(strings = {"mnist-linear", "mnist-relu", "mnist-cnn", "mnist-cnn-dropout", "cifar10-cnn", "cifar8-cnn", "digits-cnn",
        "catsdogs-scratch", "catsdogs-resnet20-scratch", "resnet20-cifar8", "zoo/lenet5-mnist", "zoo/alexnet-cifar10", "zoo/vgg11-cifar10",
        "zoo/vgg16-cifar10", "zoo/resnet20-cifar10", "zoo/resnet56-cifar10", "zoo/inception-cifar10", "zoo/mobilenet-cifar10"})
    void trainsOnAFastStep(String name) {
        ExperimentConfig config = ConfigLoader.load(Path.of("configs", name + ".yaml"), List.of());
        String short_ = name.substring(name.indexOf('/') + 1);
        TrainingStep.Choice choice = TrainingStep.choose(KerasModelMapper.network(config), config.training().batchSize(), 10, Set.of());
        try (TrainingStep step = choice.step()) {
            assertEquals(EXPECTED.getOrDefault(short_, OneDnnTrainingStep.KIND), step.kind(), name + ": " + choice.declined());
        }
    }
}
