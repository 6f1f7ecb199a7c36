package io.deepnets.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** {@code confusion.csv}: test-set counts, one row per true class, one column per predicted class, named. */
public final class ConfusionCsv {
    private ConfusionCsv() {
    }

    public static void write(Path file, List<String> classNames, long[][] confusion) throws IOException {
        StringBuilder sb = new StringBuilder("true\\predicted");
        for (String name : classNames) {
            sb.append(',').append(csv(name));
        }
        sb.append('\n');
        for (int t = 0; t < confusion.length; t++) {
            sb.append(csv(classNames.get(t)));
            for (long c : confusion[t]) {
                sb.append(',').append(c);
            }
            sb.append('\n');
        }
        AtomicFiles.writeString(file, sb.toString());
    }

    static String csv(String field) {
        if (field.contains(",") || field.contains("\"") || field.contains("\n")) {
            return '"' + field.replace("\"", "\"\"") + '"';
        }
        return field;
    }
}
