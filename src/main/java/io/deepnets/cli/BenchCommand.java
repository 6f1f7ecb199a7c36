package io.deepnets.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.deepnets.bench.BenchResult;
import io.deepnets.bench.Benchmark;
import io.deepnets.engine.LayerProfiler;
import io.deepnets.config.ConfigLoader;
import io.deepnets.config.ExperimentConfig;
import io.deepnets.data.DataSources;
import io.deepnets.data.DatasetLoader;
import io.deepnets.data.ImageSet;
import io.deepnets.data.SplitDataset;
import io.deepnets.model.MemoryBudget;
import io.deepnets.runs.OutputTargets;
import io.deepnets.model.NativeRuntime;
import io.deepnets.runs.AtomicFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code deepnets bench}: training and inference throughput per config, and the native set-up in use. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure training throughput (samples/s, ms/step over full forward+backward+update steps after warm-up) and inference throughput.")
final class BenchCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "CONFIG", description = "Experiment YAMLs, e.g. configs/*.yaml.")
    List<Path> configs;

    @Option(names = "--seconds", defaultValue = "20", description = "Seconds of timed training per config (default ${DEFAULT-VALUE}); inference gets a third.")
    double seconds;

    static final class Source {
        @Option(names = "--synthetic", description = "Random data of the right shape (default).")
        boolean synthetic;

        @Option(names = "--real", description = "The real training data, through the same batch pipeline as training.")
        boolean real;
    }

    @ArgGroup(exclusive = true)
    Source source = new Source();

    @Option(names = "--dl4j-fit", description = "Train with DL4J's MultiLayerNetwork.fit even where deepnets has a faster step "
            + "(dense networks), to compare the two.")
    boolean dl4jFit;

    @Option(names = "--profile", description = "Instead of throughput: milliseconds per step for each layer's forward and backward call and "
            + "for the update, on the chosen data, beside a whole step (the PyTorch peer's: `scripts/torch_zoo.py profile`, `scripts/torch_profile.py`).")
    boolean profile;

    @Option(names = "--profile-steps", defaultValue = "30", description = "Steps timed by --profile after 5 warm-up steps (default ${DEFAULT-VALUE}).")
    int profileSteps;

    @Option(names = "--without", paramLabel = "STEP", split = ",", description = "Leave out these training steps (e.g. deepnets-onednn), "
            + "to measure a network the way it trained before them; repeatable or comma-separated.")
    List<String> without = new ArrayList<>();

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the results and the set-up as JSON.")
    Path json;

    @Mixin
    ForceOption forceOption;

    @Mixin
    DataDirOption dataDirOption;

    @Option(names = "--set", paramLabel = "KEY.PATH=VALUE", description = "Override a value in every config (e.g. training.batch_size=64).")
    List<String> overrides = new ArrayList<>();

    @Mixin
    DebugOption debug;

    @Override
    public Integer call() throws Exception {
        if (!(seconds > 0) || seconds > 86_400) {
            throw new io.deepnets.BadInputException("--seconds: expected a number of seconds between 0 and 86400, got " + seconds);
        }
        if (json != null) {
            OutputTargets.checkFile(json, "--json", forceOption.force);
        }
        io.deepnets.config.ConfigLoader.refuseRepeatedKeys(overrides, Map.of());
        List<ExperimentConfig> experiments = new ArrayList<>();
        for (Path p : configs) {
            ExperimentConfig c = ConfigLoader.load(p, overrides);
            MemoryBudget.check(p.toString(), c);
            experiments.add(c);
            sources.put(c, p);
        }
        if (profileSteps < 1 || profileSteps > 100_000) {
            throw new io.deepnets.BadInputException("--profile-steps: expected a whole number from 1 to 100000, got " + profileSteps);
        }
        for (String kind : without) {
            if (!io.deepnets.engine.TrainingStep.KINDS.contains(kind)) {
                throw new io.deepnets.BadInputException("--without: expected one of " + String.join(", ", io.deepnets.engine.TrainingStep.KINDS) + ", got '" + kind + "'");
            }
        }
        java.util.Set<String> leftOut = java.util.Set.copyOf(without);
        Map<String, Object> setup = NativeRuntime.describe();
        System.out.println("set-up: " + setup);
        if (profile) {
            List<Object> profiles = new ArrayList<>();
            for (ExperimentConfig c : experiments) {
                LayerProfiler.Profile p = Benchmark.profile(c, data(c), profileSteps, leftOut);
                printProfile(c.name(), source.real ? "real" : "synthetic", p);
                profiles.add(Map.of("experiment", c.name(), "profile", p));
            }
            writeJson(setup, profiles);
            return Main.OK;
        }
        System.out.printf(Locale.ROOT, "%-20s %-9s %5s %12s %10s %14s  %-28s %s%n", "experiment", "data", "batch", "train smp/s", "ms/step",
                "infer smp/s", "step", "helpers");
        List<BenchResult> results = new ArrayList<>();
        for (ExperimentConfig c : experiments) {
            BenchResult r = Benchmark.run(c, data(c), source.real ? "real" : "synthetic", seconds, dl4jFit, leftOut);
            results.add(r);
            System.out.printf(Locale.ROOT, "%-20s %-9s %5d %12.0f %10.1f %14.0f  %-28s %s%n", r.experiment(), r.data(), r.batchSize(),
                    r.trainSamplesPerSecond(), r.trainMsPerStep(), r.inferenceSamplesPerSecond(), r.step(), r.helpers());
            r.declined().forEach((kind, reason) -> System.out.printf(Locale.ROOT, "%20s   not %s: %s%n", "", kind, reason));
        }
        writeJson(setup, results);
        return Main.OK;
    }

    private void writeJson(Map<String, Object> setup, List<?> results) throws java.io.IOException {
        if (json == null) {
            return;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("setup", setup);
        out.put("cpu", io.deepnets.runs.Provenance.cpuModel());
        out.put(profile ? "profile_steps" : "seconds", profile ? profileSteps : seconds);
        out.put("results", results);
        String text = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(out);
        AtomicFiles.writeString(json, text);
        System.out.println("written: " + json);
    }

    /** The real training part (a photo folder too large to cache: its first 4,096 images, decoded once), or synthetic data. */
    /** Each loaded config's file, for messages. */
    private final Map<ExperimentConfig, Path> sources = new java.util.IdentityHashMap<>();

    private ImageSet data(ExperimentConfig c) {
        if (!source.real) {
            return Benchmark.synthetic(c, c.seed());
        }
        ImageSet data;
        try {
            SplitDataset split = SplitDataset.of(DatasetLoader.forConfig(c.data(), dataDirOption.dataDir, System.getenv(), DataSources.canonical(),
                    System.err), c.data());
            io.deepnets.data.LoadingMemory.release(split);
            data = split.train();
        } catch (io.deepnets.data.DataException e) {
            // Several configs may be benchmarked: the one whose data settings fail is named.
            throw e.inConfig(sources.get(c));
        }
        return data.isStreamed() ? data.rows(io.deepnets.data.BatchAssembler.identity(data.count()), 0, Math.min(data.count(), 4096)) : data;
    }

    private static void printProfile(String name, String data, LayerProfiler.Profile p) {
        System.out.printf(Locale.ROOT, "%n%s (%s data, batch %d, %d steps, step %s)%n", name, data, p.batch(), p.steps(), p.step());
        System.out.printf(Locale.ROOT, "%-3s %-24s %-18s %-20s %10s %18s%n", "#", "layer", "type", "output", "forward ms",
                "backward ms (in+w)");
        double f = 0;
        double b = 0;
        for (LayerProfiler.LayerTime t : p.layers()) {
            System.out.printf(Locale.ROOT, "%-3d %-24s %-18s %-20s %10.2f %18.2f%n", t.index(), t.name(), t.type(), t.shape(), t.forwardMs(),
                    t.backwardMs());
            f += t.forwardMs();
            b += t.backwardMs();
        }
        System.out.printf(Locale.ROOT, "%-68s %10.2f %18.2f%n", "all layers", f, b);
        System.out.printf(Locale.ROOT, "update (end of backward pass to end of step): %.2f ms; other (batch, merge vertices, pre-processors, workspaces): %.2f ms%n",
                p.updateMs(), p.otherMs());
        System.out.printf(Locale.ROOT, "whole step through %s: %.2f ms%n", p.step(), p.stepMs());
    }
}
