package io.deepnets.report;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Links between the files of a report. Pages are opened from disk, so every link is relative and each path
 * segment is percent-encoded: a run named {@code a b#1} still resolves. HTML escaping is the templates' job
 * (jte escapes every {@code ${...}}), so nothing here escapes.
 */
public final class RelativeLinks {
    private RelativeLinks() {
    }

    /** {@code relativePath} ('/'-separated) with each segment percent-encoded. */
    public static String href(String relativePath) {
        StringBuilder sb = new StringBuilder();
        for (String part : relativePath.split("/", -1)) {
            if (sb.length() > 0) {
                sb.append('/');
            }
            sb.append(URLEncoder.encode(part, StandardCharsets.UTF_8).replace("+", "%20"));
        }
        return sb.toString();
    }

    /** The '/'-separated path from folder {@code from} to {@code to}. */
    public static String relative(Path from, Path to) {
        return from.toAbsolutePath().normalize().relativize(to.toAbsolutePath().normalize()).toString().replace('\\', '/');
    }
}
