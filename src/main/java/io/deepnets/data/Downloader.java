package io.deepnets.data;

import io.deepnets.FailureText;
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
 * Fetches a file over HTTP(S) into a temporary file beside its target, shows a progress bar, checks the length the
 * server announced and the MD5, and only then moves it into place: an interrupted, short or wrong download never
 * looks like a dataset file. A folder the download created is removed again when it fails, so nothing is left to
 * report on the next run.
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

    /** A download that failed; the message says what happened in words (no Java class names). */
    static final class DownloadFailure extends io.deepnets.ExplainedIOException {
        DownloadFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Downloads {@code url} to {@code target}; throws {@link DownloadFailure} saying what went wrong when it cannot. */
    void fetch(String url, Path target, String expectedMd5) throws DownloadFailure {
        Path folder = target.toAbsolutePath().getParent();
        boolean created = !Files.exists(folder);
        try {
            Files.createDirectories(folder);
        } catch (IOException e) {
            throw new DownloadFailure("cannot create " + folder + " (" + FailureText.describe(e) + ")", e);
        }
        Path tmp = null;
        try {
            tmp = Files.createTempFile(folder, target.getFileName().toString(), ".part");
            download(url, tmp, target.getFileName().toString(), expectedMd5);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (DownloadFailure e) {
            throw e;
        } catch (IOException e) {
            throw new DownloadFailure("cannot save it in " + folder + " (" + FailureText.describe(e) + ")", e);
        } finally {
            removeQuietly(tmp);
            if (created) {
                removeIfEmpty(folder);
            }
        }
    }

    private void download(String url, Path tmp, String name, String expectedMd5) throws IOException {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new DownloadFailure("not a valid address", e);
        }
        HttpResponse<InputStream> response;
        try {
            response = client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(10)).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DownloadFailure("interrupted", e);
        } catch (IOException | IllegalArgumentException e) {
            throw new DownloadFailure(unreachable(uri, e), e);
        }
        if (response.statusCode() != 200) {
            response.body().close();
            throw new DownloadFailure("the server answered HTTP " + response.statusCode() + httpMeaning(response.statusCode()), null);
        }
        long total = response.headers().firstValueAsLong("Content-Length").orElse(-1);
        long done = 0;
        try (InputStream in = response.body(); OutputStream out = Files.newOutputStream(tmp)) {
            byte[] buf = new byte[1 << 16];
            long lastShown = 0;
            for (int n; (n = in.read(buf)) > 0; ) {
                out.write(buf, 0, n);
                done += n;
                if (done - lastShown > (1 << 20) || done == total) {
                    showProgress(name, done, total);
                    lastShown = done;
                }
            }
        } catch (IOException e) {
            progress.println();
            if (Files.exists(tmp) && e instanceof java.nio.file.FileSystemException) {
                throw e;
            }
            throw new DownloadFailure("the connection broke after " + bytes(done) + (total > 0 ? " of " + bytes(total) : "") + " ("
                    + FailureText.describe(e) + ")", e);
        }
        progress.println();
        if (total >= 0 && done != total) {
            throw new DownloadFailure("cut short: received " + bytes(done) + " of the " + bytes(total) + " the server announced", null);
        }
        String md5 = Checksums.md5(tmp);
        if (expectedMd5 != null && !expectedMd5.equals(md5)) {
            throw new DownloadFailure("the received file is not the expected one (MD5 " + md5 + ", expected " + expectedMd5 + ")", null);
        }
    }

    private static String unreachable(URI uri, Exception e) {
        String host = uri.getHost() == null ? String.valueOf(uri) : uri.getHost();
        if (e instanceof java.net.UnknownHostException) {
            return "unknown host " + host + " (no network, or no such server)";
        }
        if (e instanceof java.net.ConnectException) {
            return "cannot connect to " + host + " (no network, or the server refused the connection)";
        }
        if (e instanceof java.net.http.HttpTimeoutException) {
            return "no answer from " + host + " in time";
        }
        if (e instanceof IllegalArgumentException) {
            return "not a valid address";
        }
        return "cannot reach " + host + " (" + FailureText.describe(e) + ")";
    }

    private static String httpMeaning(int status) {
        return switch (status) {
            case 403 -> " (forbidden)";
            case 404 -> " (not found)";
            case 429 -> " (too many requests; try again later)";
            case 500, 502, 503, 504 -> " (a server error; try again later)";
            default -> "";
        };
    }

    private static String bytes(long n) {
        return String.format(java.util.Locale.ROOT, "%,d bytes", n);
    }

    private static void removeQuietly(Path file) {
        if (file == null) {
            return;
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // a .part file left behind is removed by DownloadLeftovers on the next run
        }
    }

    private static void removeIfEmpty(Path folder) {
        try (java.util.stream.Stream<Path> rest = Files.list(folder)) {
            if (rest.findAny().isEmpty()) {
                Files.delete(folder);
            }
        } catch (IOException e) {
            // an empty folder is never taken for data, and DownloadLeftovers removes it on the next run
        }
    }

    private void showProgress(String name, long done, long total) {
        if (total > 0) {
            int width = 30;
            int filled = (int) (width * Math.min(done, total) / total);
            progress.printf("\rdownloading %s [%s%s] %d/%d MB", name, "=".repeat(filled), ".".repeat(width - filled),
                    done >> 20, total >> 20);
        } else {
            progress.printf("\rdownloading %s %d MB", name, done >> 20);
        }
        progress.flush();
    }
}
