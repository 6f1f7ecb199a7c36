package io.deepnets.runs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code history.csv}: one row per epoch, rewritten atomically after every epoch so an interrupted run keeps
 * its complete rows and never a half-written one ({@link Rewriter}).
 */
public final class HistoryCsv {
    public static final String HEADER = "epoch,loss,accuracy,val_loss,val_accuracy,epoch_seconds,ms_per_step,lr";
    /** The header before the lr column; such files are still read. */
    static final String HEADER_WITHOUT_LR = "epoch,loss,accuracy,val_loss,val_accuracy,epoch_seconds,ms_per_step";

    private HistoryCsv() {
    }

    public static void write(Path file, List<EpochResult> rows) throws IOException {
        StringBuilder sb = new StringBuilder(HEADER).append('\n');
        for (EpochResult r : rows) {
            sb.append(line(r));
        }
        AtomicFiles.writeString(file, sb.toString());
    }

    private static String line(EpochResult r) {
        return String.format(Locale.ROOT, "%d,%.6f,%.6f,%.6f,%.6f,%.3f,%.3f,%s%n", r.epoch(), r.loss(), r.accuracy(), r.valLoss(),
                r.valAccuracy(), r.epochSeconds(), r.msPerStep(), Double.isNaN(r.lr()) ? "" : String.format(Locale.ROOT, "%.6g", r.lr()));
    }

    /**
     * history.csv as a training run rewrites it after every epoch, for 1 ms epochs as for 1-minute ones: each row
     * is formatted once (a finished epoch's row never changes; formatting every row again made the rewrite grow with
     * the epochs), and the file is replaced atomically but not forced to disk ({@link AtomicFiles#writeUnsynced}):
     * the checkpoint forced before it holds the same rows, a resume rewrites history.csv from it, and the run forces
     * the file once it is final ({@link HistoryCsv#sync}), before its completion marker.
     */
    public static final class Rewriter {
        private final Path file;
        private final List<EpochResult> rows = new ArrayList<>();
        private final List<String> lines = new ArrayList<>();

        public Rewriter(Path file) {
            this.file = file;
        }

        /** Replaces the file with {@code history}; rows already written (the same objects) are not formatted again. */
        public void write(List<EpochResult> history) throws IOException {
            int same = 0;
            while (same < rows.size() && same < history.size() && rows.get(same) == history.get(same)) {
                same++;
            }
            rows.subList(same, rows.size()).clear();
            lines.subList(same, lines.size()).clear();
            for (int i = same; i < history.size(); i++) {
                rows.add(history.get(i));
                lines.add(line(history.get(i)));
            }
            StringBuilder sb = new StringBuilder(HEADER.length() + 1 + 64 * lines.size()).append(HEADER).append('\n');
            for (String l : lines) {
                sb.append(l);
            }
            AtomicFiles.writeStringUnsynced(file, sb.toString());
        }
    }

    /** Forces a history.csv that a {@link Rewriter} wrote to disk, once the run's history is final. */
    public static void sync(Path file) throws IOException {
        if (Files.exists(file)) {
            AtomicFiles.sync(file);
        }
    }

    public static List<EpochResult> read(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file);
        if (lines.isEmpty() || !(lines.get(0).trim().equals(HEADER) || lines.get(0).trim().equals(HEADER_WITHOUT_LR))) {
            throw new IOException(file + ": expected the header " + HEADER);
        }
        int fields = lines.get(0).trim().split(",").length;
        List<EpochResult> rows = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            String line = lines.get(i).trim();
            if (line.isEmpty()) {
                continue;
            }
            String[] f = line.split(",", -1);
            if (f.length != fields) {
                throw new IOException(file + ": line " + (i + 1) + " has " + f.length + " fields, expected " + fields);
            }
            try {
                double lr = fields == 8 && !f[7].isBlank() ? Double.parseDouble(f[7]) : Double.NaN;
                rows.add(new EpochResult(Integer.parseInt(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2]),
                        Double.parseDouble(f[3]), Double.parseDouble(f[4]), Double.parseDouble(f[5]), Double.parseDouble(f[6]), lr));
            } catch (NumberFormatException e) {
                throw new IOException(file + ": line " + (i + 1) + ": expected an epoch number and figures, got '"
                        + (line.length() > 60 ? line.substring(0, 60) + "..." : line) + "'");
            }
        }
        return rows;
    }
}
