package io.deepnets.report;

import io.deepnets.runs.SweepFolder;
import io.deepnets.runs.SweepFolder.PointRow;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What {@code sweep.jte} shows: the sweep's counts, its best point, the figures and one formatted row per point,
 * best first.
 *
 * @param best the best point's axis values, or null when no point has a value
 */
public record SweepPage(String name, String description, String metric, String folder, String counts, String best, String bestLink,
        String bestValue, List<String> axisNames, List<PageFigure> figures, List<Row> rows) {

    /** One point: its rank, values, figures, status and the link to its run. */
    public record Row(String rank, List<String> values, List<String> figures, String epochs, String seconds, String status, String link) {
    }

    static SweepPage of(SweepFolder.Contents sweep, List<PointRow> ranked, List<PageFigure> figures) {
        List<Row> rows = new ArrayList<>();
        int rank = 0;
        for (PointRow p : ranked) {
            boolean valued = p.metric(sweep.metric()) != null;
            List<String> cells = new ArrayList<>();
            for (String c : SweepReport.COLUMNS) {
                Double v = p.metric(c);
                cells.add(v == null ? "" : String.format(Locale.ROOT, "%.4f", v));
            }
            rows.add(new Row(valued ? Integer.toString(++rank) : "", p.labels(), cells, p.run() == null ? "" : Integer.toString(p.run().history().size()),
                    p.run() == null ? "" : String.format(Locale.ROOT, "%.1f", SweepReport.seconds(p)), p.status(), SweepReport.link(sweep, p)));
        }
        long complete = sweep.points().stream().filter(p -> p.status().equals("completed")).count();
        long diverged = sweep.points().stream().filter(p -> p.status().startsWith("diverged")).count();
        long other = sweep.points().size() - complete - diverged;
        String counts = sweep.points().size() + " points: " + complete + " completed, " + diverged + " diverged" + (other > 0 ? ", " + other
                + " not run or interrupted" : "");
        PointRow top = ranked.isEmpty() || ranked.get(0).metric(sweep.metric()) == null ? null : ranked.get(0);
        String best = null;
        if (top != null) {
            StringBuilder sb = new StringBuilder();
            for (int a = 0; a < sweep.axes().size(); a++) {
                sb.append(a == 0 ? "" : ", ").append(sweep.axes().get(a).name()).append(" = ").append(top.labels().get(a));
            }
            best = sb.toString();
        }
        return new SweepPage(sweep.name(), sweep.description(), sweep.metric(), sweep.dir().toString(), counts, best,
                top == null ? null : SweepReport.link(sweep, top),
                top == null ? null : String.format(Locale.ROOT, "%.4f", top.metric(sweep.metric())),
                sweep.axes().stream().map(SweepFolder.AxisInfo::name).toList(), figures, rows);
    }

    public String title() {
        return "deepnets sweep " + name;
    }
}
