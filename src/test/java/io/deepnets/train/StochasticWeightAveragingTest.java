package io.deepnets.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deepnets.config.ConfigLoader;
import io.deepnets.config.ExperimentConfig;
import io.deepnets.data.EpochShuffler;
import io.deepnets.data.ImageSet;
import io.deepnets.model.KerasModelMapper;
import io.deepnets.model.Network;
import io.deepnets.runs.EpochResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Stochastic weight averaging against its definition: the rate held at the averaging rate from the first averaged
 * epoch, the weights the plain mean of the averaged epochs' end weights, each batch normalisation's moving statistics
 * the mean over the epoch's batches of the batch mean and (uncorrected) variance of its input in a training-mode pass,
 * computed here by hand from the averaged weights.
 */
class StochasticWeightAveragingTest {
    static final String CONFIG = """
            name: swa
            seed: 7
            data: {dataset: digits, test_split: 0.2, validation_data: test}
            model:
              input_shape: [8, 8, 1]
              layers:
                - {type: conv2d, filters: 4, kernel_size: 3, activation: relu}
                - {type: batch_normalization}
                - {type: flatten}
                - {type: dense, units: 16, activation: relu}
                - {type: batch_normalization}
                - {type: output, units: 10}
            optimizer: {name: sgd, learning_rate: 0.1, momentum: 0.9, schedule: {type: cosine}}
            training: {batch_size: 32, epochs: 4, swa: {start: 0.5, learning_rate: 0.03}}
            """;

