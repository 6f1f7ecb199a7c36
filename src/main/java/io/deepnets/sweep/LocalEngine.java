package io.deepnets.sweep;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.deepnets.run.ExperimentRunner;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * This machine's engine. With one job the points run one after another in this JVM (no start-up cost per
 * point). With N jobs, N worker processes ({@code deepnets sweep-worker}, the same Java, class path and JVM
 * options as this one) take points from a shared queue, one at a time each, and each worker gets
 * {@code cores / N} OpenMP threads so that the jobs do not fight over the cores. ND4J keeps process-wide state
 * (its random generator, workspaces), so points in parallel need processes, not threads. A worker that dies
 * fails only the point it held; the others go on, and a fresh worker takes its place.
 */
public final class LocalEngine implements PointEngine {
    /** The prefix of a worker's reply lines on its standard output. */
    static final String REPLY = "@@point ";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final int jobs;
    private final int threadsPerJob;
    private final Supplier<ExperimentRunner> runner;
    private final Path logDir;
    private final List<Process> workers = new ArrayList<>();

    /**
     * @param jobs points at a time
     * @param runner the runner for in-process points (one job)
     * @param logDir where each worker's own console output goes ({@code worker-N.log})
     */
    public LocalEngine(int jobs, Supplier<ExperimentRunner> runner, Path logDir) {
        this.jobs = Math.max(1, jobs);
        this.threadsPerJob = Math.max(1, Runtime.getRuntime().availableProcessors() / this.jobs);
        this.runner = runner;
        this.logDir = logDir;
    }

    @Override
    public String describe() {
        return jobs == 1 ? "1 job in this process" : jobs + " worker processes x " + threadsPerJob + " thread" + (threadsPerJob == 1 ? "" : "s");
    }

    @Override
    public void run(List<PointTask> tasks, Consumer<PointOutcome> done) {
        if (jobs == 1 || tasks.size() <= 1) {
            ExperimentRunner r = runner.get();
            for (PointTask t : tasks) {
                done.accept(PointExecutor.execute(t, r));
            }
            return;
        }
        ConcurrentLinkedQueue<PointTask> queue = new ConcurrentLinkedQueue<>(tasks);
        Thread stopWorkers = new Thread(this::destroyWorkers);
        Runtime.getRuntime().addShutdownHook(stopWorkers);
        List<Thread> feeders = new ArrayList<>();
        for (int w = 0; w < Math.min(jobs, tasks.size()); w++) {
            int id = w + 1;
            Thread feeder = new Thread(() -> feed(id, queue, done), "sweep-worker-" + id);
            feeders.add(feeder);
            feeder.start();
        }
        try {
            for (Thread t : feeders) {
                t.join();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            destroyWorkers();
            try {
                Runtime.getRuntime().removeShutdownHook(stopWorkers);
            } catch (IllegalStateException ignored) {
                // shutting down already
            }
        }
    }

    private void feed(int id, ConcurrentLinkedQueue<PointTask> queue, Consumer<PointOutcome> done) {
        Process worker = null;
        BufferedReader replies = null;
        Writer requests = null;
        PointTask task;
        while ((task = queue.poll()) != null) {
            try {
                if (worker == null || !worker.isAlive()) {
                    worker = start(id);
                    replies = new BufferedReader(new InputStreamReader(worker.getInputStream(), StandardCharsets.UTF_8));
                    requests = new OutputStreamWriter(worker.getOutputStream(), StandardCharsets.UTF_8);
                }
                requests.write(JSON.writeValueAsString(task) + "\n");
                requests.flush();
                PointOutcome outcome = null;
                for (String line; (line = replies.readLine()) != null; ) {
                    if (line.startsWith(REPLY)) {
                        outcome = JSON.readValue(line.substring(REPLY.length()), PointOutcome.class);
                        break;
                    }
                }
                if (outcome == null) {
                    int exit = worker.waitFor();
                    worker = null;
                    outcome = new PointOutcome(task.index(), task.folder(), "failed", "the worker process ended (exit code " + exit
                            + ") while running this point; see " + logDir.resolve("worker-" + id + ".log"), 0);
                }
                synchronized (done) {
                    done.accept(outcome);
                }
            } catch (IOException e) {
                synchronized (done) {
                    done.accept(new PointOutcome(task.index(), task.folder(), "failed", "worker " + id + ": " + io.deepnets.FailureText.describe(e), 0));
                }
                worker = null;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        if (requests != null) {
            try {
                requests.close();
            } catch (IOException ignored) {
                // the worker ends when its input closes, or is destroyed below
            }
        }
    }

    private Process start(int id) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!arg.startsWith("-agentlib") && !arg.startsWith("-javaagent") && !arg.startsWith("-Ddeepnets.fault")) {
                cmd.add(arg);
            }
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.deepnets.cli.Main", "sweep-worker"));
        Files.createDirectories(logDir);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.appendTo(logDir.resolve("worker-" + id + ".log").toFile()));
        pb.environment().put("OMP_NUM_THREADS", Integer.toString(threadsPerJob));
        pb.environment().put("OPENBLAS_NUM_THREADS", Integer.toString(threadsPerJob));
        pb.environment().putIfAbsent("OMP_WAIT_POLICY", "PASSIVE");
        // Each worker gets its own cores: OMP_PROC_BIND=close (the launcher's setting) would bind every worker's
        // threads to the same first cores and serialise them (measured: 2 workers slower than 1).
        int first = (id - 1) * threadsPerJob % Math.max(1, Runtime.getRuntime().availableProcessors());
        pb.environment().put("OMP_PLACES", "{" + first + ":" + threadsPerJob + "}");
        pb.environment().put("OMP_PROC_BIND", "close");
        Process p = pb.start();
        synchronized (workers) {
            workers.add(p);
        }
        return p;
    }

    private void destroyWorkers() {
        synchronized (workers) {
            for (Process p : workers) {
                p.destroy();
            }
            workers.clear();
        }
    }

    /** The worker side: reads tasks (one JSON line each) from {@code in}, runs each, answers on {@code out}. */
    public static void serve(BufferedReader in, java.io.PrintStream out, ExperimentRunner runner) throws IOException {
        for (String line; (line = in.readLine()) != null; ) {
            if (line.isBlank()) {
                continue;
            }
            PointTask task = JSON.readValue(line, PointTask.class);
            PointOutcome outcome = PointExecutor.execute(task, runner);
            out.println(REPLY + JSON.writeValueAsString(outcome));
            out.flush();
        }
    }
}
