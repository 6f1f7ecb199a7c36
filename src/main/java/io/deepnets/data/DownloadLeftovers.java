package io.deepnets.data;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * What a killed or failed download leaves in a data folder: {@code *.part} files (the download in progress) and
 * the dataset folder it created, now empty. Neither is data; both are removed when deepnets next looks in that
 * folder, and it says so. A folder that cannot be changed (a read-only data directory) is left as it is.
 */
final class DownloadLeftovers {
    private DownloadLeftovers() {
    }

    /** Removes {@code folder}'s partial downloads and then the folder itself if nothing else is in it. */
    static void sweep(Path folder, PrintStream progress) {
        if (!Files.isDirectory(folder)) {
            return;
        }
        try (Stream<Path> files = Files.list(folder)) {
            for (Path part : files.filter(f -> f.getFileName().toString().endsWith(".part") && Files.isRegularFile(f)).toList()) {
                Files.deleteIfExists(part);
                progress.println("removed " + part + " (left by an interrupted download)");
            }
        } catch (IOException e) {
            return;
        }
        try (Stream<Path> rest = Files.list(folder)) {
            List<Path> left = rest.limit(1).toList();
            if (left.isEmpty()) {
                Files.delete(folder);
                progress.println("removed the empty folder " + folder + " (left by a failed download)");
            }
        } catch (IOException e) {
            // read-only or in use: an empty folder is never taken for data, so leaving it is harmless
        }
    }
}
