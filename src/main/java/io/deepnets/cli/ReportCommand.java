package io.deepnets.cli;

import io.deepnets.report.ReportBuilder;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code deepnets report}: a run's report page, or the comparison of many runs. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = {"With one run folder: rebuild its plots, confusion matrix, gallery and report.html (history.csv, metrics.json "
                + "and the model are never changed).", "With a reports folder or several runs: write index.html comparing them."})
final class ReportCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "RUN_DIR|REPORTS_DIR", description = "A run folder, a folder of runs (e.g. reports/), or several.")
    List<Path> paths;

    @Option(names = "--out", paramLabel = "DIR", description = "Where index.html goes (default: the first folder given).")
    Path out;

    @Mixin
    DataDirOption data;

    @Mixin
    DebugOption debug;

    @Override
    public Integer call() {
        if (out != null) {
            io.deepnets.runs.OutputTargets.checkFolder(out, "--out");
        }
        ReportBuilder.Written w = new ReportBuilder(data.dataDir, System.getenv(), System.err).build(paths, out);
        String what = w.page().getFileName().toString().equals("report.html") ? "report: "
                : io.deepnets.runs.SweepFolder.isSweepFolder(w.page().getParent()) ? "sweep report (" + w.runs() + " points): "
                : "comparison of " + w.runs() + " runs: ";
        System.out.println(what + w.page());
        return Main.OK;
    }
}
