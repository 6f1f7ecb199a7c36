package io.deepnets.serve;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import org.apache.james.mime4j.MimeException;
import org.apache.james.mime4j.parser.AbstractContentHandler;
import org.apache.james.mime4j.parser.MimeStreamParser;
import org.apache.james.mime4j.stream.BodyDescriptor;
import org.apache.james.mime4j.stream.Field;
import org.apache.james.mime4j.stream.MimeConfig;

/**
 * The image of a predict request: the request body itself, or the first file of a {@code multipart/form-data} body
 * (as {@code curl -F file=@digit.png} or an HTML form sends it), read with at most {@link #MAX_BYTES} bytes.
 */
final class ImageUpload {
    /** The largest upload accepted (a phone photo is a few MB). */
    static final int MAX_BYTES = 12 * 1024 * 1024;

    private ImageUpload() {
    }

    /** The bytes of the image in {@code body} (of {@code contentType}); 413 past the limit, 400 for an empty or unreadable upload. */
    static byte[] read(InputStream body, String contentType) throws IOException {
        byte[] raw = readLimited(body);
        if (contentType != null && contentType.toLowerCase(java.util.Locale.ROOT).startsWith("multipart/form-data")) {
            raw = firstFile(raw, contentType);
        }
        if (raw.length == 0) {
            throw ApiError.badRequest("the request has no image: send the image as the body, or as a multipart/form-data file");
        }
        return raw;
    }

    private static byte[] readLimited(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[65536];
        int n;
        while ((n = in.read(buf)) > 0) {
            if (out.size() + n > MAX_BYTES) {
                throw new ApiError(413, "the upload is larger than " + MAX_BYTES / (1024 * 1024) + " MB");
            }
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }

    private static byte[] firstFile(byte[] body, String contentType) throws IOException {
        MimeConfig config = new MimeConfig.Builder().setMaxLineLen(-1).setMaxHeaderLen(-1).setMaxContentLen(MAX_BYTES).build();
        MimeStreamParser parser = new MimeStreamParser(config);
        byte[][] found = {null};
        boolean[] fileHeader = {false};
        parser.setContentHandler(new AbstractContentHandler() {
            @Override
            public void startHeader() {
                fileHeader[0] = false;
            }

            @Override
            public void field(Field field) {
                if (field.getName().equalsIgnoreCase("Content-Disposition") && field.getBody().toLowerCase(java.util.Locale.ROOT).contains("filename")) {
                    fileHeader[0] = true;
                }
            }

            @Override
            public void body(BodyDescriptor bd, InputStream is) throws IOException {
                if (found[0] == null && fileHeader[0]) {
                    found[0] = is.readAllBytes();
                }
            }
        });
        byte[] header = ("Content-Type: " + contentType.replaceAll("[\r\n]", " ") + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        try {
            parser.parse(new SequenceInputStream(new ByteArrayInputStream(header), new ByteArrayInputStream(body)));
        } catch (MimeException | RuntimeException e) {
            throw ApiError.badRequest("the multipart body cannot be read (" + e.getMessage() + ")");
        }
        if (found[0] == null) {
            throw ApiError.badRequest("the multipart body has no file part (send it as e.g. curl -F file=@digit.png)");
        }
        return found[0];
    }
}
