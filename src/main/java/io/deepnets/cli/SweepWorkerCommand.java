package io.deepnets.cli;

import io.deepnets.sweep.LocalEngine;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/**
 * {@code deepnets sweep-worker}: the worker process of a local sweep (not for people): reads points from standard
 * input, runs each, answers on standard output. Training's console output goes to standard error (the sweep
 * keeps it in its {@code workers/} folder).
 */
@Command(name = "sweep-worker", hidden = true, description = "Internal: runs sweep points read from standard input.")
final class SweepWorkerCommand implements Callable<Integer> {
    @Override
    public Integer call() throws Exception {
        PrintStream replies = System.out;
        System.setOut(System.err);
        LocalEngine.serve(new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)), replies, Runners.quiet());
        return Main.OK;
    }
}
