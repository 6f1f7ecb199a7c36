package io.deepnets.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Graph configs with the meaning of Keras's functional API: names, inputs, merge layers, the new layers and their
 * parameter counts, repeated blocks, and one clear line for every malformed graph.
 */
class GraphConfigTest {

    static String graph(String layers) {
        return """
                name: g
                data: {dataset: digits, test_split: 0.2, validation_split: 0.2}
                model:
                  input_shape: [8, 8, 1]
                  layers:
                %s
                optimizer: {name: sgd}
                training: {epochs: 1}
                """.formatted(layers.indent(4).stripTrailing());
    }

    static ConfigException rejected(String layers) {
        return assertThrows(ConfigException.class, () -> ConfigLoader.parse(graph(layers), List.of()));
    }

    static final String RESIDUAL = """
            - {name: a, type: conv2d, filters: 4, kernel_size: 3, padding: same}
            - {name: b, type: conv2d, filters: 4, kernel_size: 3, padding: same}
            - {name: sum, type: add, inputs: [a, b]}
            - {type: global_average_pooling2d}
            - {type: output, units: 10}
            """;

    @Test
    void aPlainListIsAStackAndKeepsItsSavedForm() {
        ExperimentConfig cnn = ConfigLoader.load(Path.of("configs/mnist-cnn.yaml"), List.of());
        assertFalse(cnn.model().isGraph());
        assertEquals(List.of("conv2d_1", "conv2d_2", "max_pooling2d_1"), cnn.model().layerNames().subList(0, 3));
        String yaml = ConfigLoader.toYaml(cnn);
        assertFalse(yaml.contains("name: conv2d_1") || yaml.contains("inputs:"), "a stack's config.yaml is written as before:\n" + yaml);
    }

    @Test
    void namesAndInputsMakeAGraphThatRoundTrips() {
        ExperimentConfig c = ConfigLoader.parse(graph(RESIDUAL), List.of());
        assertTrue(c.model().isGraph());
        assertEquals(List.of("a", "b", "sum", "global_average_pooling2d_1", "dense_1"), c.model().layerNames(), "Keras names the output Dense dense_N");
        assertEquals(List.of(List.of("input"), List.of("a"), List.of("a", "b"), List.of("sum"), List.of("global_average_pooling2d_1")),
                c.model().inputs());
        assertEquals(TensorShape.of(8, 8, 4), c.model().outputShapes().get(2));
        ExperimentConfig again = ConfigLoader.parse(ConfigLoader.toYaml(c), List.of());
        assertEquals(ConfigLoader.toYaml(c), ConfigLoader.toYaml(again), "config.yaml reloads to the same graph");
        assertEquals(c.model().inputs(), again.model().inputs());
    }

    @Test
    void resnet20HasThePapersTrainableParameterCount() {
        ExperimentConfig r = ConfigLoader.load(Path.of("configs/zoo/resnet20-cifar10.yaml"), List.of());
        assertEquals(272_474, r.model().totalParams() - r.model().nonTrainableParams());
        // 19 convolutions, 19 batch norms (moving mean and variance: 2 x 784 non-trainable), 9 adds.
        assertEquals(1_568, r.model().nonTrainableParams());
        assertEquals(9, r.model().layers().stream().filter(l -> l instanceof LayerConfig.Add).count());
        assertTrue(r.model().layerNames().contains("stage2_1_shortcut"), r.model().layerNames().toString());
        assertTrue(r.model().layerNames().contains("stage3_3_out"), "repeated stage numbering continues past the down block");
        String yaml = ConfigLoader.toYaml(r);
        assertTrue(yaml.contains("name: stage1_2_conv_a") && !yaml.contains("blocks:") && !yaml.contains("$filters"),
                "config.yaml holds the expanded layers");
        assertEquals(yaml, ConfigLoader.toYaml(ConfigLoader.parse(yaml, List.of())));
    }

