package io.deepnets.suite;

import java.nio.file.Path;
import java.util.List;

/** The outcome of a suite: one row per experiment and the comparison page. */
public record SuiteResult(List<Row> rows, Path index) {

    /** One experiment: what was expected, what it got, and how the run was obtained (ran, resumed, skipped). */
    public record Row(String experiment, double reference, String band, double got, boolean passed, String how, Path runDir) {
    }

    public boolean passed() {
        return rows.stream().allMatch(Row::passed);
    }

    /** The table {@code experiment | reference | band | got | status}; failing rows are marked. */
    public String table() {
        int w = Math.max(10, rows.stream().mapToInt(r -> r.experiment().length()).max().orElse(10));
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(java.util.Locale.ROOT, "%-" + w + "s | %-9s | %-15s | %-6s | %s%n", "experiment", "reference", "band", "got", "status"));
        sb.append("-".repeat(w)).append("-+-----------+-----------------+--------+-------\n");
        for (Row r : rows) {
            sb.append(String.format(java.util.Locale.ROOT, "%-" + w + "s | %-9.4f | %-15s | %.4f | %s%n", r.experiment(), r.reference(), r.band(),
                    r.got(), r.passed() ? "ok (" + r.how() + ")" : "FAIL <<< outside the band (" + r.how() + ")"));
        }
        return sb.toString();
    }
}
