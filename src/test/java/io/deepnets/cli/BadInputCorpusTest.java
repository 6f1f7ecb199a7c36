package io.deepnets.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deepnets.testing.RealData;
import io.deepnets.testing.TrainedRuns;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The bad-input corpus: every case under {@code src/test/resources/badinput/*.yaml} is a command line with the
 * files it needs, the exit code it must give and a pattern its one line on stderr must match. For each case:
 * the exit code, exactly one {@code error:} line, no stack trace or Java exception name, no {@code hs_err} file,
 * nothing written into the case's {@code {out}} folder, and the files it names as {@code unchanged} byte for byte
 * as they were. Cases with {@code process: true} run in a JVM of their own (those that once crashed the JVM).
 *
 * <p>Placeholders in arguments and file texts: {@code {dir}} the case's folder, {@code {out}} an output folder
 * that must stay empty, {@code {data}} the real datasets, {@code {configs}} the project's configs folder.
 * Setup steps: {@code write} (text, base64, or a repeated text), {@code from} (a project file with
 * {@code replace} edits), {@code copy} of a fixture run ({@code linear}, {@code cnn}, {@code interrupted}),
 * {@code truncate}, {@code delete}, {@code mkdir}, {@code symlink}.
 */
class BadInputCorpusTest {
    private static final Path CORPUS = Path.of("src/test/resources/badinput");

    /** Every case's folder lives under this one, removed after the corpus has run. */
    @org.junit.jupiter.api.io.TempDir
    static Path cases;
    private static final Pattern JAVA_NAME = Pattern.compile("\\b[A-Z][A-Za-z]+(Exception|Error)\\b|\\bjava\\.[a-z]+\\.|\\tat ");

    @TestFactory
    Stream<DynamicTest> everyCase() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        try (Stream<Path> files = Files.list(CORPUS)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                List<?> cases = new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(file));
                for (Object c : cases) {
                    Map<?, ?> spec = (Map<?, ?>) c;
                    String name = file.getFileName().toString().replace(".yaml", "") + "/" + spec.get("name");
                    tests.add(DynamicTest.dynamicTest(name, () -> runCase(name, spec)));
                }
            }
        }
        assertTrue(tests.size() >= 60, "the corpus has " + tests.size() + " cases");
        return tests.stream();
    }

    private static void runCase(String name, Map<?, ?> spec) throws Exception {
        Path dir = Files.createTempDirectory(cases, "badinput-");
        Path out = dir.resolve("out");
        Map<String, String> vars = new LinkedHashMap<>();
        vars.put("{dir}", dir.toString());
        vars.put("{out}", out.toString());
        vars.put("{configs}", Path.of("configs").toAbsolutePath().toString());
        if (needsData(spec)) {
            vars.put("{data}", RealData.dir().toString());
        }
        for (Object step : list(spec.get("setup"))) {
            setup(dir, (Map<?, ?>) step, vars);
        }
        Map<String, byte[]> before = snapshot(dir, list(spec.get("unchanged")));
        List<String> args = new ArrayList<>();
        for (Object a : list(spec.get("args"))) {
            args.add(substitute(String.valueOf(a), vars));
        }
        int expectedExit = ((Number) spec.get("exit")).intValue();
        String stderr;
        int exit;
        if (Boolean.TRUE.equals(spec.get("process"))) {
            Result r = inProcess(false, args, dir);
            exit = r.exit;
            stderr = r.stderr;
        } else {
            Result r = inProcess(true, args, dir);
            exit = r.exit;
            stderr = r.stderr;
        }
        String context = name + ": " + String.join(" ", args) + "\nstderr:\n" + stderr;
        assertEquals(expectedExit, exit, "exit code of " + context);
        List<String> lines = stderr.lines().filter(l -> !l.isBlank()).toList();
        long errorLines = lines.stream().filter(l -> l.startsWith("error:")).count();
        int expectedErrors = spec.get("errors") instanceof Number n ? n.intValue() : 1;
        assertEquals(expectedErrors, errorLines, "one error line: " + context);
        for (String line : lines) {
            assertFalse(JAVA_NAME.matcher(line).find(), "no Java exception name or stack trace: " + context);
            assertTrue(line.startsWith("error:") || line.equals("(run with --debug for the stack trace)") || line.startsWith("note:")
                    || line.startsWith("removed ") || line.startsWith("warning:"), "no other output on stderr: " + context);
        }
        String pattern = substitute(String.valueOf(spec.get("stderr")), Map.of("{dir}", Pattern.quote(dir.toString())));
        assertTrue(Pattern.compile(pattern).matcher(stderr).find(), "stderr matches /" + pattern + "/: " + context);
        try (Stream<Path> walk = Files.walk(dir)) {
            assertTrue(walk.noneMatch(p -> p.getFileName().toString().startsWith("hs_err")), "no hs_err file: " + context);
        }
        assertFalse(Files.exists(Path.of("").toAbsolutePath().resolve("hs_err_pid" + ProcessHandle.current().pid() + ".log")));
        if (!Boolean.TRUE.equals(spec.get("writes"))) {
            assertFalse(io.deepnets.runs.OutputTargets.hasFiles(out), "nothing written into {out}: " + context);
        }
        Map<String, byte[]> after = snapshot(dir, list(spec.get("unchanged")));
        assertEquals(before.keySet(), after.keySet(), "no file lost: " + context);
        for (String f : before.keySet()) {
            assertArrayEquals(before.get(f), after.get(f), f + " unchanged: " + context);
        }
        for (Object present : list(spec.get("exists"))) {
            assertTrue(Files.exists(dir.resolve(String.valueOf(present))), present + " exists: " + context);
        }
        for (Object glob : list(spec.get("glob"))) {
            var matcher = dir.getFileSystem().getPathMatcher("glob:" + dir + "/" + glob);
            try (Stream<Path> walk = Files.walk(dir)) {
                assertTrue(walk.anyMatch(matcher::matches), glob + " exists: " + context);
            }
        }
        for (Object gone : list(spec.get("removed"))) {
            assertFalse(Files.exists(dir.resolve(String.valueOf(gone))), gone + " cleaned up: " + context);
        }
    }

    private record Result(int exit, String stderr) {
    }

    /** Runs the command in this JVM (stdout and stderr captured) or, when {@code here} is false, in a JVM of its own. */
    private static Result inProcess(boolean here, List<String> args, Path dir) throws Exception {
        if (!here) {
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g",
                    "-Dorg.bytedeco.javacpp.maxbytes=2G", "-Djava.awt.headless=true", "-cp", System.getProperty("java.class.path"),
                    Main.class.getName()));
            cmd.addAll(args);
            Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("timed out: " + args);
            }
            return new Result(p.exitValue(), err);
        }
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);
                PrintStream outStream = new PrintStream(java.io.OutputStream.nullOutputStream())) {
            System.setOut(outStream);
            System.setErr(errStream);
            int exit = Main.execute(args.toArray(String[]::new));
            return new Result(exit, err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    private static boolean needsData(Map<?, ?> spec) {
        return String.valueOf(spec).contains("{data}") || String.valueOf(spec.get("setup")).contains("copy");
    }

    private static void setup(Path dir, Map<?, ?> step, Map<String, String> vars) throws IOException {
        if (step.get("write") != null) {
            Path file = dir.resolve(String.valueOf(step.get("write")));
            Files.createDirectories(file.getParent());
            if (step.get("base64") != null) {
                Files.write(file, Base64.getMimeDecoder().decode(String.valueOf(step.get("base64"))));
            } else if (step.get("repeat") != null) {
                String unit = String.valueOf(step.get("repeat"));
                long times = ((Number) step.get("times")).longValue();
                try (var w = Files.newBufferedWriter(file)) {
                    w.write(step.get("prefix") == null ? "" : String.valueOf(step.get("prefix")));
                    for (long i = 0; i < times; i++) {
                        w.write(unit);
                    }
                    w.write(step.get("suffix") == null ? "" : String.valueOf(step.get("suffix")));
                }
            } else if (step.get("from") != null) {
                String text = Files.readString(Path.of(String.valueOf(step.get("from"))));
                if (step.get("replace") instanceof Map<?, ?> edits) {
                    for (var e : new TreeMap<>(edits).entrySet()) {
                        String old = String.valueOf(e.getKey());
                        if (!text.contains(old)) {
                            throw new AssertionError(step.get("from") + " has no '" + old + "' to replace");
                        }
                        text = text.replace(old, String.valueOf(e.getValue()));
                    }
                }
                Files.writeString(file, substitute(text, vars));
            } else {
                Files.writeString(file, substitute(String.valueOf(step.get("text")), vars));
            }
        } else if (step.get("copy") != null) {
            Path source = switch (String.valueOf(step.get("copy"))) {
                case "linear" -> TrainedRuns.linear().runDir();
                case "cnn" -> TrainedRuns.cnn().runDir();
                case "interrupted" -> TrainedRuns.interruptedLinear();
                default -> throw new AssertionError("unknown fixture " + step.get("copy"));
            };
            TrainedRuns.copyTree(source, dir.resolve(String.valueOf(step.get("to"))));
        } else if (step.get("truncate") != null) {
            Path file = dir.resolve(String.valueOf(step.get("truncate")));
            byte[] bytes = Files.readAllBytes(file);
            Files.write(file, java.util.Arrays.copyOf(bytes, Math.min(bytes.length, ((Number) step.get("to")).intValue())));
        } else if (step.get("delete") != null) {
            io.deepnets.testing.Trees.delete(dir.resolve(String.valueOf(step.get("delete"))));
        } else if (step.get("mkdir") != null) {
            Files.createDirectories(dir.resolve(String.valueOf(step.get("mkdir"))));
        } else if (step.get("symlink") != null) {
            Path link = dir.resolve(String.valueOf(step.get("symlink")));
            Files.createDirectories(link.getParent());
            Files.createSymbolicLink(link, Path.of(substitute(String.valueOf(step.get("target")), vars)));
        } else if (step.get("copy_file") != null) {
            Path target = dir.resolve(String.valueOf(step.get("to")));
            Files.createDirectories(target.getParent());
            Files.copy(Path.of(substitute(String.valueOf(step.get("copy_file")), vars)), target);
        } else {
            throw new AssertionError("unknown setup step " + step);
        }
    }

    private static Map<String, byte[]> snapshot(Path dir, List<?> paths) throws IOException {
        Map<String, byte[]> files = new TreeMap<>();
        for (Object p : paths) {
            Path root = dir.resolve(String.valueOf(p));
            if (!Files.exists(root)) {
                continue;
            }
            try (Stream<Path> walk = Files.walk(root)) {
                for (Path f : walk.filter(Files::isRegularFile).toList()) {
                    files.put(dir.relativize(f).toString(), Files.readAllBytes(f));
                }
            }
        }
        return files;
    }

    private static List<?> list(Object o) {
        return o instanceof List<?> l ? l : List.of();
    }

    private static String substitute(String text, Map<String, String> vars) {
        String s = text;
        for (var e : vars.entrySet()) {
            s = s.replace(e.getKey(), e.getValue());
        }
        return s;
    }
}
