package io.deepnets.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deepnets.config.ConfigLoader;
import io.deepnets.config.DataConfig;
import io.deepnets.config.ExperimentConfig;
import io.deepnets.config.ModelConfig;
import io.deepnets.config.TensorShape;
import io.deepnets.data.ImageAugmenter;
import io.deepnets.data.ImageSet;
import io.deepnets.engine.kernels.OneDnnPrimitives;
import io.deepnets.eval.EvalResult;
import io.deepnets.eval.Evaluator;
import io.deepnets.model.KerasModelMapper;
import io.deepnets.runs.EpochResult;
import io.deepnets.train.Trainer;
import java.util.List;
import java.util.Random;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;

/**
 * Which step each network gets and why the faster ones decline it (frozen layers: DL4J's backprop), and augmentation
 * changes only copies of training batches.
 */
class NewLayersStepChoiceTest {

    static ExperimentConfig config(String optimizer, String... layers) {
        return ConfigLoader.parse("name: t\nseed: 5\ndata: {dataset: mnist, validation_split: 0.2}\nmodel:\n  input_shape: [6, 6, 2]\n  layers:\n"
                + String.join("\n", java.util.Arrays.stream(layers).map(l -> "    - " + l).toList())
                + "\noptimizer: {name: " + optimizer + "}\ntraining: {batch_size: 8, epochs: 2}\n", List.of());
    }

    static String kind(ExperimentConfig c) {
        MultiLayerNetwork net = KerasModelMapper.build(c);
        try (TrainingStep step = TrainingStep.forNetwork(net, 8, 2)) {
            return step.kind();
        }
    }

    static final String CONV = "{type: conv2d, filters: 3, kernel_size: 3, activation: relu}";
    static final String OUT = "{type: output, units: 2}";

    @Test
    void eachNetworkGetsTheFastestStepThatComputesIt() {
        assertEquals(OneDnnTrainingStep.KIND, kind(config("rmsprop", CONV, "{type: flatten}", OUT)), "control: RMSprop conv net, oneDNN");
        assertEquals(OneDnnTrainingStep.KIND, kind(config("adadelta", CONV, "{type: flatten}", OUT)), "control: AdaDelta conv net, oneDNN");
        assertEquals(SmallConvTrainingStep.KIND, kind(config("sgd", CONV, "{type: flatten}", OUT)), "control: small SGD conv net");
        assertEquals(OneDnnTrainingStep.KIND, kind(config("rmsprop", "{type: flatten}", "{type: dense, units: 4, activation: relu}", OUT)));
        assertEquals(OneDnnTrainingStep.KIND, kind(config("adam", "{type: flatten}", "{type: dense, units: 4, activation: relu}", OUT)));
        // Batch norm, activation layers and global average pooling on oneDNN, whatever the optimizer.
        for (String opt : List.of("rmsprop", "sgd", "adam", "sgd, momentum: 0.9")) {
            assertEquals(OneDnnTrainingStep.KIND, kind(config(opt, CONV, "{type: batch_normalization}", "{type: flatten}", OUT)), opt + " + batch norm");
            assertEquals(OneDnnTrainingStep.KIND, kind(config(opt, CONV, "{type: global_average_pooling2d}", OUT)), opt + " + global average pooling");
        }
        assertEquals(OneDnnTrainingStep.KIND, kind(config("sgd", "{type: conv2d, filters: 3, kernel_size: 3}", "{type: activation, activation: relu}",
                "{type: flatten}", OUT)), "sgd + activation layer");
        // DL4J's own backprop computes the layers the oneDNN step does not, then the flat update (Dl4jBackpropStepTest).
        for (String opt : List.of("rmsprop", "sgd")) {
            assertEquals(OneDnnTrainingStep.KIND, kind(config(opt, CONV, "{type: average_pooling2d}", "{type: flatten}", OUT)), opt + " + average pooling");
            assertEquals(Dl4jBackpropStep.KIND, kind(config(opt, CONV, "{type: global_max_pooling2d}", OUT)), opt + " + global max pooling");
        }
        assertEquals(Dl4jBackpropStep.KIND, kind(config("rmsprop", "{type: flatten}", "{type: batch_normalization}", OUT)), "dense + batch norm");
        for (String opt : List.of("rmsprop", "sgd")) {
            ExperimentConfig plain = config(opt, CONV, "{type: flatten}", "{type: dense, units: 4, activation: relu}", OUT);
            ExperimentConfig frozen = new ExperimentConfig(plain.name(), "", plain.seed(), plain.data(), new ModelConfig(plain.model().inputShape(),
                    plain.model().layers(), new ModelConfig.Transfer("/base/model.zip", "0".repeat(64), 3, 1)), plain.optimizer(), plain.training());
            assertEquals(OneDnnTrainingStep.KIND, kind(frozen), opt + " with a frozen base: the oneDNN step, the no-op updater");
        }
    }

