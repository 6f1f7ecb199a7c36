package io.deepnets.runs;

import io.deepnets.model.BuildInfo;
import io.deepnets.model.NativeRuntime;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Where a result came from: versions, backend, machine, code commit and data checksums. */
public final class Provenance {
    private Provenance() {
    }

    public static Map<String, Object> collect(long seed, Map<String, String> dataChecksums) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("seed", seed);
        m.put("deepnets_version", BuildInfo.get("deepnets.version"));
        m.put("dl4j_version", BuildInfo.get("dl4j.version"));
        m.putAll(NativeRuntime.describe());
        m.put("jvm", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        m.put("cpu", cpuModel());
        m.put("cores", Runtime.getRuntime().availableProcessors());
        m.put("git_commit", gitCommit());
        m.put("data_files", dataChecksums);
        return m;
    }

    /** The CPU's model name (from /proc/cpuinfo on Linux, else the architecture). */
    public static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // not Linux: fall through
        }
        return System.getProperty("os.arch");
    }

    /** The commit of the deepnets checkout the program runs from, with {@code -dirty} for local changes; null if unknown. */
    static String gitCommit() {
        try {
            Path codeDir = Path.of(Provenance.class.getProtectionDomain().getCodeSource().getLocation().toURI()).getParent();
            String commit = git(codeDir, "rev-parse", "HEAD");
            if (commit == null) {
                return null;
            }
            String status = git(codeDir, "status", "--porcelain", "--untracked-files=no");
            return status != null && !status.isEmpty() ? commit + "-dirty" : commit;
        } catch (Exception e) {
            return null;
        }
    }

    private static String git(Path dir, String... args) throws IOException, InterruptedException {
        String[] cmd = new String[args.length + 3];
        cmd[0] = "git";
        cmd[1] = "-C";
        cmd[2] = dir.toString();
        System.arraycopy(args, 0, cmd, 3, args.length);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(false).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        if (!p.waitFor(5, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            return null;
        }
        return out;
    }
}
