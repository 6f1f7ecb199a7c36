package io.deepnets.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

/**
 * Fetches a file over HTTP(S) into a temporary file beside its target, shows a progress bar, checks the MD5,
 * and only then moves it into place: an interrupted or wrong download never looks like a dataset file.
 */
final class Downloader {
    private final HttpClient client = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(15))
            .followRedirects(HttpClient.Redirect.NORMAL)
            .build();
    private final PrintStream progress;

    Downloader(PrintStream progress) {
        this.progress = progress;
    }

    /** Downloads {@code url} to {@code target}; throws IOException with a short reason when it cannot. */
    void fetch(String url, Path target, String expectedMd5) throws IOException {
        Files.createDirectories(target.getParent());
        Path tmp = Files.createTempFile(target.getParent(), target.getFileName().toString(), ".part");
        try {
            HttpResponse<InputStream> response;
            try {
                response = client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(10)).GET().build(),
                        HttpResponse.BodyHandlers.ofInputStream());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted");
            }
            if (response.statusCode() != 200) {
                response.body().close();
                throw new IOException("HTTP " + response.statusCode());
            }
            long total = response.headers().firstValueAsLong("Content-Length").orElse(-1);
            try (InputStream in = response.body(); OutputStream out = Files.newOutputStream(tmp)) {
                byte[] buf = new byte[1 << 16];
                long done = 0;
                long lastShown = 0;
                for (int n; (n = in.read(buf)) > 0; ) {
                    out.write(buf, 0, n);
                    done += n;
                    if (done - lastShown > (1 << 20) || done == total) {
                        showProgress(target.getFileName().toString(), done, total);
                        lastShown = done;
                    }
                }
                progress.println();
            }
            String md5 = Checksums.md5(tmp);
            if (expectedMd5 != null && !expectedMd5.equals(md5)) {
                throw new IOException("checksum mismatch (MD5 " + md5 + ", expected " + expectedMd5 + ")");
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private void showProgress(String name, long done, long total) {
        if (total > 0) {
            int width = 30;
            int filled = (int) (width * done / total);
            progress.printf("\rdownloading %s [%s%s] %d/%d MB", name, "=".repeat(filled), ".".repeat(width - filled),
                    done >> 20, total >> 20);
        } else {
            progress.printf("\rdownloading %s %d MB", name, done >> 20);
        }
        progress.flush();
    }
}
