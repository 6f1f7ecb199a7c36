package io.deepnets.runs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code history.csv}: one row per epoch, rewritten atomically after every epoch so an interrupted run keeps
 * its complete rows and never a half-written one.
 */
public final class HistoryCsv {
    public static final String HEADER = "epoch,loss,accuracy,val_loss,val_accuracy,epoch_seconds,ms_per_step";

    private HistoryCsv() {
    }

    public static void write(Path file, List<EpochResult> rows) throws IOException {
        StringBuilder sb = new StringBuilder(HEADER).append('\n');
        for (EpochResult r : rows) {
            sb.append(String.format(Locale.ROOT, "%d,%.6f,%.6f,%.6f,%.6f,%.3f,%.3f%n", r.epoch(), r.loss(), r.accuracy(), r.valLoss(),
                    r.valAccuracy(), r.epochSeconds(), r.msPerStep()));
        }
        AtomicFiles.writeString(file, sb.toString());
    }

    public static List<EpochResult> read(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file);
        if (lines.isEmpty() || !lines.get(0).trim().equals(HEADER)) {
            throw new IOException(file + ": expected the header " + HEADER);
        }
        List<EpochResult> rows = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            String line = lines.get(i).trim();
            if (line.isEmpty()) {
                continue;
            }
            String[] f = line.split(",");
            if (f.length != 7) {
                throw new IOException(file + ": line " + (i + 1) + " has " + f.length + " fields, expected 7");
            }
            try {
                rows.add(new EpochResult(Integer.parseInt(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2]),
                        Double.parseDouble(f[3]), Double.parseDouble(f[4]), Double.parseDouble(f[5]), Double.parseDouble(f[6])));
            } catch (NumberFormatException e) {
                throw new IOException(file + ": line " + (i + 1) + ": " + e.getMessage());
            }
        }
        return rows;
    }
}
