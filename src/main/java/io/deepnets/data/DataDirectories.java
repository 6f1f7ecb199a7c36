package io.deepnets.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Where datasets are looked for, in order, and where extracted archives are cached. Each directory holds
 * {@code mnist/} and {@code cifar10/} folders laid out like the release files.
 *
 * @param searched the data directories in lookup order; a download goes into the first
 * @param cache where the CIFAR-10 archive is extracted once
 */
public record DataDirectories(List<Path> searched, Path cache) {
    public DataDirectories {
        searched = List.copyOf(searched);
    }

    /**
     * The lookup order: {@code --data-dir}, the config's {@code data.data_dir}, {@code $DEEPNETS_DATA}, then
     * {@code ~/.deepnets/data}. The cache is {@code $DEEPNETS_CACHE} or {@code ~/.deepnets/cache}.
     */
    public static DataDirectories resolve(Path cliDataDir, String configDataDir, Map<String, String> env) {
        Path home = Path.of(System.getProperty("user.home"), ".deepnets");
        List<Path> dirs = new ArrayList<>();
        if (cliDataDir != null) {
            dirs.add(folder(cliDataDir, "--data-dir"));
        }
        if (configDataDir != null) {
            dirs.add(folder(Path.of(expandHome(configDataDir)), "data.data_dir"));
        }
        String fromEnv = env.get("DEEPNETS_DATA");
        if (fromEnv != null && !fromEnv.isBlank()) {
            dirs.add(Path.of(expandHome(fromEnv)));
        }
        dirs.add(home.resolve("data"));
        String cacheEnv = env.get("DEEPNETS_CACHE");
        Path cache = cacheEnv != null && !cacheEnv.isBlank() ? Path.of(expandHome(cacheEnv)) : home.resolve("cache");
        return new DataDirectories(dirs.stream().map(p -> p.toAbsolutePath().normalize()).distinct().toList(), cache.toAbsolutePath().normalize());
    }

    private static Path folder(Path dir, String option) {
        if (java.nio.file.Files.exists(dir) && !java.nio.file.Files.isDirectory(dir)) {
            throw new DataException(option + " " + dir + ": is a file, expected a data folder (holding mnist/, cifar10/, ...)");
        }
        return dir;
    }

    private static String expandHome(String path) {
        return path.startsWith("~/") ? System.getProperty("user.home") + path.substring(1) : path;
    }
}
