package io.deepnets.runs;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.deepnets.BadInputException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;

/**
 * The state after a completed epoch, enough to continue exactly where training stopped, kept as one unit:
 * {@code checkpoint/epoch-NNNN/} holds the network with its updater state ({@code model.zip}) and
 * {@code state.json} (epoch, seed, iteration count, the identity of the experiment, the model file's SHA-256
 * and size, and the history rows up to that epoch). The folder is written under a temporary name and renamed
 * into place in one step, so a checkpoint is either complete or absent; the previous one is kept until the
 * next is in place, so a checkpoint damaged afterwards still leaves one to fall back to. A run's {@link Writer}
 * forces a checkpoint to disk at most every {@link Writer#SYNC_SECONDS} and keeps the newest forced one too.
 *
 * <p>The random state needs no saving: shuffling and dropout are reseeded from (seed, epoch) at the start of
 * every epoch.
 */
public final class Checkpoint {
    public static final String FOLDER = "checkpoint";
    static final String MODEL = "model.zip";
    private static final String STATE = "state.json";
    private static final String BEST = "best_params.bin";
    private static final String AVERAGE = "averaged_params.bin";
    private static final Pattern EPOCH_DIR = Pattern.compile("epoch-(\\d{4,9})");
    private static final ObjectMapper JSON = new ObjectMapper();

    private Checkpoint() {
    }

    /**
     * What a checkpoint must agree with to be resumed: the experiment's name, a fingerprint of its resolved
     * config (everything that shapes training except the number of epochs) and the network's parameter count.
     */
    public record Identity(String experiment, String fingerprint, long params) {
    }

    /**
     * A checkpoint that passed every check.
     *
     * @param callbacks the training callbacks' state after its epoch (empty when none ran)
     * @param bestParams the weights early stopping keeps as the best so far, or null
     * @param average the stochastic weight average so far, or null
     */
    public record Saved(int epoch, long seed, io.deepnets.model.Network network, List<EpochResult> history, Map<?, ?> callbacks,
            org.nd4j.linalg.api.ndarray.INDArray bestParams, Average average) {
    }

    /** Stochastic weight averaging's running mean of the weights after {@code epochs} epochs. */
    public record Average(org.nd4j.linalg.api.ndarray.INDArray params, int epochs) {
        public Average {
            if (params == null || epochs < 1) {
                throw new IllegalArgumentException("an average of at least one epoch's weights");
            }
        }
    }

    /** Writes the checkpoint after the last epoch of {@code history} (its size), as one unit. */
    public static void save(Path runDir, MultiLayerNetwork net, long seed, Identity identity, List<EpochResult> history) throws IOException {
        save(runDir, io.deepnets.model.Network.of(net), seed, identity, history, Map.of(), null);
    }

    /** The same, with the callbacks' state and the best weights kept so far (null when none), forced to disk. */
    public static void save(Path runDir, io.deepnets.model.Network net, long seed, Identity identity, List<EpochResult> history,
            Map<String, Object> callbacks, org.nd4j.linalg.api.ndarray.INDArray bestParams) throws IOException {
        save(runDir, net, seed, identity, history, callbacks, bestParams, null, true, -1);
    }

    /**
     * A run's checkpoints, one after every epoch, forced to disk when the newest forced one is at least
     * {@link #SYNC_SECONDS} old. A process killed at any point loses no finished epoch either way (the kernel keeps
     * what was written before the kill); a power failure may lose the unforced ones, so the newest forced checkpoint
     * is kept beside the last two until a newer one is forced, and a resume falls back to it. A network that trains an
     * epoch in 10 ms (a sweep's digits net) would otherwise spend more time waiting for the disk than training.
     */
    public static final class Writer {
        /** The most training time that a power failure may cost: a checkpoint is forced at most this often. */
        public static final double SYNC_SECONDS = 10;
        private final Path runDir;
        private final long seed;
        private final Identity identity;
        private final java.util.function.LongSupplier nanoClock;
        private int syncedEpoch = -1;
        private long syncedAt;

