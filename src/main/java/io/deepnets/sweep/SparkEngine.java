package io.deepnets.sweep;

import io.deepnets.BadInputException;
import io.deepnets.data.DataSources;
import io.deepnets.run.ExperimentRunner;
import io.deepnets.runs.AtomicFiles;
import io.deepnets.runs.RunFolder;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Apache Spark as the engine: every point is one Spark task that runs the project's normal runner inside an
 * executor ({@link PointExecutor}, into a folder of the executor's own), and returns the finished run folder as
 * bytes, which the driver unpacks into the sweep folder: no shared file system is needed. The datasets are read by
 * each executor from its own data directory ({@code --data-dir} if the driver was given one, else the executor's
 * {@code DEEPNETS_DATA}). Points are submitted as separate jobs so that each one reports as it ends; Spark retries a
 * task whose executor was lost, and the driver unpacks a point only once (a retried or duplicated result never
 * replaces a completed folder).
 */
public final class SparkEngine implements PointEngine {
    private final String master;
    private final int parallelism;
    private final PrintStream progress;
    private final boolean sharedOut;

    /** @param master a Spark master URL ({@code local[2]}, {@code spark://head:7077}), or "cluster" for spark-submit's own */
    public SparkEngine(String master, PrintStream progress) {
        this(master, progress, false);
    }

    /**
     * @param sharedOut the driver's {@code --out} is on a file system every executor sees at the same path: points
     *     are written there directly and nothing is shipped (for run folders too large to send back as bytes)
     */
    public SparkEngine(String master, PrintStream progress, boolean sharedOut) {
        this.master = master;
        this.progress = progress;
        this.sharedOut = sharedOut;
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("local\\[(\\d+|\\*)]").matcher(master);
        this.parallelism = m.matches() ? (m.group(1).equals("*") ? Runtime.getRuntime().availableProcessors() : Integer.parseInt(m.group(1)))
                : master.equals("local") ? 1 : 64;
    }

    /** Checks the master URL and that Spark is on the class path, before anything runs. */
    public static void check(String master) {
        if (!master.matches("local(\\[(\\d+|\\*)])?|spark://[^\\s]+|yarn|k8s://[^\\s]+|cluster")) {
            throw new BadInputException("--spark: expected local[N], spark://HOST:PORT, yarn, k8s://... or cluster, got '" + master + "'");
        }
        try {
            Class.forName("org.apache.spark.api.java.JavaSparkContext");
        } catch (ClassNotFoundException | LinkageError e) {
            throw new BadInputException("--spark: Spark is not on the class path; build it in with 'mvn -Pspark package' (local mode) "
                    + "or start deepnets with spark-submit");
        }
    }

    @Override
    public String describe() {
        return "Spark (" + master + (sharedOut ? ", shared --out" : "") + ")";
    }

    /** What a task returns: the point's outcome and its run folder, zipped. */
    record Shipped(PointOutcome outcome, byte[] folder) implements Serializable {
    }

    @Override
    public void run(List<PointTask> tasks, Consumer<PointOutcome> done) {
        if (tasks.isEmpty()) {
            return;
        }
        JavaSparkContext sc = context(master);
        java.util.concurrent.atomic.AtomicInteger running = new java.util.concurrent.atomic.AtomicInteger();
        try {
            ExecutorService submit = Executors.newFixedThreadPool(Math.max(1, Math.min(parallelism, tasks.size())));
            List<Future<?>> futures = new ArrayList<>();
            for (PointTask task : tasks) {
                futures.add(submit.submit(() -> {
                    progress.println("submitted " + task.folder() + " (" + running.incrementAndGet() + " running)");
                    PointOutcome outcome;
                    try {
                        List<Shipped> result = sharedOut
                                ? sc.parallelize(List.of(task), 1).map(SparkEngine::runInPlace).collect()
                                : sc.parallelize(List.of(task), 1).map(SparkEngine::runOnExecutor).collect();
                        outcome = collect(task, result.get(0));
                    } catch (RuntimeException e) {
                        outcome = new PointOutcome(task.index(), task.folder(), "failed", "Spark: " + firstLine(e), 0);
                    }
                    running.decrementAndGet();
                    synchronized (done) {
                        done.accept(outcome);
                    }
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
            submit.shutdown();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("a Spark submission failed: " + firstLine(e.getCause()), e.getCause());
        }
    }

    private static JavaSparkContext shared;
    private static String sharedMaster;

    /**
     * One Spark context per JVM, made on first use and kept until the JVM ends (a context starts in seconds; a
     * suite or the tests run several engines in a row): Spark allows one active context per JVM anyway.
     */
    static synchronized JavaSparkContext context(String master) {
        if (shared != null && !shared.sc().isStopped()) {
            if (!master.equals(sharedMaster)) {
                throw new IllegalStateException("a Spark context for " + sharedMaster + " is already running in this process");
            }
            return shared;
        }
        SparkConf conf = new SparkConf().setAppName("deepnets").set("spark.ui.enabled", "false")
                .set("spark.task.maxFailures", master.startsWith("local") ? "1" : "4");
        if (!master.equals("cluster")) {
            conf.setMaster(master);
        }
        shared = new JavaSparkContext(conf);
        shared.setLogLevel("WARN");
        sharedMaster = master;
        JavaSparkContext toStop = shared;
        Runtime.getRuntime().addShutdownHook(new Thread(toStop::stop));
        return shared;
    }

    /** On the executor: the point runs into a folder of its own, which travels back as a zip. */
    static Shipped runOnExecutor(PointTask task) throws IOException {
        System.setProperty("java.awt.headless", "true");
        Path scratch = Files.createTempDirectory("deepnets-point-");
        try {
            Path local = scratch.resolve(Path.of(task.runDir()).getFileName().toString());
            PointTask here = new PointTask(task.index(), task.folder(), task.configYaml(), local.toString(), task.dataDir(), task.sweepPoint());
            ExperimentRunner runner = new ExperimentRunner(new PrintStream(java.io.OutputStream.nullOutputStream()), System.err, false,
                    System.getenv(), DataSources.canonical());
            PointOutcome outcome = PointExecutor.execute(here, runner);
            return new Shipped(outcome, Files.isDirectory(local) ? zip(local) : null);
        } finally {
            AtomicFiles.deleteTree(scratch);
        }
    }

    /** On the executor, with a shared {@code --out}: the point runs straight into its folder there; nothing travels. */
    static Shipped runInPlace(PointTask task) {
        System.setProperty("java.awt.headless", "true");
        ExperimentRunner runner = new ExperimentRunner(new PrintStream(java.io.OutputStream.nullOutputStream()), System.err, false,
                System.getenv(), DataSources.canonical());
        return new Shipped(PointExecutor.execute(task, runner), null);
    }

    /** On the driver: unpacks a point's folder into the sweep, unless a complete one is there already. */
    static PointOutcome collect(PointTask task, Shipped shipped) {
        Path target = Path.of(task.runDir());
        if (shipped.folder() == null || Files.isRegularFile(target.resolve(RunFolder.METRICS))) {
            return shipped.outcome();
        }
        try {
            Files.createDirectories(target.getParent());
            Path tmp = Files.createTempDirectory(target.getParent(), "." + target.getFileName() + "-");
            unzip(shipped.folder(), tmp);
            AtomicFiles.deleteTree(target);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            return shipped.outcome();
        } catch (IOException e) {
            return new PointOutcome(task.index(), task.folder(), "failed", "cannot unpack the point's folder into " + target + ": " + io.deepnets.FailureText.describe(e),
                    shipped.outcome().seconds());
        }
    }

    static byte[] zip(Path dir) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes); Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.filter(Files::isRegularFile).sorted().toList()) {
                zip.putNextEntry(new ZipEntry(dir.relativize(p).toString().replace('\\', '/')));
                Files.copy(p, zip);
                zip.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    static void unzip(byte[] data, Path into) throws IOException {
        Path root = into.toAbsolutePath().normalize();
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(data))) {
            for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                Path target = root.resolve(e.getName()).normalize();
                if (!target.startsWith(root) || e.isDirectory()) {
                    continue;
                }
                Files.createDirectories(target.getParent());
                Files.copy(zip, target, StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    private static String firstLine(Throwable t) {
        String m = io.deepnets.FailureText.describe(t);
        return m.lines().findFirst().orElse("");
    }
}
