package io.deepnets.runs;

import io.deepnets.eval.ClassMetrics;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * {@code per_class.csv}: precision, recall, F1 and support per class, then a blank line and the most-confused
 * pairs ({@code true,predicted,count}).
 */
public final class PerClassCsv {
    private PerClassCsv() {
    }

    public static void write(Path file, ClassMetrics metrics) throws IOException {
        StringBuilder sb = new StringBuilder("class,precision,recall,f1,support\n");
        for (ClassMetrics.ClassRow r : metrics.rows()) {
            sb.append(String.format(Locale.ROOT, "%s,%.4f,%.4f,%.4f,%d%n", Csv.field(r.name()), r.precision(), r.recall(), r.f1(), r.support()));
        }
        sb.append("\nmost_confused_true,most_confused_predicted,count\n");
        for (ClassMetrics.ConfusedPair p : metrics.mostConfused()) {
            sb.append(Csv.field(p.truth())).append(',').append(Csv.field(p.predicted())).append(',').append(p.count()).append('\n');
        }
        AtomicFiles.writeString(file, sb.toString());
    }
}
