package io.deepnets.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Finds the trained network {@code model.base} names: a run folder, its {@code model.zip}, or an experiment folder
 * (the newest finished run in it). Only the file names of the run folder's layout are known here; reading the network
 * is the runner's.
 */
public final class BaseNetwork {
    static final String MODEL = "model.zip";
    static final String CONFIG = "config.yaml";
    /** Written last into a finished run folder. */
    static final String COMPLETE = "metrics.json";

    private BaseNetwork() {
    }

    /** The base network's model.zip, absolute; its folder holds the config.yaml it was trained with. */
    public static Path locate(String key, String given) {
        Path p = Path.of(given).toAbsolutePath().normalize();
        if (Files.isRegularFile(p)) {
            if (!Files.isRegularFile(p.getParent().resolve(CONFIG))) {
                throw new ConfigException(key, given + " has no " + CONFIG + " beside it; give the run folder the network was trained in");
            }
            return p;
        }
        if (!Files.isDirectory(p)) {
            throw new ConfigException(key, given + ": no such run folder or model file");
        }
        if (Files.isRegularFile(p.resolve(MODEL))) {
            if (!Files.isRegularFile(p.resolve(CONFIG))) {
                throw new ConfigException(key, given + " has a " + MODEL + " but no " + CONFIG + "; give a deepnets run folder");
            }
            return p.resolve(MODEL);
        }
        return newestRun(p).map(r -> r.resolve(MODEL)).orElseThrow(() -> new ConfigException(key, given
                + " holds no finished run (a folder with " + MODEL + ", " + CONFIG + " and " + COMPLETE + "); run the base experiment first"));
    }

    /** SHA-256 of the base network's file, hex: what its provenance names and what is checked before its weights are used. */
    public static String sha256(Path file) {
        try (java.io.InputStream in = Files.newInputStream(file)) {
            java.security.MessageDigest digest = java.security.MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            for (int n = in.read(buffer); n > 0; n = in.read(buffer)) {
                digest.update(buffer, 0, n);
            }
            return java.util.HexFormat.of().formatHex(digest.digest());
        } catch (IOException e) {
            throw new ConfigException("model.base", file + ": cannot read (" + io.deepnets.FailureText.describe(e) + ")");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    private static Optional<Path> newestRun(Path experiment) {
        try (Stream<Path> runs = Files.list(experiment)) {
            // Real run folders only: a "latest" link would sort after every timestamp.
            return runs.filter(r -> Files.isDirectory(r, java.nio.file.LinkOption.NOFOLLOW_LINKS)).filter(r -> Files.isRegularFile(r.resolve(MODEL)) && Files.isRegularFile(r.resolve(CONFIG))
                    && Files.isRegularFile(r.resolve(COMPLETE))).max(Comparator.comparing(r -> r.getFileName().toString()));
        } catch (IOException e) {
            throw new ConfigException("model.base", experiment + ": cannot list (" + io.deepnets.FailureText.describe(e) + ")");
        }
    }
}
