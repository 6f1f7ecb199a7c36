package io.deepnets.run;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@code deepnets run} was asked to do.
 *
 * @param config the experiment YAML
 * @param overrides {@code key.path=value} assignments, applied in order
 * @param dataDir {@code --data-dir}, or null
 * @param outDir where run folders go ({@code reports/} by default)
 */
public record RunRequest(Path config, List<String> overrides, Path dataDir, Path outDir) {
    public RunRequest {
        overrides = List.copyOf(overrides);
    }
}
