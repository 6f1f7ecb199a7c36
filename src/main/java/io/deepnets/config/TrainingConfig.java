package io.deepnets.config;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The schedule of {@code model.fit}.
 *
 * @param batchSize samples per gradient step
 * @param epochs passes over the training part
 * @param shuffle reshuffle the training part (never the validation part) every epoch, with the run's seed
 */
public record TrainingConfig(int batchSize, int epochs, boolean shuffle) {
    public TrainingConfig {
        if (batchSize < 1) {
            throw new ConfigException("training.batch_size", "expected a positive integer, got " + batchSize);
        }
        if (epochs < 1) {
            throw new ConfigException("training.epochs", "expected a positive integer, got " + epochs);
        }
    }

    Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("batch_size", batchSize);
        m.put("epochs", epochs);
        m.put("shuffle", shuffle);
        return m;
    }
}
