package io.deepnets.data;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * Extracts {@code cifar-10-binary.tar.gz} once into a cache folder keyed by the archive's SHA-256. Only the
 * release's known files are written; an entry whose path would leave the target folder (absolute, {@code ..},
 * links) is an error. Extraction goes to a temporary folder that is renamed into place when complete.
 */
final class CifarArchive {
    static final String FOLDER = "cifar-10-batches-bin";
    static final Set<String> MEMBERS = Set.of("data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin",
            "data_batch_5.bin", "test_batch.bin", "batches.meta.txt");

    private CifarArchive() {
    }

    /** The folder holding the extracted batch files, extracting the archive into {@code cache} if needed. */
    static Path extracted(Path archive, String archiveSha256, Path cache) {
        Path target = cache.resolve("cifar10-" + archiveSha256.substring(0, 16));
        Path batches = target.resolve(FOLDER);
        if (Files.isDirectory(batches)) {
            return batches;
        }
        Path tmp = null;
        try {
            Files.createDirectories(cache);
            tmp = Files.createTempDirectory(cache, "extracting-");
            extract(archive, tmp);
            for (String member : MEMBERS) {
                if (!member.endsWith(".txt") && !Files.exists(tmp.resolve(FOLDER).resolve(member))) {
                    throw new DataException(archive + ": the archive has no " + FOLDER + "/" + member);
                }
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (java.nio.file.FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException e) {
                // another process finished the same extraction first
            }
            return batches;
        } catch (IOException e) {
            throw new DataException(archive + ": cannot extract into " + cache + " (" + io.deepnets.FailureText.describe(e) + ")", e);
        } finally {
            if (tmp != null) {
                deleteTree(tmp);
            }
        }
    }

    static void extract(Path archive, Path into) throws IOException {
        Path root = into.toAbsolutePath().normalize();
        try (InputStream file = new BufferedInputStream(Files.newInputStream(archive), 1 << 16);
             TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(file))) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                String name = entry.getName();
                Path dest = root.resolve(name).normalize();
                if (name.startsWith("/") || !dest.startsWith(root)) {
                    throw new DataException(archive + ": unsafe path in archive: '" + name + "' would be written outside " + root);
                }
                if (entry.isDirectory()) {
                    continue;
                }
                Path rel = root.relativize(dest);
                boolean known = rel.getNameCount() == 2 && rel.getName(0).toString().equals(FOLDER)
                        && MEMBERS.contains(rel.getFileName().toString());
                if (!known) {
                    continue;
                }
                if (!entry.isFile() || entry.isSymbolicLink() || entry.isLink() || entry.isCharacterDevice() || entry.isBlockDevice()
                        || entry.isFIFO()) {
                    throw new DataException(archive + ": '" + name + "' is a link or special file, expected a plain file");
                }
                Files.createDirectories(dest.getParent());
                Files.copy(tar, dest, StandardCopyOption.REPLACE_EXISTING);
                if (Files.size(dest) != entry.getSize()) {
                    throw new DataException(archive + ": '" + name + "' is truncated in the archive");
                }
            }
        } catch (IOException e) {
            if (e.getCause() instanceof DataException d) {
                throw d;
            }
            throw new DataException(archive + ": corrupt or truncated archive (" + io.deepnets.FailureText.describe(e) + ")", e);
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException ignored) {
            // a leftover temporary folder is harmless; the next run extracts again
        }
    }

    static List<String> trainFiles() {
        return List.of("data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin");
    }
}
