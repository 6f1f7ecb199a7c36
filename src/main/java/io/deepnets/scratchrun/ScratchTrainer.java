package io.deepnets.scratchrun;

import io.deepnets.config.ConfigLoader;
import io.deepnets.config.DataConfig;
import io.deepnets.config.ExperimentConfig;
import io.deepnets.data.DataSources;
import io.deepnets.data.DatasetLoader;
import io.deepnets.data.EpochShuffler;
import io.deepnets.data.ImageSet;
import io.deepnets.data.LoadedDataset;
import io.deepnets.eval.ClassMetrics;
import io.deepnets.eval.EvalResult;
import io.deepnets.eval.Evaluator;
import io.deepnets.model.KerasModelMapper;
import io.deepnets.report.RunReport;
import io.deepnets.runs.AtomicFiles;
import io.deepnets.runs.ConfusionCsv;
import io.deepnets.runs.EpochResult;
import io.deepnets.runs.HistoryCsv;
import io.deepnets.runs.MetricsJson;
import io.deepnets.runs.PerClassCsv;
import io.deepnets.runs.PredictionsCsv;
import io.deepnets.runs.Provenance;
import io.deepnets.runs.RunContents;
import io.deepnets.runs.RunFolder;
import io.deepnets.scratch.Convolution;
import io.deepnets.scratch.InnerProduct;
import io.deepnets.scratch.Layer;
import io.deepnets.scratch.Network;
import io.deepnets.scratch.Sgd;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Trains {@link Network#lenet} with {@link Sgd#lenet} (Caffe's MNIST solver) on the real MNIST, seeded: a shuffled
 * order per pass over the 60,000 images, batches of {@code batch}. Prints the cost and the batch's training accuracy
 * every {@code display} iterations and the test accuracy every {@code testEvery}; each test evaluation is one row of
 * history.csv (loss/accuracy: the means over the iterations since the previous row; val_*: the 10,000 test images).
 */
public final class ScratchTrainer {
    /** What to train and where. */
    public record Options(int iterations, int batch, long seed, int display, int testEvery, Path dataDir, Path outDir, int dl4jTimingSteps) {
        public Options {
            if (iterations < 1 || batch < 1 || display < 1 || testEvery < 1) {
                throw new IllegalArgumentException("iterations, batch, display and test interval must be positive");
            }
        }
    }

    /** The run folder and the figures the README quotes. */
    public record Result(Path runDir, double testAccuracy, double testLoss, double trainSeconds, double msPerIteration, double dl4jMsPerIteration,
            double maxProbabilityDifference) {
    }

    private final PrintStream out;
    private final PrintStream err;
    private final Map<String, String> env;

    public ScratchTrainer(PrintStream out, PrintStream err, Map<String, String> env) {
        this.out = out;
        this.err = err;
        this.env = env;
    }

    /** LeNet in the experiment vocabulary: the DL4J twin the weights are saved into, and the report's config. */
    static ExperimentConfig lenetConfig(Options o, int blocks) {
        return ConfigLoader.parse("""
                name: lenet-scratch
                description: "Caffe's LeNet trained by deepnets' hand-written layers (deepnets scratch train): SGD momentum 0.9, weight decay 5e-4, \
                inv learning-rate policy from 0.01, biases at twice the rate; this config is its DL4J twin for predict and the report"
                seed: %d
                data: {dataset: mnist, validation_data: test}
                model:
                  input_shape: [28, 28, 1]
                  layers:
                    - {type: conv2d, filters: 20, kernel_size: 5}
                    - {type: max_pool2d, pool_size: 2}
                    - {type: conv2d, filters: 50, kernel_size: 5}
                    - {type: max_pool2d, pool_size: 2}
                    - {type: flatten}
                    - {type: dense, units: 500, activation: relu}
                    - {type: output, units: 10}
                optimizer: {name: sgd, learning_rate: 0.01, momentum: 0.9, nesterov: true}   # DL4J has Nesterov momentum only: same cost per step
                training: {batch_size: %d, epochs: %d, shuffle: true}
                """.formatted(o.seed(), o.batch(), Math.max(1, blocks)), List.of());
    }

    public Result train(Options o) {
        int blocks = (o.iterations() + o.testEvery() - 1) / o.testEvery();
        ExperimentConfig config = lenetConfig(o, blocks);
        DataConfig mnist = config.data();
        LoadedDataset data = DatasetLoader.forConfig(mnist, o.dataDir(), env, DataSources.canonical(), err);
        ImageSet train = data.train();
        ImageSet test = data.test();
        Network net = Network.lenet(o.seed());
        Sgd sgd = Sgd.lenet();
        out.printf(Locale.ROOT, "LeNet by hand: %s; %d iterations of %d, %,d training / %,d test images%n",
                String.join(" -> ", net.layers().stream().map(Layer::describe).toList()), o.iterations(), o.batch(), train.count(), test.count());
        Path runDir;
        try {
            runDir = RunFolder.create(o.outDir(), config.folderName(), LocalDateTime.now());
            AtomicFiles.writeString(runDir.resolve(RunFolder.CONFIG), ConfigLoader.toYaml(config));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the run folder in " + o.outDir() + ": " + io.deepnets.FailureText.describe(e), e);
        }
        out.println("run folder: " + runDir);
        String started = OffsetDateTime.now().toString();
        List<EpochResult> history = new ArrayList<>();
        int pass = 0;
        int[] order = EpochShuffler.order(train.count(), o.seed(), pass + 1, true);
        int at = 0;
        double blockLoss = 0;
        long blockCorrect = 0;
        long blockSeen = 0;
        long blockStart = System.nanoTime();
        long trainNanos = 0;
        int blockIterations = 0;
        EvalResult last = null;
        for (int it = 1; it <= o.iterations(); it++) {
            if (at + o.batch() > train.count()) {
                pass++;
                order = EpochShuffler.order(train.count(), o.seed(), pass + 1, true);
                at = 0;
            }
            long t0 = System.nanoTime();
            ImageSet batch = train.rows(order, at, at + o.batch());
            double lr = sgd.learningRate();
            Network.Result r = net.forwardBackward(batch.features(), batch.labels(), batch.count());
            sgd.step(net.params());
            trainNanos += System.nanoTime() - t0;
            if (!Double.isFinite(r.loss())) {
                throw new io.deepnets.CommandFailure("iteration " + it + ": the cost is " + r.loss() + "; training diverged");
            }
            at += o.batch();
            blockLoss += r.loss() * batch.count();
            blockCorrect += r.correct();
            blockSeen += batch.count();
            blockIterations++;
            if (it % o.display() == 0 || it == 1) {
                out.printf(Locale.ROOT, "iteration %d: cost %.4f, training accuracy %.4f (this batch), lr %.5f%n", it, r.loss(),
                        r.correct() / (double) batch.count(), lr);
            }
            if (it % o.testEvery() == 0 || it == o.iterations()) {
                long evalStart = System.nanoTime();
                last = evaluate(net, test);
                double seconds = (System.nanoTime() - blockStart) / 1e9;
                out.printf(Locale.ROOT, "iteration %d: test accuracy %.4f, test loss %.4f (%.1f s for the last %d iterations and the test)%n", it,
                        last.accuracy(), last.loss(), seconds, blockIterations);
                history.add(new EpochResult(history.size() + 1, blockLoss / blockSeen, blockCorrect / (double) blockSeen, last.loss(), last.accuracy(),
                        seconds, (evalStart - blockStart) / 1e6 / blockIterations, sgd.learningRate()));
                try {
                    HistoryCsv.write(runDir.resolve(RunFolder.HISTORY), history);
                } catch (IOException e) {
                    throw new UncheckedIOException(io.deepnets.FailureText.explain("cannot write " + runDir.resolve(RunFolder.HISTORY), e), e);
                }
                blockLoss = 0;
                blockCorrect = 0;
                blockSeen = 0;
                blockIterations = 0;
                blockStart = System.nanoTime();
            }
        }
        double msPerIteration = trainNanos / 1e6 / o.iterations();
        MultiLayerNetwork twin = KerasModelMapper.build(config);
        copyWeights(net, twin);
        double diff = maxDifference(net, twin, test);
        out.printf(Locale.ROOT, "DL4J's forward pass of the same weights: largest probability difference %.2e over the test set%n", diff);
        double dl4jMs = o.dl4jTimingSteps() > 0 ? dl4jMsPerIteration(config, train, o) : Double.NaN;
        if (o.dl4jTimingSteps() > 0) {
            out.printf(Locale.ROOT, "time per iteration: %.1f ms by hand, %.1f ms through DL4J's fit (%d steps, same network and batch)%n",
                    msPerIteration, dl4jMs, o.dl4jTimingSteps());
        }
        ClassMetrics classMetrics = ClassMetrics.of(last.confusion(), data.classNames(), 2);
        for (ClassMetrics.ConfusedPair p : classMetrics.mostConfused()) {
            out.printf(Locale.ROOT, "most confused: %s taken for %s %d times%n", p.truth(), p.predicted(), p.count());
        }
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("experiment", config.name());
        metrics.put("config_file", "(deepnets scratch train)");
        metrics.put("started", started);
        metrics.put("finished", OffsetDateTime.now().toString());
        metrics.put("status", "completed");
        metrics.put("dataset", "mnist");
        metrics.put("train_samples", train.count());
        metrics.put("validation_samples", test.count());
        metrics.put("validation_source", "the test set, every " + o.testEvery() + " iterations (one history row each)");
        metrics.put("test_samples", test.count());
        metrics.put("params", twin.numParams());
        metrics.put("epochs", history.size());
        metrics.put("iterations", o.iterations());
        metrics.put("batch_size", o.batch());
        EpochResult lastRow = history.get(history.size() - 1);
        metrics.put("loss", lastRow.loss());
        metrics.put("accuracy", lastRow.accuracy());
        metrics.put("val_loss", lastRow.valLoss());
        metrics.put("val_accuracy", lastRow.valAccuracy());
        metrics.put("test_loss", last.loss());
        metrics.put("test_accuracy", last.accuracy());
        metrics.put("train_seconds", trainNanos / 1e9);
        metrics.put("ms_per_iteration", msPerIteration);
        metrics.put("dl4j_ms_per_iteration", dl4jMs);
        metrics.put("dl4j_forward_max_difference", diff);
        metrics.put("epoch_seconds", history.stream().map(EpochResult::epochSeconds).toList());
        metrics.put("mean_epoch_seconds", history.stream().mapToDouble(EpochResult::epochSeconds).average().orElse(0));
        metrics.put("ms_per_step", history.stream().map(EpochResult::msPerStep).toList());
        metrics.put("training_step", "deepnets-scratch (hand-written layers, plain Java)");
        metrics.put("most_confused", classMetrics.mostConfused().stream().map(p -> p.truth() + " as " + p.predicted() + ": " + p.count()).toList());
        metrics.put("class_names", data.classNames());
        metrics.put("provenance", Provenance.collect(o.seed(), data.checksums()));
        try {
            AtomicFiles.write(runDir.resolve(RunFolder.MODEL), s -> ModelSerializer.writeModel(twin, s, false));
            ConfusionCsv.write(runDir.resolve(RunFolder.CONFUSION), data.classNames(), last.confusion());
            PredictionsCsv.write(runDir.resolve(RunFolder.PREDICTIONS), test.labels(), last);
            PerClassCsv.write(runDir.resolve(RunFolder.PER_CLASS), classMetrics);
            try {
                Path page = RunReport.write(RunContents.read(runDir).withMetrics(metrics), new RunReport.TestImages(test, data.shape()), null);
                out.println("report: " + page);
            } catch (IOException | RuntimeException e) {
                err.println("warning: the report could not be written (" + io.deepnets.FailureText.describe(e) + "); run 'deepnets report " + runDir + "' to retry");
            }
            MetricsJson.write(runDir.resolve(RunFolder.METRICS), metrics);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write results into " + runDir + ": " + io.deepnets.FailureText.describe(e), e);
        }
        return new Result(runDir, last.accuracy(), last.loss(), trainNanos / 1e9, msPerIteration, dl4jMs, diff);
    }

    static EvalResult evaluate(Network net, ImageSet set) {
        return Evaluator.evaluate((s, from, to) -> net.probabilities(java.util.Arrays.copyOfRange(s.features(), from * s.featureSize(),
                to * s.featureSize()), to - from), set, net.classes());
    }

    /**
     * The hand-trained weights into the DL4J twin: convolutions have the same layout ([filters][channels][kh][kw]);
     * DL4J's dense W is [inputs][outputs], the transpose of Caffe's; both flatten channels, then rows, then columns.
     */
    static void copyWeights(Network net, MultiLayerNetwork twin) {
        int dl4j = 0;
        for (Layer l : net.layers()) {
            if (l instanceof Convolution c) {
                INDArray w = twin.getLayer(dl4j).getParam("W");
                twin.getLayer(dl4j).setParam("W", Nd4j.create(c.weights().value(), w.shape(), 'c'));
                twin.getLayer(dl4j).setParam("b", Nd4j.create(c.bias().value(), twin.getLayer(dl4j).getParam("b").shape(), 'c'));
                dl4j++;
            } else if (l instanceof InnerProduct ip) {
                INDArray w = twin.getLayer(dl4j).getParam("W");
                int in = (int) w.size(0);
                int outN = (int) w.size(1);
                twin.getLayer(dl4j).setParam("W", Nd4j.create(io.deepnets.scratch.Gemm.transpose(ip.weights().value(), outN, in), w.shape(), 'c'));
                twin.getLayer(dl4j).setParam("b", Nd4j.create(ip.bias().value(), twin.getLayer(dl4j).getParam("b").shape(), 'c'));
                dl4j++;
            } else if (l instanceof io.deepnets.scratch.MaxPooling) {
                dl4j++;
            }
            // ReLU: the twin's dense layer carries it as its activation.
        }
    }

    static double maxDifference(Network net, MultiLayerNetwork twin, ImageSet test) {
        double max = 0;
        for (int from = 0; from < test.count(); from += 500) {
            int to = Math.min(test.count(), from + 500);
            float[] x = java.util.Arrays.copyOfRange(test.features(), from * test.featureSize(), to * test.featureSize());
            float[] mine = net.probabilities(x, to - from);
            float[] theirs = twin.output(Nd4j.create(x, new long[] {to - from, test.featureSize()}, 'c'), false).dup('c').data().asFloat();
            for (int i = 0; i < mine.length; i++) {
                max = Math.max(max, Math.abs(mine[i] - theirs[i]));
            }
        }
        return max;
    }

    /** DL4J's own fit on the same network and batch size, after a few warm-up steps. */
    static double dl4jMsPerIteration(ExperimentConfig config, ImageSet train, Options o) {
        MultiLayerNetwork net = KerasModelMapper.build(config);
        int[] order = EpochShuffler.order(train.count(), o.seed(), 1, true);
        int warm = 5;
        long start = 0;
        for (int s = 0; s < warm + o.dl4jTimingSteps(); s++) {
            if (s == warm) {
                start = System.nanoTime();
            }
            ImageSet b = train.rows(order, s * o.batch(), (s + 1) * o.batch());
            INDArray labels = Nd4j.zeros(org.nd4j.linalg.api.buffer.DataType.FLOAT, b.count(), 10);
            for (int i = 0; i < b.count(); i++) {
                labels.putScalar(i, b.labels()[i], 1f);
            }
            net.fit(new DataSet(Nd4j.create(b.features(), new long[] {b.count(), b.featureSize()}, 'c'), labels));
        }
        return (System.nanoTime() - start) / 1e6 / o.dl4jTimingSteps();
    }
}