    static ImageSet randomImages(int n, long seed) {
        Random r = new Random(seed);
        float[] x = new float[n * 64];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = r.nextInt(10);
            for (int j = 0; j < 64; j++) {
                // A class-dependent bright row, so that the network learns and its weights move.
                x[i * 64 + j] = (float) (r.nextDouble() * 0.5 + (j / 8 == y[i] % 8 ? 0.5 : 0));
            }
        }
        return new ImageSet(x, y, n, 64);
    }

    @Test
    void averagesTheLastEpochsAndRecountsBatchNormForTheAverage() {
        ExperimentConfig config = ConfigLoader.parse(CONFIG, List.of());
        Network net = KerasModelMapper.network(config);
        MultiLayerNetwork stack = net.stack().orElseThrow();
        ImageSet train = randomImages(200, 1);
        List<Map<String, INDArray>> ends = new ArrayList<>();
        List<Double> rates = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        TrainingObserver watch = new TrainingObserver() {
            @Override
            public void epochFinished(EpochResult result, int epochs) {
                ends.add(copy(stack.paramTable()));
                rates.add(result.lr());
            }

            @Override
            public void note(String message) {
                notes.add(message);
            }
        };
        Trainer trainer = new Trainer(net, train, randomImages(50, 2), 10, config.training(), config.seed(), List.of(watch));
        trainer.fit(1);

        assertEquals(0.1, rates.get(0), 1e-7);
        assertEquals(0.1 * 0.5 * (1 + Math.cos(Math.PI / 4)), rates.get(1), 1e-7, "the cosine before averaging");
        assertEquals(0.03, rates.get(2), 1e-9, "the averaging rate from 0-based epoch round(0.5 * 4) = 2");
        assertEquals(0.03, rates.get(3), 1e-9);
        assertEquals(2, trainer.averagedEpochs());
        assertTrue(notes.get(notes.size() - 1).contains("epochs 3-4 (2)"), notes.toString());
        assertTrue(notes.get(notes.size() - 1).contains("2 batch normalisation layers recomputed over the training data through DL4J's "
                + "feedForward"), notes.toString());

        Map<String, INDArray> last = stack.paramTable();
        for (Map.Entry<String, INDArray> p : last.entrySet()) {
            INDArray mean = ends.get(2).get(p.getKey()).add(ends.get(3).get(p.getKey())).divi(2);
            if (p.getKey().endsWith("_mean") || p.getKey().endsWith("_var")) {
                assertNotEquals(mean, p.getValue(), p.getKey() + ": recounted, not averaged");
            } else {
                assertTrue(mean.equalsWithEps(p.getValue(), 1e-6), p.getKey() + ": the mean of epochs 3 and 4's weights");
                assertNotEquals(ends.get(3).get(p.getKey()), p.getValue(), p.getKey() + ": not the last epoch's");
            }
        }

        // The statistics by hand: the epoch after the last's batches (its order, batch 32), conv -> relu, then batch norm
        // by the batch's own statistics, flatten, dense -> relu. The engine declines a batch norm after a dense layer:
        // DL4J's backward pass trained this network, and the recount went through DL4J's feedForward in training mode.
        int[] order = EpochShuffler.order(train.count(), config.seed(), 5, true);
        Layer conv = stack.getLayer(0);
        Layer bn1 = stack.getLayer(1);
        Layer dense = stack.getLayer(2);
        double eps1 = ((org.deeplearning4j.nn.conf.layers.BatchNormalization) bn1.conf().getLayer()).getEps();
        double[] mean1 = new double[4];
        double[] var1 = new double[4];
        double[] mean2 = new double[16];
        double[] var2 = new double[16];
        int batches = 0;
        for (int from = 0; from < train.count(); from += 32) {
            int to = Math.min(train.count(), from + 32);
            int n = to - from;
            INDArray c = reluConv(conv, train, order, from, to);
            INDArray bm = c.mean(0, 2, 3);
            INDArray bv = c.var(false, 0, 2, 3);
            for (int f = 0; f < 4; f++) {
                mean1[f] += bm.getDouble(f);
                var1[f] += bv.getDouble(f);
            }
            INDArray normed = c.sub(bm.reshape(1, 4, 1, 1)).divi(Transforms.sqrt(bv.add(eps1)).reshape(1, 4, 1, 1))
                    .muli(bn1.getParam("gamma").reshape(1, 4, 1, 1)).addi(bn1.getParam("beta").reshape(1, 4, 1, 1));
            INDArray h = Transforms.relu(normed.reshape('c', n, 144).mmul(dense.getParam("W")).addiRowVector(dense.getParam("b")));
            INDArray hm = h.mean(0);
            INDArray hv = h.var(false, 0);
            for (int u = 0; u < 16; u++) {
                mean2[u] += hm.getDouble(u);
                var2[u] += hv.getDouble(u);
            }
            batches++;
        }
        assertEquals("dl4j-backprop+flat-update", trainer.stepKind());
        Layer bn2 = stack.getLayer(3);
        for (int f = 0; f < 4; f++) {
            assertEquals(mean1[f] / batches, bn1.getParam("mean").getDouble(f), 1e-4, "first batch norm's mean, channel " + f);
            assertEquals(var1[f] / batches, bn1.getParam("var").getDouble(f), 1e-4, "first batch norm's variance, channel " + f);
        }
        for (int u = 0; u < 16; u++) {
            assertEquals(mean2[u] / batches, bn2.getParam("mean").getDouble(u), 1e-4, "second batch norm's mean, unit " + u);
            assertEquals(var2[u] / batches, bn2.getParam("var").getDouble(u), 1e-4, "second batch norm's variance, unit " + u);
        }
    }

    /** A graph (branches and an add): the same mean, and its first batch norm's statistics by hand. */
    @Test
    void averagesAGraphAndRecountsItsBatchNorm() {
        ExperimentConfig config = ConfigLoader.parse("""
                name: swa-graph
                seed: 7
                data: {dataset: digits, test_split: 0.2, validation_data: test}
                model:
                  input_shape: [8, 8, 1]
                  layers:
                    - {name: c1, type: conv2d, filters: 4, kernel_size: 3, activation: relu}
                    - {name: bn1, type: batch_normalization}
                    - {name: c2, type: conv2d, filters: 4, kernel_size: 3, padding: same}
                    - {name: bn2, type: batch_normalization}
                    - {name: sum, type: add, inputs: [bn2, bn1]}
                    - {name: pool, type: global_average_pooling2d}
                    - {name: predictions, type: output, units: 10}
                optimizer: {name: sgd, learning_rate: 0.05, momentum: 0.9}
                training: {batch_size: 32, epochs: 3, swa: {start: 0.3, learning_rate: 0.02}}
                """, List.of());
        Network net = KerasModelMapper.network(config);
        org.deeplearning4j.nn.graph.ComputationGraph graph = net.graph().orElseThrow();
        ImageSet train = randomImages(200, 3);
        List<Map<String, INDArray>> ends = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        TrainingObserver watch = new TrainingObserver() {
            @Override
            public void epochFinished(EpochResult result, int epochs) {
                ends.add(copy(graph.paramTable()));
            }

            @Override
            public void note(String message) {
                notes.add(message);
            }
        };
        Trainer trainer = new Trainer(net, train, randomImages(50, 4), 10, config.training(), config.seed(), List.of(watch));
        trainer.fit(1);
        assertEquals(2, trainer.averagedEpochs(), "0-based epoch round(0.3 * 3) = 1 on: epochs 2 and 3");
        for (Map.Entry<String, INDArray> p : graph.paramTable().entrySet()) {
            INDArray mean = ends.get(1).get(p.getKey()).add(ends.get(2).get(p.getKey())).divi(2);
            if (p.getKey().endsWith("_mean") || p.getKey().endsWith("_var")) {
                assertNotEquals(mean, p.getValue(), p.getKey() + ": recounted, not averaged");
            } else {
                assertTrue(mean.equalsWithEps(p.getValue(), 1e-6), p.getKey() + ": the mean of epochs 2 and 3's weights");
            }
        }
        int[] order = EpochShuffler.order(train.count(), config.seed(), 4, true);
        INDArray meanSum = Nd4j.zeros(DataType.DOUBLE, 4);
        INDArray varSum = Nd4j.zeros(DataType.DOUBLE, 4);
        int batches = 0;
        for (int from = 0; from < train.count(); from += 32) {
            INDArray c = reluConv(graph.getLayer("c1"), train, order, from, Math.min(train.count(), from + 32)).castTo(DataType.DOUBLE);
            meanSum.addi(c.mean(0, 2, 3));
            varSum.addi(c.var(false, 0, 2, 3));
            batches++;
        }
        // The engine trained this one, and the recount ran its training-mode forward pass.
        assertEquals("deepnets-onednn", trainer.stepKind());
        assertTrue(notes.get(notes.size() - 1).contains("through deepnets-onednn's forward pass"), notes.toString());
        Layer bn1 = graph.getLayer("bn1");
        for (int f = 0; f < 4; f++) {
            assertEquals(meanSum.getDouble(f) / batches, bn1.getParam("mean").getDouble(f), 1e-4, "mean, channel " + f);
            assertEquals(varSum.getDouble(f) / batches, bn1.getParam("var").getDouble(f), 1e-4, "variance, channel " + f);
        }

        // bn2 normalises what bn1 normalised by each batch's own statistics: the engine's recount of every layer against
        // the same recount through DL4J's feedForward in training mode, on this graph.
        Map<String, INDArray> engine = copy(graph.paramTable());
        BatchNormStatistics dl4j = new BatchNormStatistics(net);
        assertEquals(2, dl4j.layers());
        io.deepnets.data.BatchAssembler rows = new io.deepnets.data.BatchAssembler(train, 10);
        for (int from = 0; from < train.count(); from += 32) {
            dl4j.add(rows.features(order, from, Math.min(train.count(), from + 32)));
        }
        graph.getLayer("bn2").getParam("var").assign(0);
        dl4j.apply();
        for (String key : List.of("bn1_mean", "bn1_var", "bn2_mean", "bn2_var")) {
            assertTrue(engine.get(key).equalsWithEps(graph.getParam(key), 1e-4), key + ": engine " + engine.get(key) + ", DL4J " + graph.getParam(key));
        }
        assertNotEquals(ends.get(2).get("bn2_var"), engine.get("bn2_var"), "recounted");
    }

    /** relu(conv 3x3 valid + bias) of rows {@code order[from..to)} of 8x8 one-channel images, by hand: [n, filters, 6, 6]. */
    static INDArray reluConv(Layer conv, ImageSet train, int[] order, int from, int to) {
        INDArray w = conv.getParam("W");
        INDArray b = conv.getParam("b");
        int filters = (int) w.size(0);
        INDArray out = Nd4j.create(DataType.FLOAT, to - from, filters, 6, 6);
        for (int i = 0; i < to - from; i++) {
            float[] x = train.row(order[from + i]);
            for (int f = 0; f < filters; f++) {
                for (int r = 0; r < 6; r++) {
                    for (int q = 0; q < 6; q++) {
                        double s = b.getDouble(f);
                        for (int dr = 0; dr < 3; dr++) {
                            for (int dq = 0; dq < 3; dq++) {
                                s += w.getDouble(f, 0, dr, dq) * x[(r + dr) * 8 + q + dq];
                            }
                        }
                        out.putScalar(new long[] {i, f, r, q}, Math.max(0, s));
                    }
                }
            }
        }
        return out;
    }

    private static Map<String, INDArray> copy(Map<String, INDArray> table) {
        Map<String, INDArray> out = new java.util.LinkedHashMap<>();
        table.forEach((k, v) -> out.put(k, v.dup()));
        return out;
    }
}
