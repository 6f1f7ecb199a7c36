package io.deepnets.run;

import io.deepnets.runs.RunFolder;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The one line a run or a resume says when the JVM is stopped under it (Ctrl-C, {@code kill}): the JVM exits
 * (130/143) without finishing, so the line says what is kept and how to go on. Watching starts before the data is
 * loaded, so a stop at any moment of the command gets its line; a run that completed (metrics.json written) says
 * nothing.
 */
final class InterruptNotice implements AutoCloseable {
    private final PrintStream err;
    private final Thread hook;
    /** The folder being made, once it exists. */
    private volatile Path making;
    /** The folder a resume can continue, once it holds its config and history. */
    private volatile Path resumable;

    private InterruptNotice(PrintStream err) {
        this.err = err;
        this.hook = new Thread(this::say);
    }

    /** Starts watching for a stop of this JVM. */
    static InterruptNotice watch(PrintStream err) {
        InterruptNotice notice = new InterruptNotice(err);
        Runtime.getRuntime().addShutdownHook(notice.hook);
        return notice;
    }

    /** The run folder now exists but does not yet hold its config and history. */
    void making(Path runDir) {
        making = runDir;
    }

    /** {@code runDir} holds a run that {@code deepnets resume} continues. */
    void resumable(Path runDir) {
        resumable = runDir;
    }

    /** The line for a stop now (what the shutdown hook prints). */
    void say() {
        Path runDir = resumable;
        if (runDir != null) {
            if (!Files.isRegularFile(runDir.resolve(RunFolder.METRICS))) {
                err.println("error: interrupted; the epochs completed so far are kept in " + runDir + ": continue with 'deepnets resume "
                        + runDir + "'");
            }
        } else if (making != null) {
            err.println("error: interrupted while making the run folder " + making + "; it holds no training and can be deleted");
        } else {
            err.println("error: interrupted before the run folder was made");
        }
        err.flush();
    }

    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down: the hook says its line
        }
    }
}
