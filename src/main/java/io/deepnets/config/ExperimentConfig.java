package io.deepnets.config;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One experiment: everything needed to train, evaluate and report a model. Built by {@link ConfigLoader};
 * every section has validated itself, so an instance is always runnable.
 *
 * @param name the experiment's name, shown in reports; it names the run folder (see {@link #folderName()})
 * @param description free text shown in reports (may be empty)
 * @param seed drives weight initialisation, dropout and shuffling
 */
public record ExperimentConfig(String name, String description, long seed, DataConfig data, ModelConfig model,
        OptimizerConfig optimizer, TrainingConfig training) {

    private static final Pattern UNSAFE = Pattern.compile("[^A-Za-z0-9._-]");

    public ExperimentConfig {
        if (name.isBlank() || name.length() > 100 || name.chars().anyMatch(Character::isISOControl)) {
            throw new ConfigException("name", "expected a name of 1 to 100 printable characters, got '" + name + "'");
        }
    }

    /** The run folder's name: the experiment name with every character other than letters, digits, '.', '_', '-' as '_'. */
    public String folderName() {
        String safe = UNSAFE.matcher(name).replaceAll("_");
        return safe.startsWith(".") ? "_" + safe.substring(1) : safe;
    }

    /** The resolved config, every default filled in, in the order a user would write it. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        if (!description.isEmpty()) {
            m.put("description", description);
        }
        m.put("seed", seed);
        m.put("data", data.toMap());
        m.put("model", model.toMap());
        m.put("optimizer", optimizer.toMap());
        m.put("training", training.toMap());
        return m;
    }
}
