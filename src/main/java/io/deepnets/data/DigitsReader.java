package io.deepnets.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.datavec.api.records.reader.impl.csv.CSVRecordReader;
import org.datavec.api.split.FileSplit;
import org.datavec.api.writable.Writable;

/**
 * The UCI optical digits file behind scikit-learn's {@code load_digits} ({@code optdigits.tes}): one digit a
 * line, 64 pixel counts 0..16 row by row, then the label 0..9. Read with DataVec's {@link CSVRecordReader},
 * which is what it is for; every record is checked (field count, ranges) and a bad one is reported with its
 * line number, never skipped. Pixels are scaled to [0, 1] by dividing by 16, as {@code load_digits().data / 16}.
 */
public final class DigitsReader {
    /** 8x8 pixels a digit. */
    public static final int PIXELS = 64;
    /** Largest pixel value: a count of ink pixels in a 4x4 block. */
    public static final int MAX_PIXEL = 16;
    /** Larger files are not this dataset (optdigits.tes is 264 KB); refused before reading. */
    static final long MAX_BYTES = 64L << 20;

    private DigitsReader() {
    }

    /** Every digit of {@code file}, in file order. */
    public static ImageSet read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new DataException(file + ": not a file (expected the digits CSV, optdigits.tes)");
        }
        try {
            if (Files.size(file) > MAX_BYTES) {
                throw new DataException(file + ": " + Files.size(file) + " bytes is too large for the 8x8 digits file (at most " + MAX_BYTES + ")");
            }
        } catch (IOException e) {
            throw new DataException(file + ": cannot read (" + io.deepnets.FailureText.describe(e) + ")", e);
        }
        List<float[]> rows = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        try (CSVRecordReader reader = new CSVRecordReader(0, ',')) {
            reader.initialize(new FileSplit(file.toFile()));
            int line = 0;
            while (reader.hasNext()) {
                line++;
                List<Writable> record = reader.next();
                if (record.size() == 1 && record.get(0).toString().isBlank()) {
                    continue;
                }
                if (record.size() != PIXELS + 1) {
                    throw new DataException(file + ": line " + line + " has " + record.size() + " fields, expected " + (PIXELS + 1)
                            + " (64 pixels and the label)");
                }
                float[] pixels = new float[PIXELS];
                for (int i = 0; i < PIXELS; i++) {
                    pixels[i] = field(file, line, i + 1, record.get(i), MAX_PIXEL) / (float) MAX_PIXEL;
                }
                rows.add(pixels);
                labels.add(field(file, line, PIXELS + 1, record.get(PIXELS), 9));
            }
        } catch (IOException | InterruptedException e) {
            throw new DataException(file + ": cannot read (" + io.deepnets.FailureText.describe(e) + ")", e);
        } catch (RuntimeException e) {
            if (e instanceof DataException d) {
                throw d;
            }
            throw new DataException(file + ": not a digits CSV file (" + e.getMessage() + ")", e);
        }
        if (rows.isEmpty()) {
            throw new DataException(file + ": no digits in the file");
        }
        float[] features = new float[rows.size() * PIXELS];
        int[] y = new int[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            System.arraycopy(rows.get(i), 0, features, i * PIXELS, PIXELS);
            y[i] = labels.get(i);
        }
        return new ImageSet(features, y, rows.size(), PIXELS);
    }

    private static int field(Path file, int line, int column, Writable value, int max) {
        String text = value.toString().trim();
        int v;
        try {
            v = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new DataException(file + ": line " + line + ", field " + column + ": '" + text + "' is not an integer");
        }
        if (v < 0 || v > max) {
            throw new DataException(file + ": line " + line + ", field " + column + ": " + v + " is outside 0.." + max);
        }
        return v;
    }
}
