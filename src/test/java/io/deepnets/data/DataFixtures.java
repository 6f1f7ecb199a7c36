package io.deepnets.data;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;

/** Small generated dataset files in the real formats, for reader tests. */
final class DataFixtures {
    private DataFixtures() {
    }

    /** IDX images: image i has every pixel = (i * 10 + row) % 256. */
    static byte[] idxImages(int count, int rows, int cols) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(IdxReader.IMAGES_MAGIC);
        out.writeInt(count);
        out.writeInt(rows);
        out.writeInt(cols);
        for (int i = 0; i < count; i++) {
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    out.writeByte((i * 10 + r) % 256);
                }
            }
        }
        return bytes.toByteArray();
    }

    static byte[] idxLabels(int count) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(IdxReader.LABELS_MAGIC);
        out.writeInt(count);
        for (int i = 0; i < count; i++) {
            out.writeByte(i % 10);
        }
        return bytes.toByteArray();
    }

    static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
            gz.write(data);
        }
        return bytes.toByteArray();
    }

    /** A folder with the four MNIST-named IDX files (gzip), {@code train} and {@code test} images of 4x3. */
    static Path idxFolder(Path dir, int train, int test) throws IOException {
        Files.createDirectories(dir);
        Files.write(dir.resolve("train-images-idx3-ubyte.gz"), gzip(idxImages(train, 4, 3)));
        Files.write(dir.resolve("train-labels-idx1-ubyte.gz"), gzip(idxLabels(train)));
        Files.write(dir.resolve("t10k-images-idx3-ubyte"), idxImages(test, 4, 3));
        Files.write(dir.resolve("t10k-labels-idx1-ubyte"), idxLabels(test));
        return dir;
    }

    /** One CIFAR batch: record r has label (r + offset) % 10 and channel k pixels = (r + k) % 256. */
    static byte[] cifarBatch(int records, int offset) {
        byte[] data = new byte[records * Cifar10BinaryReader.RECORD_BYTES];
        for (int r = 0; r < records; r++) {
            int base = r * Cifar10BinaryReader.RECORD_BYTES;
            data[base] = (byte) ((r + offset) % 10);
            for (int k = 0; k < 3; k++) {
                for (int p = 0; p < 1024; p++) {
                    data[base + 1 + k * 1024 + p] = (byte) ((r + k) % 256);
                }
            }
        }
        return data;
    }

    /** A cifar-10-binary.tar.gz with {@code records} records per batch, plus any extra entries given as name/content. */
    static void cifarArchive(Path archive, int records, String... extra) throws IOException {
        Files.createDirectories(archive.getParent());
        try (OutputStream file = Files.newOutputStream(archive);
             TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(file))) {
            for (int b = 1; b <= 5; b++) {
                put(tar, "cifar-10-batches-bin/data_batch_" + b + ".bin", cifarBatch(records, b));
            }
            put(tar, "cifar-10-batches-bin/test_batch.bin", cifarBatch(records, 0));
            put(tar, "cifar-10-batches-bin/batches.meta.txt", "airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n\n".getBytes());
            for (int i = 0; i < extra.length; i += 2) {
                put(tar, extra[i], extra[i + 1].getBytes());
            }
        }
    }

    private static void put(TarArchiveOutputStream tar, String name, byte[] content) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name, true);
        entry.setSize(content.length);
        tar.putArchiveEntry(entry);
        tar.write(content);
        tar.closeArchiveEntry();
    }
}
