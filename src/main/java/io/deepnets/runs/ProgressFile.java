package io.deepnets.runs;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code progress.json}: where a run being trained stands, rewritten atomically at most every {@link #INTERVAL_MILLIS} ms
 * (at the start and end of an epoch, and within one), and at the start of the first epoch, for readers outside the
 * training process ({@code serve}).
 * Training never reads it and never waits for a reader.
 */
public final class ProgressFile {
    public static final String NAME = "progress.json";
    /** The least time between two writes. */
    public static final long INTERVAL_MILLIS = 2000;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private ProgressFile() {
    }

    /**
     * Where a run stands.
     *
     * @param pid the training process
     * @param host the machine it runs on
     * @param epoch the 1-based epoch being trained (or just finished)
     * @param step batches done in that epoch
     * @param steps batches in an epoch
     * @param loss the running mean loss of the epoch so far (Keras's progress bar)
     * @param accuracy the running accuracy
     * @param phase {@code training} within an epoch, {@code epoch-end} after an epoch's validation
     * @param updatedMillis when it was written (milliseconds since the epoch)
     */
    public record Progress(long pid, String host, int epoch, int epochs, int step, int steps, double loss, double accuracy, double elapsedSeconds,
            String phase, long updatedMillis) {

        Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("pid", pid);
            m.put("host", host);
            m.putAll(figures());
            m.put("updated_ms", updatedMillis);
            return m;
        }

        /** Where training stands, without who wrote it and when: epoch, step, running loss and accuracy, phase. */
        public Map<String, Object> figures() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("epoch", epoch);
            m.put("epochs", epochs);
            m.put("step", step);
            m.put("steps", steps);
            m.put("loss", Double.isFinite(loss) ? loss : null);
            m.put("accuracy", Double.isFinite(accuracy) ? accuracy : null);
            m.put("elapsed_seconds", elapsedSeconds);
            m.put("phase", phase);
            return m;
        }
    }

    /** Replaces the file atomically, not forced to disk: a courtesy to readers, not worth a disk flush every epoch. */
    public static void write(Path runDir, Progress p) throws IOException {
        AtomicFiles.writeUnsynced(runDir.resolve(NAME), out -> out.write(MAPPER.writeValueAsBytes(p.json())));
    }

    /** The progress in {@code runDir}, or null when there is none or it cannot be read (a reader never fails on it). */
    public static Progress read(Path runDir) {
        Path file = runDir.resolve(NAME);
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            Map<?, ?> m = MAPPER.readValue(file.toFile(), Map.class);
            return new Progress(num(m, "pid").longValue(), String.valueOf(m.get("host")), num(m, "epoch").intValue(), num(m, "epochs").intValue(),
                    num(m, "step").intValue(), num(m, "steps").intValue(), num(m, "loss").doubleValue(), num(m, "accuracy").doubleValue(),
                    num(m, "elapsed_seconds").doubleValue(), String.valueOf(m.get("phase")), num(m, "updated_ms").longValue());
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static Number num(Map<?, ?> m, String key) {
        return m.get(key) instanceof Number n ? n : Double.NaN;
    }

    /** This machine's name, as progress files record it (looked up once per process). */
    public static String hostName() {
        return Host.NAME;
    }

    private static final class Host {
        static final String NAME = lookUp();

        private static String lookUp() {
            try {
                return java.net.InetAddress.getLocalHost().getHostName();
            } catch (IOException e) {
                return "localhost";
            }
        }
    }
}
