package io.deepnets.cli;

import io.deepnets.BadInputException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code deepnets} command. Parses arguments, calls the feature classes, maps exceptions to exit codes:
 * 0 success, 2 bad input (config, arguments, data), 1 anything else. Errors print as one line; a stack trace
 * only with {@code --debug}. The only place that calls {@link System#exit}.
 */
@Command(name = "deepnets", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Train, evaluate and compare image-recognition networks on Deeplearning4j, from YAML experiment configs.",
        subcommands = {RunCommand.class, SummaryCommand.class, ReportCommand.class, SuiteCommand.class, ResumeCommand.class, LowLevelCommand.class, BenchCommand.class, PredictCommand.class,
                ActivationsCommand.class, SweepCommand.class, SweepWorkerCommand.class, ScratchCommand.class, FiltersCommand.class, ArithmeticCommand.class, ServeCommand.class, ExplainCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    public static final int OK = 0;
    public static final int FAILURE = 1;
    public static final int BAD_INPUT = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required (run, summary, report, suite, sweep, resume, lowlevel, scratch, bench, predict, activations)");
    }

    public static void main(String[] args) {
        boolean debug = java.util.Arrays.asList(args).contains("--debug");
        if (debug) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "info");
            System.setProperty("org.slf4j.simpleLogger.log.org.nd4j.imports.converters.ImportClassMapping", "info");
        }
        System.exit(execute(args));
    }

    /** Runs the command line and returns the exit code (tests call this; only {@link #main} exits). */
    public static int execute(String... args) {
        CommandLine cmd = new CommandLine(new Main());
        // Picocli's own message for a path Java cannot represent names the exception class; this one says why in words.
        cmd.registerConverter(java.nio.file.Path.class, text -> {
            try {
                return java.nio.file.Path.of(text);
            } catch (java.nio.file.InvalidPathException e) {
                throw new CommandLine.TypeConversionException("'" + text.replace("\0", "\\0") + "' is not a usable file name ("
                        + (e.getReason().contains("unmappable") || e.getReason().contains("Malformed")
                        ? "its characters cannot be written in this system's file-name encoding; run with a UTF-8 locale, e.g. LC_ALL=C.UTF-8"
                        : e.getReason().toLowerCase(java.util.Locale.ROOT)) + ")");
            }
        });
        cmd.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            boolean debug = parseResult.hasMatchedOption("--debug") || parseResult.subcommands().stream()
                    .anyMatch(p -> p.hasMatchedOption("--debug"));
            return report(commandLine.getErr(), ex, debug);
        });
        cmd.setParameterExceptionHandler((ex, args2) -> {
            PrintWriter err = ex.getCommandLine().getErr();
            String path = commandPath(ex.getCommandLine());
            err.println("error: " + ex.getMessage() + " (see 'deepnets " + (path.isEmpty() ? "" : path + " ") + "--help')");
            err.flush();
            return BAD_INPUT;
        });
        try {
            return cmd.execute(args);
        } catch (Throwable t) {
            // Errors (StackOverflowError, OutOfMemoryError) can escape picocli's handlers: same one line, same codes.
            return report(new PrintWriter(System.err, true), t, java.util.Arrays.asList(args).contains("--debug"));
        }
    }

    private static String commandPath(CommandLine cl) {
        String qualified = cl.getCommandSpec().qualifiedName(" ");
        return qualified.startsWith("deepnets ") ? qualified.substring(9) : "";
    }

    static int report(PrintWriter err, Throwable ex, boolean debug) {
        Throwable t = ex;
        int code = t instanceof BadInputException ? BAD_INPUT : FAILURE;
        err.println("error: " + firstLine(message(t)));
        if (debug) {
            t.printStackTrace(err);
        } else if (code == FAILURE) {
            err.println("(run with --debug for the stack trace)");
        }
        err.flush();
        return code;
    }

    /**
     * What the user reads: our own exceptions carry messages written for them; a JVM error says what ran out;
     * anything else is an internal error with its message but never a Java class name.
     */
    static String message(Throwable t) {
        if (t instanceof BadInputException || t instanceof io.deepnets.train.TrainingDivergedException || t instanceof io.deepnets.CommandFailure) {
            return t.getMessage();
        }
        if (t instanceof UncheckedIOException u && u.getCause() != null && !u.getMessage().equals(u.getCause().toString())) {
            return u.getMessage();
        }
        if (t instanceof UncheckedIOException || t instanceof java.io.IOException) {
            // A file or the network failed under a command (a full disk, a folder removed meanwhile): what and where.
            return io.deepnets.FailureText.describe(t);
        }
        if (t instanceof OutOfMemoryError) {
            return "out of memory (" + t.getMessage() + "): raise DEEPNETS_HEAP_MB (Java heap) or DEEPNETS_OFFHEAP_MB (ND4J arrays), "
                    + "or lower training.batch_size";
        }
        if (t instanceof StackOverflowError) {
            return "internal error: the call stack overflowed (an input nested too deeply?)";
        }
        String m = t.getMessage();
        if (t.getClass().getName().startsWith("java.")) {
            // The JDK's own messages name classes and methods ("Cannot invoke \"java.lang.Double.intValue()\"..."): a bug of
            // ours, told in words; --debug shows the rest.
            return "internal error (" + io.deepnets.FailureText.typeInWords(t) + ")";
        }
        return "internal error" + (m == null || m.isBlank() ? " (" + io.deepnets.FailureText.typeInWords(t) + ")" : ": " + m);
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
