package io.deepnets.testing;

import static org.junit.jupiter.api.Assertions.fail;

import io.deepnets.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@code deepnets} command in a JVM of its own, stopped dead the way the crash tests need: halted at a named
 * point of the writing ({@code -Ddeepnets.fault=POINT:N}, see {@code runs.FaultInjection}) or killed with SIGKILL
 * after a delay. Its exit code and standard error come back.
 */
public final class KilledCommand {
    private KilledCommand() {
    }

    /** How the command ended. */
    public record Outcome(int exit, String stderr) {
        /** Stopped dead (halted at a fault point, or SIGKILL) rather than finished or failed. */
        public boolean killed() {
            return exit == 137 || exit == 143;
        }
    }

    /** Runs {@code args}; halts at {@code fault} when not null, or is killed (SIGKILL) after {@code killAfterMillis} when not null. */
    public static Outcome run(List<String> args, String fault, Long killAfterMillis) throws Exception {
        return run(args, fault, killAfterMillis, false);
    }

    /** As {@link #run(List, String, Long)}; with {@code term} the stop after the delay is SIGTERM, not SIGKILL. */
    public static Outcome run(List<String> args, String fault, Long killAfterMillis, boolean term) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g",
                "-Dorg.bytedeco.javacpp.maxbytes=2G", "-Djava.awt.headless=true"));
        if (fault != null) {
            cmd.add("-Ddeepnets.fault=" + fault);
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("OMP_WAIT_POLICY", "PASSIVE");
        Process p = pb.start();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread pump = new Thread(() -> {
            try {
                p.getErrorStream().transferTo(err);
            } catch (IOException ignored) {
                // the process is gone
            }
        });
        pump.start();
        if (killAfterMillis != null && !p.waitFor(killAfterMillis, TimeUnit.MILLISECONDS)) {
            if (term) {
                new ProcessBuilder("kill", "-TERM", Long.toString(p.pid())).start().waitFor();
            } else {
                p.destroyForcibly();
            }
        }
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("the command did not end: " + args);
        }
        pump.join();
        return new Outcome(p.exitValue(), err.toString(StandardCharsets.UTF_8));
    }

    /** What a test checks once a stopped command has been started again and finished. */
    @FunctionalInterface
    public interface AfterRestart {
        /** Asserts the finished output in {@code out} ({@code what} names the stop); returns the folder to search for temporary files. */
        Path check(String what, Path out) throws Exception;
    }

    /**
     * The command of {@code args} (given its output folder) stopped at each fault point in turn, then at each SIGKILL
     * delay, each time into a fresh folder under {@code tmp}; after each stop it is started again in this JVM and must
     * finish (exit 0), {@code after} checks the result, and no temporary file may be left. Returns one line per stop.
     */
    public static List<String> stopEverywhereAndRestart(Path tmp, List<String> faults, List<Long> kills,
            java.util.function.Function<Path, List<String>> args, AfterRestart after) throws Exception {
        List<String> report = new ArrayList<>();
        for (int i = 0; i < faults.size() + kills.size(); i++) {
            Path out = tmp.resolve("k" + i);
            String fault = i < faults.size() ? faults.get(i) : null;
            Long delay = fault == null ? kills.get(i - faults.size()) : null;
            String what = fault != null ? "halt at " + fault : "SIGKILL after " + delay + " ms";
            Outcome killed = run(args.apply(out), fault, delay);
            org.junit.jupiter.api.Assertions.assertTrue(killed.exit() == 0 || killed.killed(), what + ": exit " + killed.exit() + ": " + killed.stderr());
            org.junit.jupiter.api.Assertions.assertEquals(0, again(args.apply(out)), what + ": started again, it finishes");
            Path scanned = after.check(what, out);
            try (java.util.stream.Stream<Path> walk = java.nio.file.Files.walk(scanned)) {
                org.junit.jupiter.api.Assertions.assertFalse(walk.anyMatch(p -> p.getFileName().toString().matches("\\..+\\.tmp")),
                        what + ": no temporary file left");
            }
            report.add(what + (killed.exit() == 0 ? ": finished before the stop" : ": stopped, then finished exactly"));
        }
        return report;
    }

    /** Runs {@code args} in this JVM (as a user starting the command again), its console output discarded; the exit code. */
    public static int again(List<String> args) {
        java.io.PrintStream oldOut = System.out;
        java.io.PrintStream oldErr = System.err;
        try (java.io.PrintStream quiet = new java.io.PrintStream(java.io.OutputStream.nullOutputStream())) {
            System.setOut(quiet);
            System.setErr(quiet);
            return Main.execute(args.toArray(String[]::new));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }
}
