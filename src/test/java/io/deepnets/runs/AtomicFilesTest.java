package io.deepnets.runs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
    @TempDir
    Path tmp;

    @Test
    void atomicWritesLeaveNoPartialFile() throws Exception {
        Path file = tmp.resolve("page.html");
        AtomicFiles.writeString(file, "complete");
        assertThrows(IOException.class, () -> AtomicFiles.write(file, out -> {
            out.write("half".getBytes());
            throw new IOException("disk full");
        }));
        assertEquals("complete", Files.readString(file));
        try (var files = Files.list(tmp)) {
            assertEquals(List.of(file), files.toList(), "no temporary file left");
        }
    }

    @Test
    void csvFieldsRoundTrip() {
        List<String> names = List.of("plain", "with,comma", "with \"quote\"", "two\nlines");
        StringBuilder row = new StringBuilder();
        for (String n : names) {
            row.append(row.length() == 0 ? "" : ",").append(Csv.field(n));
        }
        assertEquals(List.of(names), Csv.parse(row + "\n"));
    }
}
