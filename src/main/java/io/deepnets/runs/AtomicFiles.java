package io.deepnets.runs;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes a file completely or not at all: into a temporary file in the same folder, forced to disk, then
 * renamed over the target. A full disk or an interrupted write leaves the previous version (or nothing).
 *
 * <p>{@link #writeUnsynced} skips the forcing, for files rewritten after every epoch that something else makes
 * durable: a killed process still leaves the whole file (the kernel keeps what was written), only a power failure
 * can lose the newest version; {@link #sync} forces such a file once it is final.
 */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    /** Something that writes a file's content to a stream. */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    public static void writeString(Path target, String text) throws IOException {
        write(target, out -> out.write(text.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * Writes {@code target} through a temporary file beside it. A failure is reported about {@code target} (the
     * temporary file's name means nothing to the user): "cannot write T: the folder F does not exist", "...: no space
     * left on device".
     */
    public static void write(Path target, Content content) throws IOException {
        write(target, content, true);
    }

    /**
     * As {@link #write(Path, Content)}, without forcing the file to disk: readers and a killed process still see the
     * old or the new version whole. For files rewritten every epoch whose loss a power failure may cost (progress.json),
     * or that a checkpoint already holds (history.csv, forced with {@link #sync} when the run ends).
     */
    public static void writeUnsynced(Path target, Content content) throws IOException {
        write(target, content, false);
    }

    /** As {@link #writeString(Path, String)}, not forced to disk ({@link #writeUnsynced}). */
    public static void writeStringUnsynced(Path target, String text) throws IOException {
        writeUnsynced(target, out -> out.write(text.getBytes(StandardCharsets.UTF_8)));
    }

    /** Forces {@code file}'s content to disk (one written with {@link #writeUnsynced}, now final). */
    public static void sync(Path file) throws IOException {
        try (var channel = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
            channel.force(true);
        }
    }

    private static void write(Path target, Content content, boolean force) throws IOException {
        try {
            writeThroughTemporary(target, content, force);
        } catch (java.nio.file.FileSystemException e) {
            Path dir = target.toAbsolutePath().getParent();
            String why = dir != null && !Files.isDirectory(dir) ? "the folder " + dir + " does not exist"
                    : e.getReason() != null ? e.getReason().toLowerCase(java.util.Locale.ROOT)
                    : e instanceof java.nio.file.AccessDeniedException ? "permission denied" : io.deepnets.FailureText.describe(e);
            throw new io.deepnets.ExplainedIOException("cannot write " + target + ": " + why, e);
        }
    }

    private static void writeThroughTemporary(Path target, Content content, boolean force) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
        try {
            try {
                Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: keep the default permissions
            }
            try (OutputStream out = Files.newOutputStream(tmp)) {
                content.writeTo(out);
            }
            if (force) {
                sync(tmp);
            }
            FaultInjection.reach("atomic." + target.getFileName());
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Removes the temporary files a write killed half-way left directly in {@code dir} ({@code .<name><digits>.tmp}:
     * never the target itself, which is the previous version or absent) and returns them.
     */
    public static java.util.List<Path> removeLeftovers(Path dir) {
        java.util.List<Path> removed = new java.util.ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return removed;
        }
        try (var files = Files.list(dir)) {
            for (Path f : files.filter(f -> f.getFileName().toString().matches("\\..+\\.tmp") && Files.isRegularFile(f)).toList()) {
                Files.deleteIfExists(f);
                removed.add(f);
            }
        } catch (IOException e) {
            // left for the next start
        }
        return removed;
    }

    /** Removes {@code dir} and everything in it; nothing when it does not exist. */
    public static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (java.util.stream.Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
