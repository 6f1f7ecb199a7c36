package io.deepnets.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deepnets.config.ConfigLoader;
import io.deepnets.config.ExperimentConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Every network of {@code configs/zoo/} builds in DL4J with exactly the parameters Keras counts (the counts
 * themselves: docs/graphs.md, checked against scripts/torch_zoo.py) and maps a batch to class probabilities.
 */
class ZooNetworksTest {
    /** Keras's trainable counts, as docs/graphs.md lists them (and PyTorch's builds count them). */
    static final Map<String, Long> TRAINABLE = Map.of("lenet5-mnist", 61_706L, "alexnet-cifar10", 7_139_722L, "vgg11-cifar10", 9_756_426L,
            "vgg16-cifar10", 15_253_578L, "resnet20-cifar10", 272_474L, "resnet56-cifar10", 855_770L, "inception-cifar10", 562_686L,
            "mobilenet-cifar10", 3_217_226L);

    @Test
    void everyZooNetworkBuildsWithItsPapersCountAndClassifies() throws Exception {
        List<Path> files;
        try (Stream<Path> s = Files.list(Path.of("configs/zoo"))) {
            files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        assertEquals(TRAINABLE.keySet(), files.stream().map(p -> p.getFileName().toString().replace(".yaml", "")).collect(java.util.stream.Collectors.toSet()),
                "the zoo and its table");
        for (Path file : files) {
            ExperimentConfig c = ConfigLoader.load(file, List.of());
            String name = c.name();
            assertEquals(TRAINABLE.get(name), c.model().totalParams() - c.model().nonTrainableParams(), name + ": trainable parameters");
            Network net = KerasModelMapper.network(c);
            assertEquals(c.model().totalParams(), net.numParams(), name + ": DL4J's count");
            assertEquals(c.model().isGraph(), net.isGraph(), name);
            INDArray x = Nd4j.rand(DataType.FLOAT, 2, c.model().inputShape().size());
            INDArray p = net.output(x);
            assertEquals(2, p.size(0), name);
            assertEquals(c.model().classes(), p.size(1), name);
            assertEquals(1.0, p.getRow(0).sumNumber().doubleValue(), 1e-4, name + ": probabilities");
            assertTrue(ConfigLoader.toYaml(c).contains("name: " + name));
        }
    }
}