    static java.util.Map<String, String> declines(ExperimentConfig c) {
        MultiLayerNetwork net = KerasModelMapper.build(c);
        TrainingStep.Choice choice = TrainingStep.choose(net, 8, 2);
        choice.step().close();
        return choice.declined();
    }

    @Test
    void eachDeclineSaysWhy() {
        java.util.Map<String, String> bn = declines(config("rmsprop", CONV, "{type: batch_normalization}", "{type: flatten}", OUT));
        assertEquals(List.of(SmallConvTrainingStep.KIND), List.copyOf(bn.keySet()), "in the order tried, up to the chosen one");
        java.util.Map<String, String> sgdBn = declines(config("sgd", CONV, "{type: batch_normalization}", "{type: flatten}", OUT));
        assertEquals("layer 1 is BatchNormalization (conv, max pooling, dense and output only)", sgdBn.get(SmallConvTrainingStep.KIND));
        ExperimentConfig plain = config("rmsprop", CONV, "{type: flatten}", "{type: dense, units: 4, activation: relu}", OUT);
        ExperimentConfig frozen = new ExperimentConfig(plain.name(), "", plain.seed(), plain.data(), new ModelConfig(plain.model().inputShape(),
                plain.model().layers(), new ModelConfig.Transfer("/base/model.zip", "0".repeat(64), 3, 1)), plain.optimizer(), plain.training());
        java.util.Map<String, String> f = declines(frozen);
        assertEquals(List.of(SmallConvTrainingStep.KIND), List.copyOf(f.keySet()),
                "in the order tried, up to the oneDNN step, which takes a frozen base");
        assertEquals("a frozen layer (transfer learning)", f.get(SmallConvTrainingStep.KIND));
        assertTrue(declines(config("rmsprop", CONV, "{type: flatten}", OUT)).keySet().equals(java.util.Set.of(SmallConvTrainingStep.KIND)), "the chosen step has no reason; the faster ones do");
    }

    /** Each thing the libnd4j-ops step does not compute makes it decline, with its own reason. */
    @Test
    void theOneDnnStepSaysWhyItDeclines() {
        java.util.Map<String, String[]> cases = new java.util.LinkedHashMap<>();
        cases.put("elu", new String[] {"layer 1: an activation layer other than ReLU or linear", "{type: conv2d, filters: 3, kernel_size: 3}",
                "{type: activation, activation: elu}", "{type: flatten}", OUT});
        cases.put("elu-conv", new String[] {"layer 0: a convolution other than NCHW, undilated, 'valid' or 'same', with ReLU, tanh, sigmoid or none",
                "{type: conv2d, filters: 3, kernel_size: 3, activation: elu}", "{type: flatten}", OUT});
        cases.put("elu-dense", new String[] {"layer 1: a dense layer other than biased, with ReLU, tanh, sigmoid or none", CONV, "{type: flatten}",
                "{type: dense, units: 4, activation: elu}", OUT});
        cases.put("global-max", new String[] {"layer 1: global pooling other than the average over height and width", CONV,
                "{type: global_max_pooling2d}", OUT});
        cases.put("dense-bn", new String[] {"layer 1: BatchNormalization after flatten is not computed by this step", CONV, "{type: flatten}",
                "{type: batch_normalization}", OUT});
        for (var e : cases.entrySet()) {
            String[] c = e.getValue();
            String opt = "rmsprop";
            String reason = declines(config(opt, java.util.Arrays.copyOfRange(c, 1, c.length))).get(OneDnnTrainingStep.KIND);
            assertTrue(reason != null && reason.startsWith(c[0]), e.getKey() + ": " + reason);
        }
        ExperimentConfig regularised = ConfigLoader.parse("""
                name: l2
                data: {dataset: mnist, validation_split: 0.2}
                model:
                  input_shape: [6, 6, 2]
                  layers:
                    - {type: conv2d, filters: 3, kernel_size: 3, activation: relu, kernel_regularizer: {l2: 0.01}}
                    - {type: flatten}
                    - {type: output, units: 2}
                optimizer: {name: rmsprop}
                training: {batch_size: 8, epochs: 1}
                """, List.of());
        assertEquals(OneDnnTrainingStep.KIND, kind(regularised), "L1/L2 in the flat update, their loss term beside the cross-entropy");
        // Without oneDNN's primitives (a build whose native library does not load, or switched off) the step declines.
        System.setProperty(OneDnnPrimitives.SWITCH, "off");
        try {
            assertEquals("oneDNN primitives switched off (-Ddeepnets.onednn=off)",
                    declines(config("rmsprop", CONV, "{type: max_pool2d, pool_size: 2}", "{type: flatten}", OUT)).get(OneDnnTrainingStep.KIND));
        } finally {
            System.clearProperty(OneDnnPrimitives.SWITCH);
        }
    }

