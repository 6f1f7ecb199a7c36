package io.deepnets.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads IDX files (the MNIST format), gzip-compressed or plain (detected by the gzip magic bytes). A wrong
 * magic number, a short file or trailing bytes is an error: a dataset is never silently shorter.
 */
public final class IdxReader {
    static final int IMAGES_MAGIC = 0x00000803;
    static final int LABELS_MAGIC = 0x00000801;

    /** Pixel bytes of {@code count} images of {@code rows x cols}, row-major, image after image. */
    public record IdxImages(int count, int rows, int cols, byte[] pixels) {
    }

    private IdxReader() {
    }

    /** Reads from an opened IDX stream; IO errors are mapped to one-line data errors by {@link #read}. */
    private interface Body<T> {
        T read(DataInputStream in) throws IOException;
    }

    private static <T> T read(Path file, Body<T> body) {
        try (DataInputStream in = open(file)) {
            return body.read(in);
        } catch (EOFException e) {
            throw new DataException(file + ": truncated IDX header", e);
        } catch (ZipException e) {
            throw new DataException(file + ": corrupt gzip data (" + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new DataException(file + ": cannot read (" + io.deepnets.FailureText.describe(e) + ")", e);
        }
    }

    public static IdxImages readImages(Path file) {
        return read(file, in -> {
            int magic = in.readInt();
            if (magic != IMAGES_MAGIC) {
                throw new DataException(file + ": not an IDX image file (magic " + hex(magic) + ", expected " + hex(IMAGES_MAGIC) + ")");
            }
            int count = in.readInt();
            int rows = in.readInt();
            int cols = in.readInt();
            if (count < 0 || rows < 1 || cols < 1 || (long) count * rows * cols > Integer.MAX_VALUE - 16) {
                throw new DataException(file + ": implausible IDX header (" + count + " images of " + rows + "x" + cols + ")");
            }
            byte[] pixels = readExactly(in, file, count * rows * cols, count + " images of " + rows + "x" + cols, 16);
            return new IdxImages(count, rows, cols, pixels);
        });
    }

    public static byte[] readLabels(Path file) {
        return read(file, in -> {
            int magic = in.readInt();
            if (magic != LABELS_MAGIC) {
                throw new DataException(file + ": not an IDX label file (magic " + hex(magic) + ", expected " + hex(LABELS_MAGIC) + ")");
            }
            int count = in.readInt();
            if (count < 0) {
                throw new DataException(file + ": implausible IDX header (" + count + " labels)");
            }
            return readExactly(in, file, count, count + " labels", 8);
        });
    }

    private static byte[] readExactly(InputStream in, Path file, int length, String what, int header) throws IOException {
        // The header is checked against what the file really holds before anything is allocated: a plain file by its
        // size, a gzip file by reading in chunks (its real length is only known at its end).
        if (!isGzip(file) && Files.size(file) < (long) length + header) {
            throw new DataException(file + ": truncated: the header announces " + what + " (" + length + " bytes), the file holds "
                    + Math.max(0, Files.size(file) - header) + " after its header");
        }
        java.io.ByteArrayOutputStream buffer = new java.io.ByteArrayOutputStream(Math.min(length, 1 << 20));
        byte[] chunk = new byte[1 << 16];
        int read = 0;
        while (read < length) {
            int n = in.read(chunk, 0, Math.min(chunk.length, length - read));
            if (n < 0) {
                break;
            }
            buffer.write(chunk, 0, n);
            read += n;
        }
        byte[] data = buffer.toByteArray();
        if (read < length) {
            throw new DataException(file + ": truncated: the header announces " + what + " (" + length + " bytes), the file holds " + read);
        }
        long extra = 0;
        byte[] buf = new byte[8192];
        for (int n; (n = in.read(buf)) > 0; ) {
            extra += n;
        }
        if (extra > 0) {
            throw new DataException(file + ": " + extra + " unexpected bytes after the " + what + " the header announces");
        }
        return data;
    }

    private static boolean isGzip(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.read() == 0x1f && in.read() == 0x8b;
        }
    }

    private static DataInputStream open(Path file) throws IOException {
        InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        raw.mark(2);
        int b1 = raw.read();
        int b2 = raw.read();
        raw.reset();
        boolean gzip = b1 == 0x1f && b2 == 0x8b;
        return new DataInputStream(gzip ? new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16) : raw);
    }

    private static String hex(int v) {
        return String.format("0x%08x", v);
    }
}
