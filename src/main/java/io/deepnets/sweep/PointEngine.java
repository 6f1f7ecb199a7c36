package io.deepnets.sweep;

import java.util.List;
import java.util.function.Consumer;

/**
 * Runs a sweep's points somewhere and reports each as it ends. Every engine runs a point through
 * {@link PointExecutor}, so a point's run folder is the same wherever it ran; an engine only decides where and how
 * many at a time. {@link LocalEngine} runs them in this JVM or in worker processes.
 */
public interface PointEngine {
    /** Runs every task, calling {@code done} (from any thread, one call at a time) as each ends; returns when all have. */
    void run(List<PointTask> tasks, Consumer<PointOutcome> done);

    /** A short description for the console: {@code 2 worker processes x 1 thread}. */
    String describe();
}
