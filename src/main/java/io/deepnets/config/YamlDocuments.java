package io.deepnets.config;

import io.deepnets.BadInputException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * The one way deepnets reads a YAML document (experiment, suite and sweep files, {@code --set} values): a
 * regular file of at most {@link #MAX_BYTES}, strict UTF-8, SnakeYAML's safe constructor with every limit set
 * explicitly, and no self-referencing structure. A file that breaks a limit is refused before it is parsed, so
 * {@code /dev/zero}, a 50 MB string or an alias bomb costs a line of output, not minutes of CPU or the heap.
 */
public final class YamlDocuments {
    /** The largest config file read: the assignment's configs are under 2 KB. */
    public static final int MAX_BYTES = 1 << 20;
    /** Nesting deeper than this is no experiment config. */
    static final int MAX_DEPTH = 50;
    /** Aliases per document: configs need none; a few are harmless, an alias bomb needs thousands. */
    static final int MAX_ALIASES = 50;

    private YamlDocuments() {
    }

    /** The text of {@code file}, a {@code what} ("config file", "suite file"), checked before it is read. */
    public static String readFile(Path file, String what) {
        if (!Files.exists(file)) {
            throw new BadInputException(file + ": no such " + what);
        }
        if (Files.isDirectory(file)) {
            throw new BadInputException(file + ": is a folder, expected a " + what + " (YAML)");
        }
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(file)) {
            throw new BadInputException(file + ": not a regular file (a device, pipe or socket); expected a " + what + " (YAML)");
        }
        try {
            long size = Files.size(file);
            if (size > MAX_BYTES) {
                throw new BadInputException(file + ": " + size + " bytes is too large for a " + what + " (at most " + MAX_BYTES + " bytes)");
            }
            byte[] bytes = Files.readAllBytes(file);
            if (bytes.length > MAX_BYTES) {
                throw new BadInputException(file + ": too large for a " + what + " (at most " + MAX_BYTES + " bytes)");
            }
            return decodeUtf8(bytes, file);
        } catch (NoSuchFileException e) {
            throw new BadInputException(file + ": no such " + what);
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot read the " + what + " (" + io.deepnets.FailureText.describe(e) + ")");
        }
    }

    private static String decodeUtf8(byte[] bytes, Path file) {
        java.nio.charset.CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        java.nio.CharBuffer out = java.nio.CharBuffer.allocate(bytes.length + 1);
        java.nio.charset.CoderResult result = decoder.decode(in, out, true);
        if (result.isError()) {
            // The decoder stops at the first byte of the malformed sequence.
            throw new BadInputException(file + ": not UTF-8 text (invalid byte 0x" + String.format("%02X", bytes[in.position()] & 0xFF)
                    + " at offset " + in.position() + "); save the file as UTF-8");
        }
        decoder.flush(out);
        return out.flip().toString();
    }

    /** Parses YAML text into maps, lists and scalars; errors carry no file name (callers add it). */
    public static Object parse(String text) {
        if (text.length() > MAX_BYTES) {
            throw new ConfigException("", "the text is too long (" + text.length() + " characters; at most " + MAX_BYTES + ")");
        }
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setMaxAliasesForCollections(MAX_ALIASES);
        options.setAllowRecursiveKeys(false);
        options.setNestingDepthLimit(MAX_DEPTH);
        options.setCodePointLimit(MAX_BYTES);
        Object root;
        try {
            root = new Yaml(new SafeConstructor(options)).load(text);
        } catch (MarkedYAMLException e) {
            String where = e.getProblemMark() == null ? "" : "line " + (e.getProblemMark().getLine() + 1) + ", column "
                    + (e.getProblemMark().getColumn() + 1) + ": ";
            throw new ConfigException("", "YAML syntax error at " + where + e.getProblem());
        } catch (YAMLException e) {
            throw new ConfigException("", "not valid YAML: " + e.getMessage().lines().findFirst().orElse(""));
        } catch (StackOverflowError e) {
            throw new ConfigException("", "the YAML is nested too deeply");
        }
        checkAcyclic(root, Collections.newSetFromMap(new IdentityHashMap<>()), 0);
        return root;
    }

    /** A recursive alias ({@code a: &x [*x]}) makes a list that contains itself: refused before anything walks it. */
    private static void checkAcyclic(Object node, Set<Object> path, int depth) {
        if (!(node instanceof Map<?, ?>) && !(node instanceof List<?>)) {
            return;
        }
        if (depth > MAX_DEPTH) {
            throw new ConfigException("", "the YAML is nested more than " + MAX_DEPTH + " levels deep");
        }
        if (!path.add(node)) {
            throw new ConfigException("", "a YAML alias refers to a section that contains it (a recursive alias)");
        }
        if (node instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> e : map.entrySet()) {
                checkAcyclic(e.getKey(), path, depth + 1);
                checkAcyclic(e.getValue(), path, depth + 1);
            }
        } else {
            for (Object v : (List<?>) node) {
                checkAcyclic(v, path, depth + 1);
            }
        }
        path.remove(node);
    }
}