    static ImageSet images(int n, long seed) {
        Random r = new Random(seed);
        float[] f = new float[n * 72];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 2;
            for (int p = 0; p < 72; p++) {
                f[i * 72 + p] = labels[i] == 0 ? r.nextFloat() * 0.5f : 0.5f + r.nextFloat() * 0.5f;
            }
        }
        return new ImageSet(f, labels, n, 72);
    }

    @Test
    void augmentationChangesCopiesOfTrainingBatchesOnlyAndIsSeeded() {
        DataConfig.Augmentation aug = new DataConfig.Augmentation(true, 0.2, 0.2, 20, 0.1);
        ExperimentConfig c = config("sgd", CONV, "{type: flatten}", OUT);
        ImageSet train = images(24, 1);
        ImageSet validation = images(8, 2);
        float[] trainBefore = train.features().clone();
        float[] validationBefore = validation.features().clone();
        MultiLayerNetwork a = KerasModelMapper.build(c);
        List<EpochResult> ha = new Trainer(a, train, validation, 2, c.training(), c.seed(), List.of())
                .augmenting(new ImageAugmenter(aug, TensorShape.of(6, 6, 2), 9)).fit(1);
        assertArrayEquals(trainBefore, train.features(), "the cached training images are never changed");
        assertArrayEquals(validationBefore, validation.features(), "validation images are never changed");
        EvalResult val = Evaluator.evaluate(a, validation, 2).plusPenalty(EvalResult.penalty(a));
        assertEquals(val.loss(), ha.get(1).valLoss(), 1e-5, "val_loss is the plain validation set's");
        MultiLayerNetwork b = KerasModelMapper.build(c);
        List<EpochResult> hb = new Trainer(b, train, validation, 2, c.training(), c.seed(), List.of())
                .augmenting(new ImageAugmenter(aug, TensorShape.of(6, 6, 2), 9)).fit(1);
        assertEquals(ha.get(1).loss(), hb.get(1).loss(), 0, "same seed, same augmented batches, same training");
        assertArrayEquals(a.params().data().asFloat(), b.params().data().asFloat());
        MultiLayerNetwork plain = KerasModelMapper.build(c);
        List<EpochResult> hp = new Trainer(plain, train, validation, 2, c.training(), c.seed(), List.of()).fit(1);
        assertNotEquals(hp.get(0).loss(), ha.get(0).loss(), "augmented batches differ from the plain ones");
    }

    @Test
    void augmenterDrawsDependOnSeedEpochAndStepAndFlipMirrors() {
        ImageSet base = images(4, 3);
        ImageAugmenter flipOnly = new ImageAugmenter(new DataConfig.Augmentation(true, 0, 0, 0, 0), TensorShape.of(6, 6, 2), 1);
        ImageSet x = base.rows(io.deepnets.data.BatchAssembler.identity(4), 0, 4);
        flipOnly.apply(x, 1, 0);
        int flipped = 0;
        for (int i = 0; i < 4; i++) {
            boolean same = true;
            boolean mirror = true;
            for (int ch = 0; ch < 2; ch++) {
                for (int r = 0; r < 6; r++) {
                    for (int col = 0; col < 6; col++) {
                        float got = x.features()[i * 72 + ch * 36 + r * 6 + col];
                        same &= got == base.features()[i * 72 + ch * 36 + r * 6 + col];
                        mirror &= got == base.features()[i * 72 + ch * 36 + r * 6 + 5 - col];
                    }
                }
            }
            assertFalse(!same && !mirror, "a flip only mirrors or leaves the image");
            flipped += same ? 0 : 1;
        }
        ImageAugmenter all = new ImageAugmenter(new DataConfig.Augmentation(true, 0.1, 0.1, 15, 0.1), TensorShape.of(6, 6, 2), 1);
        ImageSet e1 = base.rows(io.deepnets.data.BatchAssembler.identity(4), 0, 4);
        ImageSet e1again = base.rows(io.deepnets.data.BatchAssembler.identity(4), 0, 4);
        ImageSet e2 = base.rows(io.deepnets.data.BatchAssembler.identity(4), 0, 4);
        all.apply(e1, 1, 0);
        all.apply(e1again, 1, 0);
        all.apply(e2, 2, 0);
        assertArrayEquals(e1.features(), e1again.features());
        assertFalse(java.util.Arrays.equals(e1.features(), e2.features()), "another epoch, other draws");
        for (float v : e1.features()) {
            assertFalse(v < 0 || v > 1, "bilinear with nearest fill stays in the pixel range");
        }
        assertEquals(4, flipped + (4 - flipped));
    }

    /** Keras's classical momentum (deepnets' own updater) trains on the oneDNN step through the flat update. */
    @Test
    void classicalMomentumTrainsOnTheOneDnnStep() {
        ExperimentConfig momentum = config("sgd, momentum: 0.9", CONV, "{type: flatten}", OUT);
        assertEquals(OneDnnTrainingStep.KIND, kind(momentum));
        java.util.Map<String, String> why = declines(momentum);
        assertEquals(java.util.Set.of(SmallConvTrainingStep.KIND), why.keySet(), why.toString());
        assertTrue(why.values().stream().allMatch(r -> r != null && !r.isBlank()), why.toString());
    }
}
