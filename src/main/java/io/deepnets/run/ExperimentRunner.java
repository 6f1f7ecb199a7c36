package io.deepnets.run;

import io.deepnets.BadInputException;
import io.deepnets.config.ConfigLoader;
import io.deepnets.config.DataConfig;
import io.deepnets.config.ExperimentConfig;
import io.deepnets.config.TensorShape;
import io.deepnets.config.TrainingConfig;
import io.deepnets.data.DataSources;
import io.deepnets.data.DatasetLoader;
import io.deepnets.data.ImageAugmenter;
import io.deepnets.data.ImageSet;
import io.deepnets.model.BaseWeights;
import io.deepnets.data.LoadedDataset;
import io.deepnets.data.SplitDataset;
import io.deepnets.eval.EvalResult;
import io.deepnets.eval.Evaluator;
import io.deepnets.eval.MirrorAveragedPredictor;
import io.deepnets.model.KerasModelMapper;
import io.deepnets.model.MemoryBudget;
import io.deepnets.model.ModelSummary;
import io.deepnets.model.NativeRuntime;
import io.deepnets.predict.ActivationMaps;
import io.deepnets.report.RunReport;
import io.deepnets.runs.AtomicFiles;
import io.deepnets.runs.Checkpoint;
import io.deepnets.runs.ConfusionCsv;
import io.deepnets.runs.EpochResult;
import io.deepnets.runs.FaultInjection;
import io.deepnets.runs.HistoryCsv;
import io.deepnets.runs.MetricsJson;
import io.deepnets.runs.PredictionsCsv;
import io.deepnets.runs.Provenance;
import io.deepnets.runs.RunContents;
import io.deepnets.runs.RunFolder;
import io.deepnets.train.Callbacks;
import io.deepnets.train.ConsoleProgress;
import io.deepnets.train.Trainer;
import io.deepnets.train.TrainingDivergedException;
import io.deepnets.train.TrainingObserver;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import io.deepnets.model.Network;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code deepnets run}: config, data, model, then (only if all three are sound) a run folder, training,
 * test evaluation and the folder's files. Nothing is written before training can start.
 */
public final class ExperimentRunner {
    private final PrintStream out;
    private final PrintStream err;
    private final boolean terminal;
    private final Map<String, String> env;
    private final DataSources sources;
    private final List<TrainingObserver> extraObservers;
    private final RunRequest.Options options;

    public ExperimentRunner(PrintStream out, PrintStream err, boolean terminal, Map<String, String> env, DataSources sources) {
        this(out, err, terminal, env, sources, List.of(), RunRequest.Options.SINGLE_RUN);
    }

    private ExperimentRunner(PrintStream out, PrintStream err, boolean terminal, Map<String, String> env, DataSources sources,
            List<TrainingObserver> extraObservers, RunRequest.Options options) {
        this.out = out;
        this.err = err;
        this.terminal = terminal;
        this.env = env;
        this.sources = sources;
        this.extraObservers = List.copyOf(extraObservers);
        this.options = options;
    }

    /** A runner that also tells {@code observer} about training progress (after the history and checkpoint are saved). */
    public ExperimentRunner withObserver(TrainingObserver observer) {
        List<TrainingObserver> all = new ArrayList<>(extraObservers);
        all.add(observer);
        return new ExperimentRunner(out, err, terminal, env, sources, all, options);
    }

    /** A runner whose runs follow {@code newOptions} (a sweep's: divergence as a result, train accuracy measured). */
    public ExperimentRunner withOptions(RunRequest.Options newOptions) {
        return new ExperimentRunner(out, err, terminal, env, sources, extraObservers, newOptions);
    }

    /** Loads and validates the config of a request (no data, no training). */
    public static ExperimentConfig config(RunRequest request) {
        return ConfigLoader.load(request.config(), request.overrides());
    }

    public RunResult run(RunRequest request) {
        ExperimentConfig config = config(request);
        return run(config, request.config(), request.dataDir(), () -> RunFolder.create(request.outDir(), config.folderName(), LocalDateTime.now()));
    }

