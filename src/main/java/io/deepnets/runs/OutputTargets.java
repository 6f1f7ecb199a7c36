package io.deepnets.runs;

import io.deepnets.BadInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Where a command is told to write ({@code --out}, {@code --json}, {@code --show-input}) is checked before any
 * work: a file where a folder is expected, a folder where a file is expected, or existing files that would be
 * replaced are refused with one line, unless the user passed {@code --force}. Nothing finished is overwritten by
 * accident.
 */
public final class OutputTargets {
    private OutputTargets() {
    }

    /** {@code file} (given as {@code option}) is about to be written. */
    public static void checkFile(Path file, String option, boolean force) {
        if (Files.isDirectory(file)) {
            throw new BadInputException(option + " " + file + ": is a folder, expected a file name");
        }
        if (Files.exists(file) && !force) {
            throw new BadInputException(option + " " + file + ": the file exists; pass --force to replace it");
        }
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null && Files.exists(parent) && !Files.isDirectory(parent)) {
            throw new BadInputException(option + " " + file + ": " + parent + " is a file, not a folder");
        }
        if (parent != null && !Files.isDirectory(parent)) {
            throw new BadInputException(option + " " + file + ": the folder " + parent + " does not exist; create it first or name another file");
        }
        if (parent != null && !Files.isWritable(parent)) {
            throw new BadInputException(option + " " + file + ": cannot write into " + parent + " (permission denied)");
        }
    }

    /** {@code dir} (given as {@code option}) must be a folder or creatable as one. */
    public static void checkFolder(Path dir, String option) {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new BadInputException(option + " " + dir + ": is a file, expected a folder");
        }
        for (Path p = dir.toAbsolutePath().getParent(); p != null; p = p.getParent()) {
            if (Files.exists(p) && !Files.isDirectory(p)) {
                throw new BadInputException(option + " " + dir + ": " + p + " is a file, not a folder");
            }
        }
        Path existing = dir.toAbsolutePath();
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing != null && !Files.isWritable(existing)) {
            throw new BadInputException(option + " " + dir + ": cannot write into " + existing + " (permission denied)");
        }
    }

    /**
     * {@code dir} will receive files named {@code names}: refused when any of them exists (unless {@code force}),
     * naming the first and how many.
     */
    public static void checkNothingInTheWay(Path dir, String option, List<String> names, boolean force) {
        checkFolder(dir, option);
        if (force || !Files.isDirectory(dir)) {
            return;
        }
        List<String> existing = names.stream().filter(n -> Files.exists(dir.resolve(n))).toList();
        if (!existing.isEmpty()) {
            throw new BadInputException(option + " " + dir + ": " + existing.size() + " file(s) would be overwritten (" + existing.get(0)
                    + (existing.size() > 1 ? ", ..." : "") + "); choose another folder or pass --force");
        }
    }

    /**
     * Two different inputs whose outputs would get one name ({@code a/7.png} and {@code b/7.png}, or {@code 7.png} and
     * {@code 7.jpg}, both giving {@code 7-input.png}): the second would silently replace the first. Refused, naming both.
     */
    public static void checkDistinctOutputs(String option, List<Path> inputs, java.util.function.Function<Path, String> outputName) {
        java.util.Map<String, Path> seen = new java.util.HashMap<>();
        for (Path input : inputs) {
            Path earlier = seen.putIfAbsent(outputName.apply(input), input);
            if (earlier != null && !earlier.toAbsolutePath().normalize().equals(input.toAbsolutePath().normalize())) {
                throw new BadInputException(option + ": " + earlier + " and " + input + " would both be written as " + outputName.apply(input)
                        + "; rename one of them or run them apart");
            }
        }
    }

    /** {@code dir} (described as {@code what}) exists and will be written into: refused before the work when it cannot be. */
    public static void checkWritable(Path dir, String what) {
        if (!Files.isWritable(dir)) {
            throw new BadInputException(dir + ": cannot write into " + what + " (permission denied or read-only)");
        }
    }

    /** Whether {@code dir} holds anything (a missing folder holds nothing). */
    public static boolean hasFiles(Path dir) {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isPresent();
        } catch (IOException e) {
            return true;
        }
    }
}
