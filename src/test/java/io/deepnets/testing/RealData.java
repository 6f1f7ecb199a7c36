package io.deepnets.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * Locates the real MNIST / CIFAR-10 files through {@code DEEPNETS_DATA}. Where they cannot be found the test is
 * skipped with the reason, except under CI ({@code CI=true}), where missing data is a failure.
 */
public final class RealData {
    private RealData() {
    }

    public static Path dir() {
        String env = System.getenv("DEEPNETS_DATA");
        String problem = null;
        if (env == null || env.isBlank()) {
            problem = "DEEPNETS_DATA is not set";
        } else if (!Files.isDirectory(Path.of(env, "mnist")) || !Files.isDirectory(Path.of(env, "cifar10"))) {
            problem = "DEEPNETS_DATA=" + env + " has no mnist/ and cifar10/ folders";
        }
        if (problem != null) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail("real data required under CI: " + problem);
            }
            Assumptions.abort("skipped: real data not found (" + problem + ")");
        }
        return Path.of(env).toAbsolutePath();
    }
}
