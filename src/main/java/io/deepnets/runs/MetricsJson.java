package io.deepnets.runs;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/** {@code metrics.json}: the run's final figures and provenance, written last: its presence marks a completed run. */
public final class MetricsJson {
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private MetricsJson() {
    }

    public static void write(Path file, Map<String, Object> metrics) throws IOException {
        AtomicFiles.write(file, out -> MAPPER.writeValue(new NonClosing(out), metrics));
    }

    /** The figures of {@code file}; an IOException naming the file when it is not a JSON object. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> read(Path file) throws IOException {
        Object value;
        try {
            value = MAPPER.readValue(file.toFile(), Object.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IOException(file + ": not valid JSON (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")");
        }
        if (!(value instanceof Map<?, ?> map)) {
            throw new IOException(file + ": expected a JSON object of metrics");
        }
        return (Map<String, Object>) map;
    }

    private static final class NonClosing extends java.io.FilterOutputStream {
        NonClosing(java.io.OutputStream out) {
            super(out);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
