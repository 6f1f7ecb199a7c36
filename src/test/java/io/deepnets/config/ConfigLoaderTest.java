package io.deepnets.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deepnets.BadInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigLoaderTest {
    static final Path CONFIGS = Path.of("configs");

    static final String MINIMAL = """
            name: t
            data: {dataset: mnist, validation_split: 0.2}
            model:
              input_shape: [28, 28, 1]
              layers:
                - {type: conv2d, filters: 4, kernel_size: 3, activation: relu}
                - {type: max_pool2d}
                - {type: flatten}
                - {type: dense, units: 8, activation: relu}
                - {type: dropout, rate: 0.5}
                - {type: output, units: 10}
            optimizer: {name: rmsprop}
            training: {epochs: 1}
            """;

    static ConfigException rejected(String yaml, String... overrides) {
        return assertThrows(ConfigException.class, () -> ConfigLoader.parse(yaml, List.of(overrides)));
    }

    /** Asserts that {@code override} on {@link #MINIMAL} is refused at {@code keyPath} with a message containing {@code message}. */
    static void assertRejected(String override, String keyPath, String message) {
        ConfigException e = rejected(MINIMAL, override);
        assertEquals(keyPath, e.keyPath());
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @Test
    void theFiveAssignmentConfigsLoadWithTheirNames() {
        for (String name : List.of("mnist-linear", "mnist-relu", "mnist-cnn", "mnist-cnn-dropout", "cifar10-cnn")) {
            ExperimentConfig c = ConfigLoader.load(CONFIGS.resolve(name + ".yaml"), List.of());
            assertEquals(name, c.name());
        }
    }

    @Test
    void assignmentHyperParameters() {
        ExperimentConfig linear = ConfigLoader.load(CONFIGS.resolve("mnist-linear.yaml"), List.of());
        assertEquals(new OptimizerConfig.RmsProp(0.001, 0.9, 1e-7, 0.0), linear.optimizer());
        assertEquals(new TrainingConfig(128, 12, true), linear.training());
        assertEquals(0.2, linear.data().validationSplit());
        ExperimentConfig cnn = ConfigLoader.load(CONFIGS.resolve("mnist-cnn.yaml"), List.of());
        assertEquals(new OptimizerConfig.Adadelta(1.0, 0.95, 1e-7, 0.0), cnn.optimizer());
        assertEquals(new TrainingConfig(128, 6, true), cnn.training());
        ExperimentConfig cifar = ConfigLoader.load(CONFIGS.resolve("cifar10-cnn.yaml"), List.of());
        assertEquals(new OptimizerConfig.RmsProp(1e-4, 0.9, 1e-7, 1e-6), cifar.optimizer());
        assertEquals(new TrainingConfig(32, 20, true), cifar.training());
        assertTrue(cifar.data().validationOnTest());
    }

    @Test
    void kerasDefaultsAreFilledIn() {
        ExperimentConfig c = ConfigLoader.parse(MINIMAL, List.of());
        assertEquals(42, c.seed());
        assertEquals(32, c.training().batchSize());
        LayerConfig.Conv2D conv = (LayerConfig.Conv2D) c.model().layers().get(0);
        assertEquals(Padding.VALID, conv.padding());
        assertEquals(1, conv.strides()[0]);
        LayerConfig.MaxPool2D pool = (LayerConfig.MaxPool2D) c.model().layers().get(1);
        assertEquals(2, pool.poolSize()[0]);
        assertEquals(2, pool.strides()[0], "Keras: strides default to pool_size");
        LayerConfig.Dense dense = (LayerConfig.Dense) ConfigLoader.parse(MINIMAL, List.of("model.layers[3]={type: dense, units: 8}"))
                .model().layers().get(3);
        assertEquals(Activation.LINEAR, dense.activation(), "Keras's default activation is linear");
        assertEquals(new OptimizerConfig.RmsProp(0.001, 0.9, 1e-7, 0.0), c.optimizer());
    }

    @Test
    void resolvedConfigRoundTrips() {
        for (String name : List.of("mnist-linear", "mnist-cnn-dropout", "cifar10-cnn")) {
            ExperimentConfig c = ConfigLoader.load(CONFIGS.resolve(name + ".yaml"), List.of());
            ExperimentConfig again = ConfigLoader.parse(ConfigLoader.toYaml(c), List.of());
            assertEquals(ConfigLoader.toYaml(c), ConfigLoader.toYaml(again));
            assertEquals(c.toMap(), again.toMap());
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "bogus: 1|bogus|unknown key",
            "data: {dataset: mnist, validation_split: 0.2, extra: 1}|data.extra|unknown key",
            "training: {epochs: three}|training.epochs|expected an integer, got 'three' (text)",
            "training: {epochs: 0}|training.epochs|expected a positive integer",
            "training: {epochs: 1, batch_size: 12.5}|training.batch_size|expected an integer",
            "training: {epochs: 1, shuffle: maybe}|training.shuffle|expected true or false",
            "data: {dataset: svhn, validation_split: 0.2}|data.dataset|expected one of mnist, cifar10, idx",
            "data: {dataset: mnist, validation_split: 1.5}|data.validation_split|between 0 and 1",
            "data: {dataset: mnist}|data|needs validation_split",
            "data: {dataset: mnist, validation_split: 0.2, validation_data: test}|data.validation_split|not both",
            "optimizer: {name: adadelta, learning_rate: 0.5}|optimizer.learning_rate|DL4J's AdaDelta has no learning rate",
            "optimizer: {name: adadelta, decay: 0.01}|optimizer.decay|no learning rate to decay",
            "optimizer: {name: rmsprop, rho: 1.5}|optimizer.rho|between 0 and 1",
            "optimizer: {name: rmsprop, momentum: 0.9}|optimizer.momentum|unknown key",
            "optimizer: {name: nadam}|optimizer.name|expected one of rmsprop",
            "name: ''|name|expected a name of 1 to 100 printable characters",
    })
    void rejectsWithKeyPath(String replacement, String path, String message) {
        String key = replacement.substring(0, replacement.indexOf(':'));
        String yaml = replaceTopLevel(MINIMAL, key, replacement);
        ConfigException e = rejected(yaml);
        assertEquals(path, e.keyPath(), e.getMessage());
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    static String replaceTopLevel(String yaml, String key, String replacement) {
        StringBuilder out = new StringBuilder();
        boolean skipping = false;
        boolean replaced = false;
        for (String line : yaml.split("\n")) {
            if (line.startsWith(key + ":")) {
                out.append(replacement).append('\n');
                skipping = true;
                replaced = true;
                continue;
            }
            if (skipping && line.startsWith(" ")) {
                continue;
            }
            skipping = false;
            out.append(line).append('\n');
        }
        if (!replaced) {
            out.append(replacement).append('\n');
        }
        return out.toString();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "model.layers[0].kernel_size=40|model.layers[0].kernel_size|40x40 is larger than its input 28x28",
            "model.layers[0].padding=full|model.layers[0].padding|expected 'same' or 'valid'",
            "model.layers[0].activation=swishy|model.layers[0].activation|expected one of linear, relu",
            "model.layers[0].filters=-3|model.layers[0].filters|expected a positive integer",
            "model.layers[0].kernel_size=[3, 3, 3]|model.layers[0].kernel_size|a list of two integers",
            "model.layers[0].dilation=2|model.layers[0].dilation|unknown key",
            "model.layers[4].rate=1.0|model.layers[4].rate|drop probability in [0, 1)",
            "model.layers[2]={type: dense, units: 3}|model.layers[2]|expects a flat input",
            "model.layers[2]={type: lstm}|model.layers[2].type|expected one of dense, conv2d",
            "model.layers[5]={type: dense, units: 10}|model.layers[5]|the last layer must be of type output",
            "model.layers[5].activation=relu|model.layers[5].activation|supports 'softmax'",
            "model.input_shape=[28, 28]|model.input_shape|expected [features] or [height, width, channels]",
            "model.input_shape=[784]|model.layers[0]|expects an image input",
    })
    void rejectsImpossibleLayerStacks(String override, String path, String message) {
        ConfigException e = rejected(MINIMAL, override);
        assertEquals(path, e.keyPath(), e.getMessage());
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @Test
    void overridesAreValidatedAndApplied() {
        ExperimentConfig c = ConfigLoader.parse(MINIMAL, List.of("training.batch_size=64", "optimizer.learning_rate=1e-4",
                "model.layers.4.rate=0.25", "seed=7"));
        assertEquals(64, c.training().batchSize());
        assertEquals(1e-4, c.optimizer().learningRate());
        assertEquals(0.25, ((LayerConfig.Dropout) c.model().layers().get(4)).rate());
        assertEquals(7, c.seed());
        assertEquals("--set model.layers[9].units", rejected(MINIMAL, "model.layers[9].units=3").keyPath());
        assertTrue(rejected(MINIMAL, "model.layers[9].units=3").getMessage().contains("has 6 entries"));
        assertEquals("training.batch_size", rejected(MINIMAL, "training.batch_size=big").keyPath());
        assertEquals("training.bogus", rejected(MINIMAL, "training.bogus=1").keyPath());
        assertTrue(rejected(MINIMAL, "no-equals-sign").getMessage().contains("expected key.path=value"));
    }

    @Test
    void yamlSyntaxEmptyAndMissingFiles(@TempDir Path dir) throws Exception {
        Path broken = dir.resolve("broken.yaml");
        Files.writeString(broken, "name: x\ndata: [unclosed\n");
        BadInputException e = assertThrows(BadInputException.class, () -> ConfigLoader.load(broken, List.of()));
        assertTrue(e.getMessage().startsWith(broken + ": YAML syntax error at line"), e.getMessage());

        Path empty = dir.resolve("empty.yaml");
        Files.writeString(empty, "  \n# nothing\n");
        e = assertThrows(BadInputException.class, () -> ConfigLoader.load(empty, List.of()));
        assertTrue(e.getMessage().contains("the file is empty"), e.getMessage());

        e = assertThrows(BadInputException.class, () -> ConfigLoader.load(dir.resolve("missing.yaml"), List.of()));
        assertTrue(e.getMessage().endsWith("missing.yaml: no such config file"), e.getMessage());

        Path list = dir.resolve("list.yaml");
        Files.writeString(list, "- a\n- b\n");
        e = assertThrows(BadInputException.class, () -> ConfigLoader.load(list, List.of()));
        assertTrue(e.getMessage().contains("expected a mapping"), e.getMessage());
    }

    @Test
    void duplicateKeysAndArbitraryTypesAreRejected() {
        assertTrue(rejected(MINIMAL + "seed: 3\nseed: 4\n").getMessage().contains("duplicate key"));
        ConfigException e = rejected("!!javax.script.ScriptEngineManager [!!java.net.URLClassLoader [[!!java.net.URL [\"http://x\"]]]]");
        assertTrue(e.getMessage().contains("YAML"), e.getMessage());
    }

    @Test
    void numbersWrittenLikeKeras() {
        ExperimentConfig c = ConfigLoader.parse(MINIMAL, List.of("optimizer={name: rmsprop, learning_rate: 1e-4, epsilon: 1.0e-7}"));
        assertEquals(1e-4, c.optimizer().learningRate());
        assertInstanceOf(OptimizerConfig.RmsProp.class, c.optimizer());
    }

    @Test
    void anyPrintableNameWithASafeFolderName() {
        ExperimentConfig c = ConfigLoader.parse(MINIMAL, List.of("name='<script>alert(1)</script> CNN'"));
        assertEquals("<script>alert(1)</script> CNN", c.name());
        assertEquals("_script_alert_1___script__CNN", c.folderName());
        assertEquals("_hidden", ConfigLoader.parse(MINIMAL, List.of("name=.hidden")).folderName());
        assertEquals("mnist-cnn", ConfigLoader.load(CONFIGS.resolve("mnist-cnn.yaml"), List.of()).folderName());
    }

    @Test
    void parameterCountsEqualKeras() {
        assertEquals(203_530, ConfigLoader.load(CONFIGS.resolve("mnist-linear.yaml"), List.of()).model().totalParams());
        assertEquals(203_530, ConfigLoader.load(CONFIGS.resolve("mnist-relu.yaml"), List.of()).model().totalParams());
        assertEquals(1_199_882, ConfigLoader.load(CONFIGS.resolve("mnist-cnn.yaml"), List.of()).model().totalParams());
        assertEquals(1_199_882, ConfigLoader.load(CONFIGS.resolve("mnist-cnn-dropout.yaml"), List.of()).model().totalParams());
        assertEquals(443_882, ConfigLoader.load(CONFIGS.resolve("cifar10-cnn.yaml"), List.of()).model().totalParams());
    }

    @org.junit.jupiter.api.Test
    void photoFolderConfigsRoundTripThroughTheirResolvedYaml() {
        for (String name : List.of("catsdogs-scratch", "cifar8-cnn")) {
            ExperimentConfig c = ConfigLoader.load(java.nio.file.Path.of("configs", name + ".yaml"), List.of());
            String yaml = ConfigLoader.toYaml(c);
            assertEquals(yaml, ConfigLoader.toYaml(ConfigLoader.parse(yaml, List.of())), name);
        }
        ExperimentConfig c = ConfigLoader.load(java.nio.file.Path.of("configs", "catsdogs-scratch.yaml"), List.of());
        assertEquals(new DataConfig.ImageFolder(32, 32, 3, "stretch", false, "auto"), c.data().folder());
        assertEquals(new DataConfig.Augmentation(true, 0.1, 0.1, 15, 0.1), c.data().augment());
        assertEquals(List.of("airplane", "automobile", "bird", "deer", "frog", "horse", "ship", "truck"),
                ConfigLoader.load(java.nio.file.Path.of("configs", "cifar8-cnn.yaml"), List.of()).data().classes());
    }
    @Test
    void shiftRangesHaveKerasThreeMeanings() {
        ExperimentConfig c = ConfigLoader.parse(MINIMAL, List.of("data.augment={width_shift: 5, height_shift: 0.125}"));
        assertEquals(new DataConfig.Shift(5, true), c.data().augment().widthShift(), "an integer: whole pixels, Keras's choice(n) * +-1");
        assertEquals(new DataConfig.Shift(0.125, false), c.data().augment().heightShift(), "a float below 1: a fraction of the size");
        assertEquals(new DataConfig.Shift(2.5, false),
                ConfigLoader.parse(MINIMAL, List.of("data.augment={width_shift: 2.5}")).data().augment().widthShift(), "a float from 1 on: pixels");
        assertEquals(DataConfig.Shift.NONE, ConfigLoader.parse(MINIMAL, List.of("data.augment={horizontal_flip: true}")).data().augment().widthShift());
        String yaml = ConfigLoader.toYaml(c);
        assertTrue(yaml.contains("width_shift: 5\n"), yaml);
        assertEquals(c.data().augment(), ConfigLoader.parse(yaml, List.of()).data().augment(), "the integer stays an integer in the resolved file");
        ConfigException e = rejected(MINIMAL, "data.augment={width_shift: -2}");
        assertEquals("data.augment.width_shift", e.keyPath());
        assertTrue(e.getMessage().contains("expected a fraction in [0, 1), a number of pixels or an integer, got -2"), e.getMessage());
        assertTrue(rejected(MINIMAL, "data.augment={height_shift: -0.5}").getMessage().contains("got -0.5"));
    }

    @Test
    void cutoutIsASquareSideInPixelsWrittenOnlyWhenSet() {
        ExperimentConfig c = ConfigLoader.parse(MINIMAL, List.of("data.augment={horizontal_flip: true, cutout: 8}"));
        assertEquals(8, c.data().augment().cutout());
        assertEquals(c.data().augment(), ConfigLoader.parse(ConfigLoader.toYaml(c), List.of()).data().augment(), "kept in the resolved file");
        assertEquals(8, ConfigLoader.parse(MINIMAL, List.of("data.augment={cutout: 8}")).data().augment().cutout(), "cutout alone augments");
        ExperimentConfig flipOnly = ConfigLoader.parse(MINIMAL, List.of("data.augment={horizontal_flip: true}"));
        assertEquals(0, flipOnly.data().augment().cutout());
        assertFalse(ConfigLoader.toYaml(flipOnly).contains("cutout"), "a file without it resolves as before");
        assertRejected("data.augment={cutout: -1}", "data.augment.cutout", "expected the side of the square in pixels, 0 (none) to 4096, got -1");
        assertEquals("data.augment.cutout", rejected(MINIMAL, "data.augment={cutout: 8.5}").keyPath());
    }

    @Test
    void cutoutFillIsAPixelValueForTheSquareWrittenOnlyWhenSet() {
        ExperimentConfig c = ConfigLoader.parse(MINIMAL, List.of("data.augment={cutout: 16, cutout_fill: 0.47}"));
        assertEquals(0.47, c.data().augment().cutoutFill());
        assertEquals(c.data().augment(), ConfigLoader.parse(ConfigLoader.toYaml(c), List.of()).data().augment(), "kept in the resolved file");
        ExperimentConfig black = ConfigLoader.parse(MINIMAL, List.of("data.augment={cutout: 16}"));
        assertEquals(0.0, black.data().augment().cutoutFill(), "black by default, as Keras-CV's RandomCutout");
        assertFalse(ConfigLoader.toYaml(black).contains("cutout_fill"), "a file without it resolves as before");
        assertRejected("data.augment={cutout: 16, cutout_fill: 128}", "data.augment.cutout_fill",
                "expected a pixel value in [0, 1] (pixels are scaled to [0, 1]), got 128");
        assertRejected("data.augment={horizontal_flip: true, cutout_fill: 0.5}", "data.augment.cutout_fill",
                "fills the cutout's square, but data.augment.cutout is not set");
    }

    @Test
    void fillModeAndCvalAreKerasesWrittenOnlyWhenSet() {
        ExperimentConfig c = ConfigLoader.parse(MINIMAL, List.of("data.augment={width_shift: 5, fill_mode: constant, cval: 0.5}"));
        assertEquals("constant", c.data().augment().fillMode());
        assertEquals(0.5, c.data().augment().cval());
        assertEquals(c.data().augment(), ConfigLoader.parse(ConfigLoader.toYaml(c), List.of()).data().augment(), "kept in the resolved file");
        ExperimentConfig nearest = ConfigLoader.parse(MINIMAL, List.of("data.augment={width_shift: 5}"));
        assertEquals("nearest", nearest.data().augment().fillMode(), "Keras's default");
        assertFalse(ConfigLoader.toYaml(nearest).contains("fill_mode"), "a file without it resolves as before");
        assertEquals("reflect", ConfigLoader.parse(MINIMAL, List.of("data.augment={zoom: 0.1, fill_mode: reflect}")).data().augment().fillMode());
        assertRejected("data.augment={width_shift: 5, fill_mode: zeros}", "data.augment.fill_mode",
                "expected one of nearest, constant, reflect, wrap, got 'zeros'");
        assertRejected("data.augment={width_shift: 5, fill_mode: constant, cval: 255}", "data.augment.cval",
                "expected a pixel value in [0, 1] (pixels are scaled to [0, 1]), got 255");
        assertRejected("data.augment={width_shift: 5, cval: 0.5}", "data.augment.cval",
                "fills points outside the image with fill_mode: constant, but data.augment.fill_mode is 'nearest'");
    }

    @Test
    void stochasticWeightAveragingIsASectionOfTraining() {
        ExperimentConfig c = ConfigLoader.parse(MINIMAL, List.of("optimizer={name: sgd, learning_rate: 0.1}", "training.epochs=8",
                "training.swa={learning_rate: 0.02}"));
        assertEquals(new TrainingConfig.Swa(0.75, 0.02), c.training().swa());
        assertEquals(6, c.training().swa().firstEpoch(8), "0-based epoch round(0.75 * 8): epochs 7 and 8 averaged");
        assertEquals(99, new TrainingConfig.Swa(0.999, 0.1).firstEpoch(100), "at least the last epoch is averaged");
        ExperimentConfig again = ConfigLoader.parse(ConfigLoader.toYaml(c), List.of());
        assertEquals(c.training(), again.training(), "written out and read back");

        ConfigException e = rejected(MINIMAL, "training.swa={start: 0.5}");
        assertEquals("training.swa.learning_rate", e.keyPath(), e.getMessage());
        e = rejected(MINIMAL, "training.swa={start: 1.0, learning_rate: 0.01}");
        assertEquals("training.swa.start", e.keyPath(), e.getMessage());
        assertTrue(e.getMessage().contains("between 0 and 1"), e.getMessage());
        e = rejected(MINIMAL, "training.swa={learning_rate: 0.01, every: 2}");
        assertEquals("training.swa.every", e.keyPath(), e.getMessage());
        e = rejected(MINIMAL, "training.swa={learning_rate: 0.01}", "training.early_stopping={patience: 2}");
        assertEquals("training.swa", e.keyPath(), e.getMessage());
        assertTrue(e.getMessage().contains("early_stopping"), e.getMessage());
        e = rejected(MINIMAL, "training.swa={learning_rate: 0.01}", "training.reduce_lr_on_plateau={patience: 2}");
        assertEquals("training.swa", e.keyPath(), e.getMessage());
        e = rejected(MINIMAL, "training.swa={learning_rate: 0.01}", "optimizer={name: adadelta}");
        assertEquals("training.swa.learning_rate", e.keyPath(), e.getMessage());
    }

    @Test
    void testTimeAugmentationIsASectionOfData() {
        ExperimentConfig c = ConfigLoader.parse(MINIMAL, List.of("data.test_time_augment={horizontal_flip: true}"));
        assertEquals(new DataConfig.TestTimeAugmentation(true), c.data().testTimeAugment());
        assertEquals("each image and its mirror image averaged", c.data().testTimeAugment().describe());
        ExperimentConfig again = ConfigLoader.parse(ConfigLoader.toYaml(c), List.of());
        assertEquals(c.data(), again.data(), "written out and read back");
        assertTrue(ConfigLoader.toYaml(c).contains("test_time_augment"), ConfigLoader.toYaml(c));
        assertNull(ConfigLoader.parse(MINIMAL, List.of("data.test_time_augment={horizontal_flip: false}")).data().testTimeAugment(),
                "no second view is no test-time augmentation");
        assertNull(ConfigLoader.parse(MINIMAL, List.of()).data().testTimeAugment());
        assertFalse(ConfigLoader.toYaml(ConfigLoader.parse(MINIMAL, List.of())).contains("test_time_augment"), "a run without it reads as before");

        ConfigException e = rejected(MINIMAL, "data.test_time_augment={horizontal_flip: true, vertical_flip: true}");
        assertEquals("data.test_time_augment.vertical_flip", e.keyPath(), e.getMessage());
        assertTrue(e.getMessage().contains("unknown key; expected one of horizontal_flip"), e.getMessage());
        e = rejected(MINIMAL, "data.test_time_augment={horizontal_flip: 2}");
        assertEquals("data.test_time_augment.horizontal_flip", e.keyPath(), e.getMessage());
    }
}