    @Test
    void theCosineStretchesWithTheEpochsAndThePapersDropsAreASetAway() {
        ExperimentConfig file = ConfigLoader.load(Path.of("configs/zoo/resnet20-cifar10.yaml"), List.of());
        assertEquals(100, file.training().epochs());
        TrainingCallbacks.Schedule cosine = file.training().schedule();
        assertEquals(0.1, cosine.valueAt(0.1, 0, 0), 1e-12);
        assertEquals(0.05, cosine.valueAt(0.1, 0, 50), 1e-12, "half way");
        assertEquals(0.1 * (1 + Math.cos(Math.PI * 99 / 100)) / 2, cosine.valueAt(0.1, 0, 99), 1e-15, "the last epoch");
        assertEquals(0.05, ConfigLoader.load(Path.of("configs/zoo/resnet20-cifar10.yaml"), List.of("training.epochs=164")).training().schedule()
                .valueAt(0.1, 0, 82), 1e-12, "stretched over 164 epochs");
        assertFalse(cosine.perStep());
        assertEquals(new io.deepnets.config.DataConfig.TestTimeAugmentation(true), file.data().testTimeAugment());
        TrainingCallbacks.Schedule paper = ConfigLoader.load(Path.of("configs/zoo/resnet20-cifar10.yaml"), List.of("training.epochs=164",
                "optimizer.schedule={type: multistep, milestones: [0.5, 0.75], drop: 0.1}")).training().schedule();
        assertEquals(0.1, paper.valueAt(0.1, 0, 81), 1e-12);
        assertEquals(0.01, paper.valueAt(0.1, 0, 82), 1e-12, "the paper's 32k of 64k iterations");
        assertEquals(0.01, paper.valueAt(0.1, 0, 122), 1e-12);
        assertEquals(0.001, paper.valueAt(0.1, 0, 123), 1e-12, "and 48k");
        TrainingCallbacks.Schedule short45 = ConfigLoader.load(Path.of("configs/zoo/resnet20-cifar10.yaml"), List.of("training.epochs=45",
                "optimizer.schedule={type: multistep, milestones: [0.5, 0.75], drop: 0.1}")).training().schedule();
        assertEquals(0.01, short45.valueAt(0.1, 0, 23), 1e-12, "from epoch 24 (0.5 x 45 = 22.5, rounded to 0-based 23)");
        assertEquals(0.001, short45.valueAt(0.1, 0, 34), 1e-12, "0.75 x 45 = 33.75, rounded to 34");
    }

    @Test
    void resnet56IsNineBlocksPerStage() {
        ExperimentConfig r = ConfigLoader.load(Path.of("configs/zoo/resnet56-cifar10.yaml"), List.of());
        assertEquals(27, r.model().layers().stream().filter(l -> l instanceof LayerConfig.Add).count());
        assertEquals(55, r.model().layers().stream().filter(l -> l instanceof LayerConfig.Conv2D c && c.kernelSize()[0] == 3).count());
    }

    @Test
    void newLayersCountTheirParametersAsKeras() {
        ExperimentConfig c = ConfigLoader.parse(graph("""
                - {type: zero_padding2d, padding: [[1, 2], [0, 3]]}
                - {type: depthwise_conv2d, kernel_size: 3, depth_multiplier: 2}
                - {type: separable_conv2d, filters: 5, kernel_size: 3, use_bias: false}
                - {type: conv2d, filters: 3, kernel_size: 1, use_bias: false}
                - {type: flatten}
                - {type: dense, units: 4, use_bias: false}
                - {type: output, units: 10}
                """), List.of());
        assertEquals(TensorShape.of(11, 11, 1), c.model().outputShapes().get(0));
        assertEquals(TensorShape.of(9, 9, 2), c.model().outputShapes().get(1));
        assertEquals(List.of(0L, 3L * 3 * 2 + 2, 3L * 3 * 2 + 2 * 5, 15L), c.model().layerParams().subList(0, 4));
        assertEquals(7L * 7 * 3 * 4, c.model().layerParams().get(5));
        assertFalse(c.model().isGraph());
    }

