package io.deepnets.runs;

import io.deepnets.eval.EvalResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * {@code predictions.csv}: for each test sample (in test-set order) its true and predicted class index and the
 * predicted probability. Lets a report be rebuilt without re-running the model.
 */
public final class PredictionsCsv {
    public static final String HEADER = "index,true,predicted,probability";

    private PredictionsCsv() {
    }

    /** One test sample's outcome. */
    public record Prediction(int index, int truth, int predicted, double probability) {
    }

    public static void write(Path file, int[] truth, EvalResult result) throws IOException {
        StringBuilder sb = new StringBuilder(HEADER).append('\n');
        for (int i = 0; i < truth.length; i++) {
            sb.append(i).append(',').append(truth[i]).append(',').append(result.predictions()[i]).append(',')
                    .append(String.format(Locale.ROOT, "%.5f", result.confidence()[i])).append('\n');
        }
        AtomicFiles.writeString(file, sb.toString());
    }

    public static List<Prediction> read(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file);
        if (lines.isEmpty() || !lines.get(0).equals(HEADER)) {
            throw new IOException(file + ": expected the header " + HEADER);
        }
        List<Prediction> out = new java.util.ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            String[] f = lines.get(i).split(",", -1);
            if (f.length != 4) {
                throw new IOException(file + ": line " + (i + 1) + " has " + f.length + " fields, expected 4");
            }
            try {
                out.add(new Prediction(Integer.parseInt(f[0].trim()), Integer.parseInt(f[1].trim()), Integer.parseInt(f[2].trim()),
                        Double.parseDouble(f[3].trim())));
            } catch (NumberFormatException e) {
                throw new IOException(file + ": line " + (i + 1) + ": expected whole numbers and a probability, got '" + lines.get(i) + "'");
            }
        }
        return out;
    }
}
