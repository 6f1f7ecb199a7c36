package io.deepnets;

import java.io.EOFException;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.Locale;

/**
 * What went wrong, in words a user reads: Java's I/O exceptions carry a class name ({@code NoSuchFileException})
 * and a bare path or a decoder's "Input length = 1" as their message, which say neither what happened nor to what;
 * others have no message at all. Every message shown to a user about a low-level failure goes through here, so no
 * Java class name reaches the console.
 */
public final class FailureText {
    private FailureText() {
    }

    /**
     * The failure in words, naming the file the exception names, if any ("/a/b: no such file or folder",
     * "not UTF-8 text", "unknown host example.org").
     */
    public static String describe(Throwable failure) {
        Throwable e = failure instanceof UncheckedIOException u && u.getCause() != null ? u.getCause() : failure;
        if (e instanceof ExplainedIOException) {
            return e.getMessage();
        }
        if (e instanceof NoSuchFileException n) {
            return named(n.getFile(), "no such file or folder");
        }
        if (e instanceof AccessDeniedException a) {
            return named(a.getFile(), "permission denied");
        }
        if (e instanceof FileAlreadyExistsException f) {
            return named(f.getFile(), "already exists");
        }
        if (e instanceof NotDirectoryException n) {
            return named(n.getFile(), "not a folder");
        }
        if (e instanceof DirectoryNotEmptyException d) {
            return named(d.getFile(), "the folder is not empty");
        }
        if (e instanceof FileSystemLoopException l) {
            return named(l.getFile(), "a loop of links");
        }
        if (e instanceof FileSystemException f) {
            String reason = f.getReason() == null ? "the file system refused the operation" : f.getReason().toLowerCase(Locale.ROOT);
            return named(f.getFile(), reason);
        }
        if (e instanceof CharacterCodingException) {
            return "not UTF-8 text (a binary file, or text in another encoding)";
        }
        if (e instanceof EOFException) {
            return "the file ends too early (truncated)";
        }
        if (e instanceof java.net.UnknownHostException) {
            return "unknown host " + e.getMessage() + " (no network, or a wrong address)";
        }
        if (e instanceof java.net.ConnectException) {
            return "the server could not be reached (connection refused or no network)";
        }
        if (e instanceof java.net.http.HttpTimeoutException || e instanceof java.net.SocketTimeoutException) {
            return "the connection timed out";
        }
        if (e instanceof java.nio.channels.ClosedByInterruptException || e instanceof java.io.InterruptedIOException) {
            return "interrupted";
        }
        String m = e.getMessage();
        if (m == null || m.isBlank()) {
            return words(e);
        }
        return m;
    }

    /**
     * {@code context: what went wrong}, or only the failure's own message when it already says what failed where
     * (an {@link ExplainedIOException}), so the file is not named twice.
     */
    public static String explain(String context, Throwable failure) {
        return failure instanceof ExplainedIOException ? failure.getMessage() : context + ": " + describe(failure);
    }

    private static String named(String file, String what) {
        return file == null || file.isBlank() ? what : file + ": " + what;
    }

    /** "ZipException" -> "zip error": what happened, without the Java type. */
    private static String words(Throwable t) {
        return typeInWords(t) + " error";
    }

    /** "NullPointerException" -> "null pointer": the kind of failure in words, without the Java type. */
    public static String typeInWords(Throwable t) {
        String name = t.getClass().getSimpleName().replaceAll("(Exception|Error)$", "");
        return name.replaceAll("([a-z])([A-Z])", "$1 $2").toLowerCase(Locale.ROOT);
    }
}
