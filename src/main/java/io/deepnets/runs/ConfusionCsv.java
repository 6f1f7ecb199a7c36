package io.deepnets.runs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code confusion.csv}: test-set counts, one row per true class, one column per predicted class, named. */
public final class ConfusionCsv {
    private ConfusionCsv() {
    }

    /** Class names and counts as read back from a file. */
    public record Table(List<String> classNames, long[][] counts) {
    }

    public static void write(Path file, List<String> classNames, long[][] confusion) throws IOException {
        StringBuilder sb = new StringBuilder("true\\predicted");
        for (String name : classNames) {
            sb.append(',').append(Csv.field(name));
        }
        sb.append('\n');
        for (int t = 0; t < confusion.length; t++) {
            sb.append(Csv.field(classNames.get(t)));
            for (long c : confusion[t]) {
                sb.append(',').append(c);
            }
            sb.append('\n');
        }
        AtomicFiles.writeString(file, sb.toString());
    }

    public static Table read(Path file) throws IOException {
        List<List<String>> rows = Csv.parse(Files.readString(file));
        if (rows.size() < 2) {
            throw new IOException(file + ": expected a header and one row per class");
        }
        List<String> names = new ArrayList<>(rows.get(0).subList(1, rows.get(0).size()));
        if (rows.size() - 1 < names.size()) {
            throw new IOException(file + ": the header names " + names.size() + " classes but " + (rows.size() - 1) + " rows follow; expected one row per class");
        }
        long[][] counts = new long[names.size()][names.size()];
        for (int t = 0; t < names.size(); t++) {
            List<String> row = rows.get(t + 1);
            if (row.size() != names.size() + 1) {
                throw new IOException(file + ": row " + (t + 2) + " has " + row.size() + " fields, expected " + (names.size() + 1));
            }
            for (int p = 0; p < names.size(); p++) {
                try {
                    counts[t][p] = Long.parseLong(row.get(p + 1).trim());
                } catch (NumberFormatException e) {
                    throw new IOException(file + ": row " + (t + 2) + ": '" + row.get(p + 1) + "' is not a count");
                }
            }
        }
        return new Table(names, counts);
    }
}