        /** A writer whose first forced checkpoint is the first one written {@link #SYNC_SECONDS} or more from now. */
        public Writer(Path runDir, long seed, Identity identity) {
            this(runDir, seed, identity, System::nanoTime);
        }

        Writer(Path runDir, long seed, Identity identity, java.util.function.LongSupplier nanoClock) {
            this.runDir = runDir;
            this.seed = seed;
            this.identity = identity;
            this.nanoClock = nanoClock;
            this.syncedAt = nanoClock.getAsLong();
        }

        /**
         * Writes the checkpoint after the last epoch of {@code history}, as {@link Checkpoint#save}, forcing it when due.
         *
         * @return whether it was forced to disk
         */
        public boolean save(io.deepnets.model.Network net, List<EpochResult> history, Map<String, Object> callbacks,
                org.nd4j.linalg.api.ndarray.INDArray bestParams) throws IOException {
            return save(net, history, callbacks, bestParams, null);
        }

        /** As {@link #save(io.deepnets.model.Network, List, Map, org.nd4j.linalg.api.ndarray.INDArray)}, with the weight average (or null). */
        public boolean save(io.deepnets.model.Network net, List<EpochResult> history, Map<String, Object> callbacks,
                org.nd4j.linalg.api.ndarray.INDArray bestParams, Average average) throws IOException {
            long now = nanoClock.getAsLong();
            boolean sync = (now - syncedAt) / 1e9 >= SYNC_SECONDS;
            Checkpoint.save(runDir, net, seed, identity, history, callbacks, bestParams, average, sync, sync ? history.size() : syncedEpoch);
            if (sync) {
                syncedEpoch = history.size();
                syncedAt = now;
            }
            return sync;
        }
    }