    /**
     * Runs an already resolved {@code config} into the folder {@code runDir}, which must not exist yet (a sweep
     * names its points' folders); {@code source} names the config in messages.
     */
    public RunResult runInto(ExperimentConfig config, Path source, Path runDir, Path dataDir) {
        if (Files.exists(runDir)) {
            throw new BadInputException(runDir + ": already exists; a run folder is never reused");
        }
        return run(config, source, dataDir, () -> Files.createDirectories(runDir));
    }

    private interface FolderMaker {
        Path make() throws IOException;
    }

    private RunResult run(ExperimentConfig config, Path source, Path dataDir, FolderMaker folder) {
        MemoryBudget.check(source.toString(), config);
        try (InterruptNotice notice = InterruptNotice.watch(err)) {
            return run(config, source, dataDir, folder, notice);
        }
    }

    private RunResult run(ExperimentConfig config, Path source, Path dataDir, FolderMaker folder, InterruptNotice notice) {
        Map<String, Double> phases = new LinkedHashMap<>();
        long t0 = System.nanoTime();
        SplitDataset data = loadData(source, config, dataDir);
        long t1 = System.nanoTime();
        Network net = KerasModelMapper.network(config);
        if (config.model().transfer() != null) {
            BaseWeights.Copied baseCopied = copyBase(source, net, config);
            out.printf(Locale.ROOT, "transfer: %,d trained parameters of %d layers from %s; %d layer(s) frozen%n", baseCopied.params(),
                    baseCopied.layers(), baseCopied.base(), config.model().transfer().frozen());
        }
        phases.put("data_seconds", (t1 - t0) / 1e9);
        phases.put("build_seconds", (System.nanoTime() - t1) / 1e9);
        ModelSummary summary = ModelSummary.of(config, net.numParams());
        Path runDir;
        try {
            runDir = folder.make();
            notice.making(runDir);
            AtomicFiles.writeString(runDir.resolve(RunFolder.CONFIG), ConfigLoader.toYaml(config));
            AtomicFiles.writeString(runDir.resolve(RunFolder.SUMMARY), summary.render());
            if (data.testIndices() != null) {
                StringBuilder sb = new StringBuilder("index\n");
                for (int i : data.testIndices()) {
                    sb.append(i).append('\n');
                }
                AtomicFiles.writeString(runDir.resolve(RunFolder.TEST_INDICES), sb.toString());
            }
            HistoryCsv.write(runDir.resolve(RunFolder.HISTORY), List.of());
            if (!data.skipped().isEmpty()) {
                AtomicFiles.writeString(runDir.resolve(LoadedDataset.SKIPPED_FILE), String.join("\n", data.skipped()) + "\n");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the run folder for " + source + ": " + io.deepnets.FailureText.describe(e), e);
        }
        notice.resumable(runDir);
        return train(source.toString(), config, data, net, runDir, new ArrayList<>(), phases, new Callbacks(config.training()), null, null);
    }

    /**
     * Continues an interrupted run in its own folder from its newest usable checkpoint, with the network, its
     * updater state and the history as they were. Everything is checked first: the checkpoint against
     * config.yaml (experiment, architecture, parameter count), the model file against the checksum its state
     * recorded, history.csv against the checkpoint's own history. A damaged checkpoint falls back to the previous
     * one; finished epochs are never dropped silently: rows that have to be trained again are kept in a copy of
     * history.csv first, and a folder with finished epochs but no usable checkpoint is refused.
     */
    public RunResult resume(Path runDir, Path dataDir) {
        try (InterruptNotice notice = InterruptNotice.watch(err)) {
            notice.resumable(runDir);
            return resumeWatched(runDir, dataDir);
        }
    }

    private RunResult resumeWatched(Path runDir, Path dataDir) {
        if (Files.isRegularFile(runDir.resolve(RunFolder.METRICS))) {
            throw new BadInputException(runDir + ": this run already completed (metrics.json exists)");
        }
        // Checked before the data is loaded and an epoch trained: the first checkpoint would fail to be written.
        io.deepnets.runs.OutputTargets.checkWritable(runDir, "the run folder");
        for (Path leftover : RunFolder.removeLeftovers(runDir)) {
            out.println("removed " + leftover + " (half-written when the run was stopped)");
        }
        Path configFile = runDir.resolve(RunFolder.CONFIG);
        ExperimentConfig config = ConfigLoader.load(configFile, List.of());
        MemoryBudget.check(configFile.toString(), config);
        NativeRuntime.configure();
        // The mapper guarantees DL4J's count equals the config's, so no network is built just to count.
        Checkpoint.Identity identity = identity(config, config.model().totalParams());
        Checkpoint.Saved saved = Checkpoint.load(runDir, identity, out, KerasModelMapper.imageShape(config.model()));
        Path historyFile = runDir.resolve(RunFolder.HISTORY);
        List<EpochResult> onDisk = readHistoryOrNull(historyFile);
        List<EpochResult> history = new ArrayList<>(saved == null ? List.of() : saved.history());
        if (saved == null && onDisk != null && !onDisk.isEmpty()) {
            throw new BadInputException(runDir + ": history.csv has " + onDisk.size() + " finished epoch(s) but there is no checkpoint to "
                    + "continue from; resuming would lose them (start a new run)");
        }
        if (history.size() > config.training().totalEpochs()) {
            throw new BadInputException(configFile + ": training.epochs: " + config.training().totalEpochs() + " is fewer than the "
                    + history.size() + " epochs already trained");
        }
        try {
            if (onDisk == null || !sameRows(onDisk, history)) {
                if (Files.exists(historyFile)) {
                    Path copy = runDir.resolve(RunFolder.HISTORY + ".before-resume-" + STAMP.format(LocalDateTime.now()));
                    Files.copy(historyFile, copy);
                    out.println("note: history.csv " + (onDisk == null ? "was unreadable" : "had " + onDisk.size() + " epoch(s), the checkpoint "
                            + history.size()) + "; kept as " + copy.getFileName() + ", rewritten from the checkpoint");
                } else {
                    out.println("note: history.csv was missing; rewritten from the checkpoint");
                }
                HistoryCsv.write(historyFile, history);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot resume " + runDir + ": " + io.deepnets.FailureText.describe(e), e);
        }
        long t0 = System.nanoTime();
        SplitDataset data = loadData(configFile, config, dataDir);
        Map<String, Double> phases = new LinkedHashMap<>();
        phases.put("data_seconds", (System.nanoTime() - t0) / 1e9);
        Network net = saved == null ? KerasModelMapper.network(config) : saved.network();
        if (saved == null && config.model().transfer() != null) {
            // Stopped before its first checkpoint: it starts again from the base network's weights, as the run did.
            copyBase(configFile, net, config);
        }
        Callbacks callbacks = new Callbacks(config.training());
        if (saved != null) {
            callbacks.restore(saved.callbacks());
            if (callbacks.stoppedEpoch() > 0) {
                throw new BadInputException(runDir + ": training had already stopped early at epoch " + callbacks.stoppedEpoch()
                        + "; only its final files are missing (start the run again)");
            }
        }
        if (saved != null && config.training().swa() != null) {
            int expected = Math.max(0, saved.epoch() - config.training().swa().firstEpoch(config.training().epochs()));
            int held = saved.average() == null ? 0 : saved.average().epochs();
            if (held != expected) {
                throw new BadInputException(runDir + ": the checkpoint after epoch " + saved.epoch() + " holds a weight average of " + held
                        + " epochs where training.swa gives " + expected + " (start the run again)");
            }
        }
        out.printf(Locale.ROOT, "resuming %s after epoch %d of %d%n", runDir, history.size(), config.training().totalEpochs());
        return train(configFile.toString(), config, data, net, runDir, history, phases, callbacks, saved == null ? null : saved.bestParams(),
                saved == null ? null : saved.average());
    }

    private static final java.time.format.DateTimeFormatter STAMP = java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH-mm-ss");

    private static List<EpochResult> readHistoryOrNull(Path file) {
        try {
            return Files.isRegularFile(file) ? HistoryCsv.read(file) : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The learning columns as history.csv holds them (6 decimals); the timings measure the machine and may differ. */
    private static boolean sameRows(List<EpochResult> csv, List<EpochResult> checkpoint) {
        if (csv.size() != checkpoint.size()) {
            return false;
        }
        for (int i = 0; i < csv.size(); i++) {
            EpochResult a = csv.get(i);
            EpochResult b = checkpoint.get(i);
            if (a.epoch() != b.epoch() || !six(a.loss()).equals(six(b.loss())) || !six(a.accuracy()).equals(six(b.accuracy()))
                    || !six(a.valLoss()).equals(six(b.valLoss())) || !six(a.valAccuracy()).equals(six(b.valAccuracy()))) {
                return false;
            }
        }
        return true;
    }

    private static String six(double v) {
        return String.format(Locale.ROOT, "%.6f", v);
    }

    /**
     * What a checkpoint must match: the name, and a fingerprint of the resolved config without what may change
     * between an interruption and a resume (the number of epochs, the description, where the data is looked up, the
     * test-time augmentation, which changes no training step).
     */
    public static Checkpoint.Identity identity(ExperimentConfig c, long params) {
        DataConfig d = c.data();
        // A fine-tuned transfer's phases and a schedule that follows training.epochs (multistep's milestones, a cosine over
        // the epochs): for them the epochs, the schedule and the fine-tuning are part of what a checkpoint must match (a
        // checkpoint of one phase is never trained on as the other). Other runs may be resumed with more epochs.
        TrainingConfig t = c.training();
        boolean epochsMatter = t.fineTune() != null || t.swa() != null || t.schedule() != null && t.schedule().followsEpochs();
        ExperimentConfig shape = new ExperimentConfig(c.name(), "", c.seed(), new DataConfig(d.dataset(), d.path(), null, d.validationSplit(),
                d.validationOnTest(), d.trainSubset(), d.testSubset(), d.classNames(), d.testSplit(), d.splitSeed(), d.folder(), d.classes(), d.augment()),
                c.model(), c.optimizer(), epochsMatter
                        ? new TrainingConfig(t.batchSize(), t.epochs(), t.shuffle(), null, null, null, t.schedule(), t.fineTune(), t.swa())
                        : new TrainingConfig(t.batchSize(), 1, t.shuffle()));
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(
                    ConfigLoader.toYaml(shape).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return new Checkpoint.Identity(c.name(), java.util.HexFormat.of().formatHex(digest), params);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    /** The base network's weights into {@code net}; its errors name the config file first, as every config error. */
    private static BaseWeights.Copied copyBase(Path configFile, Network net, ExperimentConfig config) {
        try {
            return BaseWeights.copyInto(net, config.model());
        } catch (BadInputException e) {
            throw e.getMessage().startsWith("model.base") ? new BadInputException(configFile + ": " + e.getMessage(), e) : e;
        }
    }

    private SplitDataset loadData(Path configFile, ExperimentConfig config, Path dataDir) {
        try {
            LoadedDataset loaded = DatasetLoader.forConfig(config.data(), dataDir, env, sources, err);
            checkFits(configFile, config, loaded);
            printClassCounts(loaded);
            SplitDataset split = SplitDataset.of(loaded, config.data());
            loaded = null;          // what the split did not keep can go now
            io.deepnets.data.LoadingMemory.release(split);
            return split;
        } catch (io.deepnets.data.DataException e) {
            throw e.inConfig(configFile);
        }
    }

    private RunResult train(String configFile, ExperimentConfig config, SplitDataset data, Network net, Path runDir,
            List<EpochResult> history, Map<String, Double> phases, Callbacks callbacks, INDArray restoredBest, Checkpoint.Average restoredAverage) {
        String started = OffsetDateTime.now().toString();
        out.printf(Locale.ROOT, "%s: %s, %d training / %d validation samples (validation: %s), %d test; %,d parameters%n",
                config.name(), data.name(), data.train().count(), data.validation().count(), data.validationSource(),
                data.test().count(), net.numParams());
        out.println("run folder: " + runDir);
        Path historyFile = runDir.resolve(RunFolder.HISTORY);
        HistoryCsv.Rewriter historyCsv = new HistoryCsv.Rewriter(historyFile);
        Checkpoint.Identity identity = identity(config, net.numParams());
        Checkpoint.Writer checkpoints = new Checkpoint.Writer(runDir, config.seed(), identity);
        Trainer[] trainerRef = new Trainer[1];
        // The network being trained: the fine-tuning phase trains a new one (other layers frozen, a new optimizer).
        Network[] current = {net};
        TrainingObserver recorder = new TrainingObserver() {
            @Override
            public void bestModel(int epoch) {
                try {
                    AtomicFiles.write(runDir.resolve(RunFolder.BEST_MODEL), o -> current[0].save(o, true));
                } catch (IOException e) {
                    throw new UncheckedIOException(io.deepnets.FailureText.explain("cannot write " + runDir.resolve(RunFolder.BEST_MODEL), e), e);
                }
            }

            @Override
            public void epochFinished(EpochResult result, int epochs) {
                history.add(result);
                try {
                    // The checkpoint first: history.csv never shows an epoch that no checkpoint holds.
                    Trainer t = trainerRef[0];
                    checkpoints.save(current[0], history, t.callbacks().state(), t.bestParams(),
                            t.averagedParams() == null ? null : new Checkpoint.Average(t.averagedParams(), t.averagedEpochs()));
                    historyCsv.write(history);
                    FaultInjection.reach("epoch.saved");
                } catch (IOException e) {
                    throw new UncheckedIOException(io.deepnets.FailureText.explain("cannot write " + historyFile + " or its checkpoint", e), e);
                }
            }
        };
        int classes = data.classNames().size();
        List<TrainingObserver> observers = new ArrayList<>(List.of(new ConsoleProgress(out, terminal), recorder, new LiveProgress(runDir)));
        observers.addAll(extraObservers);
        TrainingConfig.FineTune fineTune = config.training().fineTune();
        int firstPhase = config.training().epochs();
        // Past the first phase of a fine-tuned transfer (resumed), the checkpoint holds the second phase's network.
        boolean inSecondPhase = fineTune != null && history.size() > firstPhase;
        ExperimentConfig phaseConfig = inSecondPhase ? config.fineTuning() : config;
        Trainer trainer = new Trainer(net, data.train(), data.validation(), classes, fineTune != null && !inSecondPhase
                ? config.training().withEpochs(firstPhase) : phaseConfig.training(), config.seed(), observers, callbacks, restoredBest);
        if (config.data().augment() != null) {
            trainer.augmenting(new ImageAugmenter(config.data().augment(), data.shape(), config.seed()));
        }
        if (restoredAverage != null) {
            trainer.resumingAverage(restoredAverage.params(), restoredAverage.epochs());
        }
        trainerRef[0] = trainer;
        long trainStart = System.nanoTime();
        try {
            trainer.fit(history.size() + 1);
            if (fineTune != null && !inSecondPhase) {
                trainer = fineTuningTrainer(config, current, trainer, data, classes, observers);
                trainerRef[0] = trainer;
                callbacks = trainer.callbacks();
                trainer.fit(history.size() + 1);
            }
            phases.put("train_seconds", (System.nanoTime() - trainStart) / 1e9);
        } catch (TrainingDivergedException e) {
            if (!options.divergenceIsResult()) {
                throw e;
            }
            out.println("diverged: " + e.getMessage());
            return finishDiverged(configFile, config, data, current[0], runDir, history, trainer.stepKind(), started, e.epoch());
        }
        net = current[0];
        Map<String, Object> callbackSummary = new LinkedHashMap<>(callbacks.summary());
        if (callbacks.bestEpoch() > 0 && callbacks.bestEpoch() <= history.size()) {
            EpochResult best = history.get(callbacks.bestEpoch() - 1);
            callbackSummary.put("best_epoch_metrics", Map.of("loss", best.loss(), "accuracy", best.accuracy(), "val_loss", best.valLoss(),
                    "val_accuracy", best.valAccuracy()));
        }
        if (callbacks.keepsBestWeights()) {
            callbackSummary.put("model_weights", trainer.bestParams() != null ? "best (restore_best_weights, epoch " + callbacks.bestEpoch() + ")" : "last");
        } else if (trainer.averagedEpochs() > 0) {
            callbackSummary.put("model_weights", "averaged (swa, epochs " + trainer.averagedRange() + ")");
        } else if (callbacks.any()) {
            callbackSummary.put("model_weights", "last");
        }
        callbackSummary.put("training_step_declined", trainer.stepDeclines());
        return finish(configFile, config, data, net, runDir, history, trainer.stepKind(), started, phases, callbackSummary);
    }

    /**
     * Keras's second phase: a network with the top of the base unfrozen, the first phase's weights (batch norm's
     * moving statistics included), and a new optimizer at the fine-tuning rate with zero state and its step count
     * from zero, as Keras's {@code compile} makes it.
     */
    private Trainer fineTuningTrainer(ExperimentConfig config, Network[] current, Trainer first, SplitDataset data, int classes,
            List<TrainingObserver> observers) {
        ExperimentConfig second = config.fineTuning();
        Network next = KerasModelMapper.network(second);
        next.setParams(current[0].params());
        next.setIterationCount(0);
        next.setEpochCount(current[0].epochCount());
        current[0] = next;
        TrainingConfig.FineTune ft = config.training().fineTune();
        out.printf(Locale.ROOT, "fine-tuning: %d of the base's layers stay frozen (were %d), learning rate %s, %d more epochs%n", ft.frozen(),
                config.model().transfer().frozen(), ft.learningRate(), ft.epochs());
        Callbacks callbacks = new Callbacks(second.training());
        callbacks.continueCheckpointFrom(first.callbacks());
        Trainer trainer = new Trainer(next, data.train(), data.validation(), classes, second.training(), config.seed(), observers, callbacks, null);
        if (config.data().augment() != null) {
            trainer.augmenting(new ImageAugmenter(config.data().augment(), data.shape(), config.seed()));
        }
        return trainer;
    }

    /** Test evaluation and the run folder's result files; metrics.json, the completion marker, last. */
    private RunResult finish(String configFile, ExperimentConfig config, SplitDataset data, Network net, Path runDir,
            List<EpochResult> history, String stepKind, String started, Map<String, Double> phases, Map<String, Object> callbackSummary) {
        int classes = data.classNames().size();
        long evalStart = System.nanoTime();
        // The conv nets' forward pass as validation ran it during training (oneDNN's primitives), else DL4J's output();
        // the former holds native primitives, freed after the evaluation.
        io.deepnets.eval.BatchPredictor testPredictor = io.deepnets.engine.TrainingStep.inference(net, classes);
        DataConfig.TestTimeAugmentation views = config.data().testTimeAugment();
        EvalResult test;
        EvalResult singleView;
        try {
            double penalty = EvalResult.penalty(net);
            if (views == null) {
                test = Evaluator.evaluate(testPredictor, data.test(), classes, net.labelSmoothing()).plusPenalty(penalty);
                singleView = test;
            } else {
                Evaluator.MirrorEvaluation both = Evaluator.evaluateWithMirrorImage(new MirrorAveragedPredictor(testPredictor, data.shape()),
                        data.test(), classes, net.labelSmoothing());
                test = both.mean().plusPenalty(penalty);
                singleView = both.alone().plusPenalty(penalty);
            }
        } finally {
            if (testPredictor instanceof io.deepnets.engine.TrainingStep step) {
                step.close();
            }
        }
        if (views == null) {
            out.printf(Locale.ROOT, "Test loss: %.4f - test accuracy: %.4f%n", test.loss(), test.accuracy());
        } else {
            out.printf(Locale.ROOT, "Test loss: %.4f - test accuracy: %.4f (%s; the image alone: loss %.4f, accuracy %.4f)%n", test.loss(),
                    test.accuracy(), views.describe(), singleView.loss(), singleView.accuracy());
        }
        phases.put("test_seconds", (System.nanoTime() - evalStart) / 1e9);
        long filesStart = System.nanoTime();
        Map<String, Object> metrics;
        try {
            // The epochs rewrote history.csv without forcing it (HistoryCsv.Rewriter): final now, forced before the marker.
            HistoryCsv.sync(runDir.resolve(RunFolder.HISTORY));
            AtomicFiles.write(runDir.resolve(RunFolder.MODEL), o -> net.save(o, true));
            ConfusionCsv.write(runDir.resolve(RunFolder.CONFUSION), data.classNames(), test.confusion());
            PredictionsCsv.write(runDir.resolve(RunFolder.PREDICTIONS), data.test().labels(), test);
            List<ActivationMaps.LayerMaps> maps = ActivationMaps.compute(net,
                    data.test().row(0));
            ActivationMaps.write(maps, runDir.resolve(RunFolder.ACTIVATIONS), "test image 0 (" + data.classNames().get(data.test().labels()[0]) + ")");
            metrics = metrics(configFile, config, data, history, test, net.numParams(), started, stepKind);
            if (views != null) {
                metrics.put("test_views", views.describe());
                metrics.put("single_view_test_loss", singleView.loss());
                metrics.put("single_view_test_accuracy", singleView.accuracy());
            }
            metrics.putAll(callbackSummary);
            metrics.put("planned_epochs", config.training().totalEpochs());
            if (options.evaluateTraining()) {
                long trainEvalStart = System.nanoTime();
                EvalResult trainEval = Evaluator.evaluate(net, data.train(), classes).plusPenalty(EvalResult.penalty(net));
                metrics.put("train_eval_loss", trainEval.loss());
                metrics.put("train_eval_accuracy", trainEval.accuracy());
                phases.put("train_eval_seconds", (System.nanoTime() - trainEvalStart) / 1e9);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write results into " + runDir + ": " + io.deepnets.FailureText.describe(e), e);
        }
        phases.put("files_seconds", (System.nanoTime() - filesStart) / 1e9 - phases.getOrDefault("train_eval_seconds", 0.0));
        // The report is drawn from the results as they will be on disk; a report that fails is said, but does not
        // keep the run from completing (deepnets report can draw it again).
        long reportStart = System.nanoTime();
        metrics.put("phase_seconds", phases);
        try {
            Path page = RunReport.write(RunContents.read(runDir).withMetrics(metrics), new RunReport.TestImages(data.test(), data.shape()), null);
            out.println("report: " + page);
        } catch (IOException | RuntimeException e) {
            err.println("warning: the report could not be written (" + io.deepnets.FailureText.describe(e) + "); run 'deepnets report " + runDir + "' to retry");
        }
        phases.put("report_seconds", (System.nanoTime() - reportStart) / 1e9);
        try {
            // metrics.json last: its presence is what marks the run complete.
            FaultInjection.reach("final.before-metrics");
            MetricsJson.write(runDir.resolve(RunFolder.METRICS), metrics);
            FaultInjection.reach("final.metrics-written");
            Checkpoint.delete(runDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write results into " + runDir + ": " + io.deepnets.FailureText.describe(e), e);
        }
        return new RunResult(runDir, config, history, test, net.numParams());
    }

    /**
     * A diverged run under a sweep: the epochs before the divergence stay in history.csv, metrics.json says
     * {@code status: diverged} and the epoch, with no test figures (the weights are no longer numbers).
     */
    private RunResult finishDiverged(String configFile, ExperimentConfig config, SplitDataset data, Network net, Path runDir,
            List<EpochResult> history, String stepKind, String started, int epoch) {
        Map<String, Object> m = metrics(configFile, config, data, history, null, net.numParams(), started, stepKind);
        m.put("status", "diverged");
        m.put("diverged_epoch", epoch);
        try {
            HistoryCsv.sync(runDir.resolve(RunFolder.HISTORY));
            MetricsJson.write(runDir.resolve(RunFolder.METRICS), m);
            Checkpoint.delete(runDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write results into " + runDir + ": " + io.deepnets.FailureText.describe(e), e);
        }
        return new RunResult(runDir, config, history, null, net.numParams(), epoch);
    }

    /** Samples per class of both parts, in the console; an imbalance of more than 1.5x between classes is pointed out. */
    private void printClassCounts(LoadedDataset data) {
        for (String part : List.of("train", "test")) {
            ImageSet set = "train".equals(part) ? data.train() : data.test();
            if (set.count() == 0) {
                continue;
            }
            int[] counts = set.classCounts(data.classNames().size());
            StringBuilder sb = new StringBuilder("class counts (" + part + "):");
            int min = Integer.MAX_VALUE;
            int max = 0;
            for (int c = 0; c < counts.length; c++) {
                sb.append(c == 0 ? " " : ", ").append(data.classNames().get(c)).append(' ').append(counts[c]);
                min = Math.min(min, counts[c]);
                max = Math.max(max, counts[c]);
            }
            if (max > 1.5 * min) {
                sb.append(String.format(Locale.ROOT, " (imbalanced: the largest class has %.1fx the smallest)", max / (double) Math.max(1, min)));
            }
            out.println(sb);
        }
    }

    /** The model must take the dataset's images and predict its classes. */
    static void checkFits(Path file, ExperimentConfig config, LoadedDataset data) {
        TensorShape in = config.model().inputShape();
        boolean fits = in.isImage() ? in.equals(data.shape()) : in.size() == data.shape().size();
        if (!fits && config.model().transfer() != null) {
            throw new BadInputException(file + ": model.base: the base network " + config.model().transfer().base() + " takes " + in.keras()
                    + " images but " + data.name() + " gives " + data.shape().keras() + "; set data.image_size and data.channels to match the base");
        }
        if (!fits) {
            throw new BadInputException(file + ": model.input_shape: " + in.dims() + " does not take the " + data.name() + " images ("
                    + data.shape() + ", i.e. " + (in.isImage() ? data.shape().dims() : "[" + data.shape().size() + "]") + ")");
        }
        if (config.model().classes() != data.classNames().size()) {
            throw new BadInputException(file + ": model.layers[" + (config.model().layers().size() - 1) + "].units: "
                    + config.model().classes() + " does not match the " + data.classNames().size() + " classes of " + data.name());
        }
    }

    /** metrics.json's figures; {@code test} is null for a diverged run (no test figures, nothing of the last epoch). */
    private static Map<String, Object> metrics(String configFile, ExperimentConfig config, SplitDataset data,
            List<EpochResult> history, EvalResult test, long params, String started, String stepKind) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("experiment", config.name());
        m.put("config_file", configFile);
        m.put("started", started);
        m.put("finished", OffsetDateTime.now().toString());
        m.put("dataset", data.name());
        m.put("train_samples", data.train().count());
        m.put("validation_samples", data.validation().count());
        m.put("validation_source", data.validationSource());
        m.put("test_samples", data.test().count());
        m.put("params", params);
        m.put("epochs", history.size());
        if (test != null) {
            EpochResult last = history.get(history.size() - 1);
            m.put("loss", last.loss());
            m.put("accuracy", last.accuracy());
            m.put("val_loss", last.valLoss());
            m.put("val_accuracy", last.valAccuracy());
            m.put("test_loss", test.loss());
            m.put("test_accuracy", test.accuracy());
        }
        m.put("epoch_seconds", history.stream().map(EpochResult::epochSeconds).toList());
        m.put("mean_epoch_seconds", history.stream().mapToDouble(EpochResult::epochSeconds).average().orElse(0));
        m.put("ms_per_step", history.stream().map(EpochResult::msPerStep).toList());
        m.put("training_step", stepKind);
        m.put("class_names", data.classNames());
        Map<String, Object> provenance = new LinkedHashMap<>(Provenance.collect(config.seed(), data.checksums()));
        if (config.model().transfer() != null) {
            Path base = Path.of(config.model().transfer().base());
            Map<String, Object> b = new LinkedHashMap<>();
            b.put("run", base.getParent().toString());
            b.put("model", base.toString());
            b.put("model_sha256", config.model().transfer().baseSha256());
            b.put("base_layers", config.model().transfer().baseLayers());
            b.put("frozen_layers", config.model().transfer().frozen());
            provenance.put("base_network", b);
        }
        m.put("provenance", provenance);
        Map<String, Object> counts = new LinkedHashMap<>();
        for (String part : List.of("train", "validation", "test")) {
            ImageSet set = "train".equals(part) ? data.train() : "validation".equals(part) ? data.validation() : data.test();
            int[] c = set.classCounts(data.classNames().size());
            Map<String, Integer> byName = new LinkedHashMap<>();
            for (int k = 0; k < c.length; k++) {
                byName.put(data.classNames().get(k), c[k]);
            }
            counts.put(part, byName);
        }
        m.put("class_counts", counts);
        return m;
    }
}