    @Test
    void concatenateJoinsChannels() {
        ExperimentConfig c = ConfigLoader.parse(graph("""
                - {name: a, type: conv2d, filters: 4, kernel_size: 1}
                - {name: b, type: conv2d, inputs: [input], filters: 6, kernel_size: 3, padding: same}
                - {name: join, type: concatenate, inputs: [a, b]}
                - {type: global_max_pooling2d}
                - {type: output, units: 10}
                """), List.of());
        assertEquals(TensorShape.of(8, 8, 10), c.model().outputShapes().get(2));
    }

    @Test
    void malformedGraphsAreOneLineNamingTheLayer() {
        assertEquals("model.layers[2] (sum): add needs inputs of one shape, but 'a' gives 8x8x4 and 'b' gives 6x6x4",
                rejected(RESIDUAL.replace("kernel_size: 3, padding: same}\n- {name: sum", "kernel_size: 3}\n- {name: sum")).getMessage());
        assertTrue(rejected("""
                - {name: a, type: conv2d, filters: 4, kernel_size: 1}
                - {name: b, type: conv2d, inputs: [input], filters: 6, kernel_size: 3}
                - {name: join, type: concatenate, inputs: [a, b]}
                - {type: flatten}
                - {type: output, units: 10}
                """).getMessage().startsWith("model.layers[2] (join): concatenate joins along the channels, so heights and widths must match, but 'a' "
                + "gives 8x8x4 and 'b' gives 6x6x6"));
        assertEquals("model.layers[1] (b).inputs: no layer is named 'nope'; the names are input, a, ...",
                rejected(RESIDUAL.replace("padding: same}\n- {name: b, type: conv2d,", "padding: same}\n- {name: b, type: conv2d, inputs: [nope],"))
                        .getMessage());
        assertEquals("model.layers[0] (a).inputs: 'b' forms a cycle: a -> b -> a", rejected(RESIDUAL.replace("{name: a, type: conv2d,",
                "{name: a, inputs: [b], type: conv2d,")).getMessage());
        assertEquals("model.layers[0] (a).inputs: 'sum' comes later (model.layers[2]); list a layer after the layers it takes, as Keras's "
                + "functional API builds them", rejected(RESIDUAL.replace("{name: a, type: conv2d,", "{name: a, inputs: [sum], type: conv2d,")
                .replace("inputs: [a, b]", "inputs: [input, b]").replace("{name: b, type: conv2d,", "{name: b, inputs: [input], type: conv2d,")).getMessage()
                .replace("model.layers[0] (a).inputs: 'sum' forms a cycle: a -> sum -> b", "cycle"));
        assertEquals("model.layers[0] (a): its output goes nowhere: no later layer takes 'a' as an input (the network's one output is its last layer)",
                rejected(RESIDUAL.replace("inputs: [a, b]", "inputs: [input, b]").replace("{name: b, type: conv2d,",
                        "{name: b, inputs: [input], type: conv2d,").replace("filters: 4, kernel_size: 3, padding: same}\n- {name: b", "filters: 1, "
                        + "kernel_size: 3, padding: same}\n- {name: b").replace("{name: b, inputs: [input], type: conv2d, filters: 4",
                        "{name: b, inputs: [input], type: conv2d, filters: 1")).getMessage());
        assertEquals("model.layers[1] (dense_1): a second output layer: the network has one output, its last layer (model.layers[3] (dense_3))",
                rejected("""
                        - {type: flatten}
                        - {type: output, units: 10}
                        - {type: dense, units: 3, inputs: [flatten_1]}
                        - {type: output, units: 10}
                        """).getMessage());
        assertEquals("model.layers[1].name: 'a' is already the name of model.layers[0]; every layer needs a name of its own",
                rejected(RESIDUAL.replace("{name: b,", "{name: a,")).getMessage());
        assertEquals("model.layers[2] (sum).inputs: add joins two or more layers, got [a]",
                rejected(RESIDUAL.replace("inputs: [a, b]", "inputs: [a]")).getMessage());
        assertEquals("model.layers[1] (b).inputs: conv2d takes one input, got [input, a]; join branches first with an add or concatenate layer",
                rejected(RESIDUAL.replace("{name: b, type: conv2d,", "{name: b, inputs: [input, a], type: conv2d,")).getMessage());
    }

