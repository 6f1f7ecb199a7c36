package io.deepnets.config;

import io.deepnets.BadInputException;

/**
 * A config value that is missing, of the wrong type, out of range, or that DL4J cannot honour. Carries the
 * key path ({@code model.layers[2].kernel_size}) so the message names exactly what to fix; the loader adds
 * the file name.
 */
public final class ConfigException extends BadInputException {
    private final String keyPath;
    private final String problem;

    public ConfigException(String keyPath, String problem) {
        super(keyPath.isEmpty() ? problem : keyPath + ": " + problem);
        this.keyPath = keyPath;
        this.problem = problem;
    }

    private ConfigException(String file, String keyPath, String problem) {
        super(file + ": " + (keyPath.isEmpty() ? problem : keyPath + ": " + problem));
        this.keyPath = keyPath;
        this.problem = problem;
    }

    /** The dotted key path of the offending value, empty for the document as a whole. */
    public String keyPath() {
        return keyPath;
    }

    /** What is wrong and what is expected, without the key path. */
    public String problem() {
        return problem;
    }

    /** The same error located under a parent key path (records validate their own keys without knowing where they sit). */
    public ConfigException under(String parent) {
        return new ConfigException(keyPath.isEmpty() ? parent : parent + "." + keyPath, problem);
    }

    /** The same error, its message prefixed with the file it came from. */
    public ConfigException inFile(String file) {
        return new ConfigException(file, keyPath, problem);
    }
}