    private static void save(Path runDir, io.deepnets.model.Network net, long seed, Identity identity, List<EpochResult> history,
            Map<String, Object> callbacks, org.nd4j.linalg.api.ndarray.INDArray bestParams, Average average, boolean sync, int keep)
            throws IOException {
        int epoch = history.size();
        Path root = Files.createDirectories(runDir.resolve(FOLDER));
        Path tmp = Files.createTempDirectory(root, ".epoch-" + epoch + "-");
        try {
            Path model = tmp.resolve(MODEL);
            net.save(model.toFile(), true);
            if (sync) {
                AtomicFiles.sync(model);
            }
            FaultInjection.reach("checkpoint.model-written");
            Map<String, Object> state = new LinkedHashMap<>();
            state.put("epoch", epoch);
            state.put("seed", seed);
            state.put("iteration", net.iterationCount());
            state.put("experiment", identity.experiment());
            state.put("fingerprint", identity.fingerprint());
            state.put("params", identity.params());
            state.put("model_sha256", sha256(model));
            state.put("model_bytes", Files.size(model));
            state.put("history", history.stream().map(Checkpoint::row).toList());
            state.put("callbacks", callbacks);
            if (bestParams != null) {
                Path best = tmp.resolve(BEST);
                org.nd4j.linalg.factory.Nd4j.saveBinary(bestParams, best.toFile());
                if (sync) {
                    AtomicFiles.sync(best);
                }
                state.put("best_params_sha256", sha256(best));
            }
            if (average != null) {
                Path avg = tmp.resolve(AVERAGE);
                org.nd4j.linalg.factory.Nd4j.saveBinary(average.params(), avg.toFile());
                if (sync) {
                    AtomicFiles.sync(avg);
                }
                state.put("averaged_params_sha256", sha256(avg));
                state.put("averaged_epochs", average.epochs());
            }
            Files.writeString(tmp.resolve(STATE), JSON.writeValueAsString(state));
            if (sync) {
                AtomicFiles.sync(tmp.resolve(STATE));
            }
            FaultInjection.reach("checkpoint.state-written");
            Path target = root.resolve(dirName(epoch));
            if (Files.exists(target)) {
                // Only an unusable checkpoint of this epoch can be here (resume fell back past it): set it aside first.
                Path old = Files.createTempDirectory(root, ".replaced-");
                Files.move(target, old.resolve("old"), StandardCopyOption.ATOMIC_MOVE);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target);
            }
        } finally {
            AtomicFiles.deleteTree(tmp);
        }
        FaultInjection.reach("checkpoint.renamed");
        try (Stream<Path> dirs = Files.list(root)) {
            for (Path d : dirs.toList()) {
                int e = epochOf(d);
                if ((e >= 0 && e < epoch - 1 && e != keep) || d.getFileName().toString().startsWith(".")) {
                    AtomicFiles.deleteTree(d);
                }
            }
        }
    }

    /** The epoch of the newest checkpoint whose state.json names one, or 0 when there is none (not verified). */
    public static int epoch(Path runDir) {
        for (Path dir : candidates(runDir)) {
            try {
                Map<?, ?> state = JSON.readValue(dir.resolve(STATE).toFile(), Map.class);
                if (state.get("epoch") instanceof Number n && n.intValue() == epochOf(dir)) {
                    return n.intValue();
                }
            } catch (IOException | RuntimeException e) {
                // not readable: look at the previous one
            }
        }
        return 0;
    }

    /** Whether {@code runDir} has any checkpoint folder at all (usable or not). */
    public static boolean exists(Path runDir) {
        return !candidates(runDir).isEmpty() || Files.isRegularFile(runDir.resolve(FOLDER).resolve(MODEL));
    }

    /**
     * The newest checkpoint that is complete, undamaged and belongs to {@code expected}; null when the run has no
     * checkpoint. A damaged one is passed over for the previous one, saying so on {@code notes}; a checkpoint of
     * another experiment or architecture, or none usable at all, is refused with one line.
     */
    public static Saved load(Path runDir, Identity expected, PrintStream notes) {
        return load(runDir, expected, notes, null);
    }

    /** As {@link #load(Path, Identity, PrintStream)}; {@code imageShape} is the network's image input (null for flat input). */
    public static Saved load(Path runDir, Identity expected, PrintStream notes, long[] imageShape) {
        if (Files.isRegularFile(runDir.resolve(FOLDER).resolve(MODEL))) {
            throw new BadInputException(runDir.resolve(FOLDER) + ": a checkpoint in the layout of an older deepnets version; "
                    + "it cannot be verified, so it is not resumed (start the run again)");
        }
        List<Path> dirs = candidates(runDir);
        if (dirs.isEmpty()) {
            return null;
        }
        List<String> problems = new ArrayList<>();
        for (Path dir : dirs) {
            String problem;
            try {
                Saved saved = verified(dir, expected, imageShape);
                if (!problems.isEmpty()) {
                    notes.println("note: " + String.join("; ", problems) + "; resuming from the checkpoint of epoch " + saved.epoch());
                }
                return saved;
            } catch (Mismatch m) {
                throw new BadInputException(dir.resolve(STATE) + ": " + m.getMessage() + "; refusing to resume (start a new run)");
            } catch (Unusable u) {
                problem = "the checkpoint of epoch " + epochOf(dir) + " is unusable (" + u.getMessage() + ")";
            }
            problems.add(problem);
        }
        throw new BadInputException(runDir.resolve(FOLDER) + ": no usable checkpoint: " + String.join("; ", problems));
    }

    /** A checkpoint that belongs to something else: refused outright, never fallen back from. */
    private static final class Mismatch extends Exception {
        Mismatch(String message) {
            super(message);
        }
    }

    /** A damaged or incomplete checkpoint: the previous one may still serve. */
    private static final class Unusable extends Exception {
        Unusable(String message) {
            super(message);
        }

        Unusable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private static Saved verified(Path dir, Identity expected, long[] imageShape) throws Mismatch, Unusable {
        Path stateFile = dir.resolve(STATE);
        Path model = dir.resolve(MODEL);
        if (!Files.isRegularFile(stateFile)) {
            throw new Unusable(STATE + " is missing");
        }
        if (!Files.isRegularFile(model)) {
            throw new Unusable(MODEL + " is missing");
        }
        Map<?, ?> state;
        try {
            state = JSON.readValue(stateFile.toFile(), Map.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new Unusable(STATE + " is not valid JSON", e);
        } catch (IOException | RuntimeException e) {
            throw new Unusable(STATE + " cannot be read (" + io.deepnets.FailureText.describe(e) + ")", e);
        }
        int epoch = integer(state, "epoch");
        if (epoch != epochOf(dir) || epoch < 1) {
            throw new Unusable(STATE + " says epoch " + state.get("epoch") + " in the folder of epoch " + epochOf(dir));
        }
        if (!expected.experiment().equals(state.get("experiment"))) {
            throw new Mismatch("the checkpoint is of experiment '" + state.get("experiment") + "', the run folder's config.yaml of '"
                    + expected.experiment() + "'");
        }
        if (!expected.fingerprint().equals(state.get("fingerprint"))) {
            throw new Mismatch("config.yaml no longer describes the network or training the checkpoint was made with "
                    + "(it was edited: only training.epochs may change between an interruption and a resume)");
        }
        if (integer(state, "params") != expected.params()) {
            throw new Mismatch("the checkpoint's network has " + state.get("params") + " parameters, config.yaml's " + expected.params());
        }
        try {
            if (!(state.get("model_bytes") instanceof Number bytes) || Files.size(model) != bytes.longValue()
                    || !sha256(model).equals(state.get("model_sha256"))) {
                throw new Unusable(MODEL + " is not the file " + STATE + " was written with (size or SHA-256 differ)");
            }
        } catch (IOException | RuntimeException e) {
            throw new Unusable(MODEL + " cannot be read (" + io.deepnets.FailureText.describe(e) + ")", e);
        }
        List<EpochResult> history = new ArrayList<>();
        if (!(state.get("history") instanceof List<?> rows) || rows.size() != epoch) {
            throw new Unusable(STATE + " does not hold the history of its " + epoch + " epochs");
        }
        for (Object row : rows) {
            EpochResult r = parseRow(row);
            if (r == null || r.epoch() != history.size() + 1) {
                throw new Unusable(STATE + " holds a malformed history row");
            }
            history.add(r);
        }
        io.deepnets.model.Network net;
        try {
            net = io.deepnets.model.Network.read(model.toFile(), imageShape, true);
        } catch (IOException | RuntimeException e) {
            throw new Unusable(MODEL + " does not restore", e);
        }
        if (net.numParams() != expected.params()) {
            throw new Mismatch("the checkpoint's network has " + net.numParams() + " parameters, config.yaml's " + expected.params());
        }
        if (net.iterationCount() != integer(state, "iteration")) {
            throw new Unusable(MODEL + " is at iteration " + net.iterationCount() + ", " + STATE + " at " + state.get("iteration"));
        }
        org.nd4j.linalg.api.ndarray.INDArray best = null;
        if (state.get("best_params_sha256") != null) {
            Path bestFile = dir.resolve(BEST);
            try {
                if (!Files.isRegularFile(bestFile) || !sha256(bestFile).equals(state.get("best_params_sha256"))) {
                    throw new Unusable(BEST + " is missing or not the file " + STATE + " was written with");
                }
                best = org.nd4j.linalg.factory.Nd4j.readBinary(bestFile.toFile());
            } catch (IOException | RuntimeException e) {
                throw new Unusable(BEST + " cannot be read (" + io.deepnets.FailureText.describe(e) + ")", e);
            }
        }
        Average average = null;
        if (state.get("averaged_params_sha256") != null) {
            Path avgFile = dir.resolve(AVERAGE);
            int epochs = integer(state, "averaged_epochs");
            try {
                if (!Files.isRegularFile(avgFile) || !sha256(avgFile).equals(state.get("averaged_params_sha256"))) {
                    throw new Unusable(AVERAGE + " is missing or not the file " + STATE + " was written with");
                }
                org.nd4j.linalg.api.ndarray.INDArray params = org.nd4j.linalg.factory.Nd4j.readBinary(avgFile.toFile());
                if (params.length() != expected.params() || epochs < 1) {
                    throw new Unusable(AVERAGE + " holds " + params.length() + " weights averaged over " + epochs + " epochs");
                }
                average = new Average(params, epochs);
            } catch (IOException | RuntimeException e) {
                throw new Unusable(AVERAGE + " cannot be read (" + io.deepnets.FailureText.describe(e) + ")", e);
            }
        }
        Map<?, ?> callbacks = state.get("callbacks") instanceof Map<?, ?> c ? c : Map.of();
        if (!(state.get("seed") instanceof Number seed) || seed instanceof Double || seed instanceof Float) {
            throw new Unusable(STATE + ": seed is " + state.get("seed") + ", expected an integer");
        }
        return new Saved(epoch, seed.longValue(), net, List.copyOf(history), callbacks, best, average);
    }

    private static int integer(Map<?, ?> state, String key) throws Unusable {
        if (!(state.get(key) instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())) {
            throw new Unusable(STATE + ": " + key + " is " + state.get(key) + ", expected an integer");
        }
        return n.intValue();
    }

    private static Map<String, Object> row(EpochResult r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("epoch", r.epoch());
        m.put("loss", r.loss());
        m.put("accuracy", r.accuracy());
        m.put("val_loss", r.valLoss());
        m.put("val_accuracy", r.valAccuracy());
        m.put("epoch_seconds", r.epochSeconds());
        m.put("ms_per_step", r.msPerStep());
        m.put("lr", Double.isNaN(r.lr()) ? null : r.lr());
        return m;
    }

    private static EpochResult parseRow(Object row) {
        if (!(row instanceof Map<?, ?> m)) {
            return null;
        }
        try {
            return new EpochResult(((Number) m.get("epoch")).intValue(), num(m, "loss"), num(m, "accuracy"), num(m, "val_loss"),
                    num(m, "val_accuracy"), num(m, "epoch_seconds"), num(m, "ms_per_step"),
                    m.get("lr") instanceof Number lr ? lr.doubleValue() : Double.NaN);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static double num(Map<?, ?> m, String key) {
        return ((Number) m.get(key)).doubleValue();
    }

    /** Checkpoint folders, newest first. */
    private static List<Path> candidates(Path runDir) {
        Path root = runDir.resolve(FOLDER);
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> dirs = Files.list(root)) {
            return dirs.filter(Files::isDirectory).filter(d -> epochOf(d) >= 0)
                    .sorted(Comparator.comparingInt(Checkpoint::epochOf).reversed()).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** The epoch a checkpoint folder is named for, or -1 for any other entry (a temporary folder among them). */
    static int epochOf(Path dir) {
        Matcher m = EPOCH_DIR.matcher(dir.getFileName().toString());
        return m.matches() ? Integer.parseInt(m.group(1)) : -1;
    }

    /** The folder of an epoch's checkpoint, inside {@link #FOLDER}. */
    static String dirName(int epoch) {
        return String.format(Locale.ROOT, "epoch-%04d", epoch);
    }

    /** Removes the checkpoint once the run is complete (model.zip holds the final network). */
    public static void delete(Path runDir) throws IOException {
        AtomicFiles.deleteTree(runDir.resolve(FOLDER));
    }

    /** Half-written checkpoint folders (a process killed while writing one); returns what was removed. */
    static List<Path> removeLeftovers(Path runDir) {
        Path root = runDir.resolve(FOLDER);
        List<Path> removed = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return removed;
        }
        try (Stream<Path> dirs = Files.list(root)) {
            for (Path d : dirs.filter(d -> d.getFileName().toString().startsWith(".")).toList()) {
                AtomicFiles.deleteTree(d);
                removed.add(d);
            }
        } catch (IOException e) {
            // left for the next start
        }
        return removed;
    }

    private static String sha256(Path file) throws IOException {
        try (java.io.InputStream in = Files.newInputStream(file)) {
            java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
            return java.util.HexFormat.of().formatHex(md.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