    static String blocks(String blocks, String layers) {
        return """
                name: g
                data: {dataset: digits, test_split: 0.2, validation_split: 0.2}
                model:
                  input_shape: [8, 8, 1]
                  blocks:
                %s
                  layers:
                %s
                optimizer: {name: sgd}
                training: {epochs: 1}
                """.formatted(blocks.indent(4).stripTrailing(), layers.indent(4).stripTrailing());
    }

    static final String BLOCK = """
            res:
              params: {filters: 4, kernel: 3}
              layers:
                - {name: c1, type: conv2d, filters: $filters, kernel_size: $kernel, padding: same, activation: relu}
                - {name: c2, type: conv2d, filters: $filters, kernel_size: [$kernel, $kernel], padding: same}
                - {name: sum, type: add, inputs: [c2, in]}
            """;

    @Test
    void blocksExpandWithTheirParametersAndNames() {
        ExperimentConfig c = ConfigLoader.parse(blocks(BLOCK, """
                - {type: conv2d, filters: 4, kernel_size: 3, padding: same}
                - {block: res, repeat: 2}
                - {block: res, name: wide, with: {kernel: 1}}
                - {name: tail, type: add, inputs: [res_2, wide]}
                - {type: global_average_pooling2d}
                - {type: output, units: 10}
                """), List.of());
        List<String> names = c.model().layerNames();
        assertEquals(List.of("conv2d_1", "res_1_c1", "res_1_c2", "res_1_sum", "res_2_c1", "res_2_c2", "res_2_sum", "wide_c1", "wide_c2", "wide_sum",
                "tail"), names.subList(0, 11));
        assertEquals(List.of("res_1_c2", "conv2d_1"), c.model().inputs().get(3), "'in' is the layer before the block");
        assertEquals(List.of("res_2_sum", "wide_sum"), c.model().inputs().get(10), "an instance's name stands for its last layer");
        assertEquals(1, ((LayerConfig.Conv2D) c.model().layers().get(8)).kernelSize()[0]);
    }

    @Test
    void badBlocksAreOneLine() {
        assertEquals("model.layers[0].block: no block 'nope' in model.blocks; defined: res",
                assertThrows(ConfigException.class, () -> ConfigLoader.parse(blocks(BLOCK, "- {block: nope}\n- {type: output, units: 10}"), List.of()))
                        .getMessage());
        assertEquals("model.layers[0].with.size: block 'res' has no parameter 'size'; its parameters: filters, kernel",
                assertThrows(ConfigException.class, () -> ConfigLoader.parse(blocks(BLOCK, "- {block: res, with: {size: 3}}\n- {type: output, units: 10}"),
                        List.of())).getMessage());
        assertEquals("model.blocks.res.layers[0].filters: '$width' is no parameter of block 'res'; its parameters: filters, kernel",
                assertThrows(ConfigException.class, () -> ConfigLoader.parse(blocks(BLOCK.replace("filters: $filters, kernel_size: $kernel,",
                        "filters: $width, kernel_size: $kernel,"), "- {block: res}\n- {type: output, units: 10}"), List.of())).getMessage());
        assertEquals("model.layers[0].repeat: expected 1..1000, got 0", assertThrows(ConfigException.class,
                () -> ConfigLoader.parse(blocks(BLOCK, "- {block: res, repeat: 0}\n- {type: output, units: 10}"), List.of())).getMessage());
        assertEquals("model.layers[2] (res_1_sum): add needs inputs of one shape, but 'res_1_c2' gives 8x8x4 and 'input' gives 8x8x1",
                assertThrows(ConfigException.class, () -> ConfigLoader.parse(blocks(BLOCK, "- {block: res}\n- {type: output, units: 10}"), List.of()))
                        .getMessage(), "a block's errors name the expanded layer");
    }
}
