package io.deepnets.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads the CIFAR-10 binary release's batch files: fixed records of one label byte and 3,072 pixel bytes
 * (red, green, blue planes of 32x32, row-major). The record layout is already channels-first, as DL4J wants.
 */
public final class Cifar10BinaryReader {
    public static final int IMAGE_BYTES = 3 * 32 * 32;
    public static final int RECORD_BYTES = 1 + IMAGE_BYTES;

    /** Pixels (CHW per image) and labels of one or more batch files. */
    public record Records(byte[] pixels, int[] labels) {
    }

    private Cifar10BinaryReader() {
    }

    /** Reads batch files in order; each must hold exactly {@code recordsPerFile} records with labels 0..9. */
    public static Records read(java.util.List<Path> files, int recordsPerFile) {
        int total = files.size() * recordsPerFile;
        byte[] pixels = new byte[total * IMAGE_BYTES];
        int[] labels = new int[total];
        int record = 0;
        for (Path file : files) {
            byte[] data;
            try {
                long size = Files.size(file);
                long expected = (long) recordsPerFile * RECORD_BYTES;
                if (size != expected) {
                    throw new DataException(file + ": " + size + " bytes, expected " + expected + " (" + recordsPerFile
                            + " records of " + RECORD_BYTES + " bytes); the file is truncated or not a CIFAR-10 batch");
                }
                data = Files.readAllBytes(file);
            } catch (IOException e) {
                throw new DataException(file + ": cannot read (" + io.deepnets.FailureText.describe(e) + ")", e);
            }
            for (int r = 0; r < recordsPerFile; r++, record++) {
                int offset = r * RECORD_BYTES;
                int label = data[offset] & 0xFF;
                if (label > 9) {
                    throw new DataException(file + ": record " + r + " has label " + label + ", expected 0..9");
                }
                labels[record] = label;
                System.arraycopy(data, offset + 1, pixels, record * IMAGE_BYTES, IMAGE_BYTES);
            }
        }
        return new Records(pixels, labels);
    }
}
