package io.deepnets.config;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The schedule of {@code model.fit}.
 *
 * @param batchSize samples per gradient step
 * @param epochs passes over the training part
 * @param shuffle reshuffle the training part (never the validation part) every epoch, with the run's seed
 * @param earlyStopping Keras's EarlyStopping, or null
 * @param plateau Keras's ReduceLROnPlateau, or null
 * @param bestCheckpoint Keras's ModelCheckpoint(save_best_only=True), or null
 * @param schedule the learning-rate schedule (written under {@code optimizer.schedule}), or null
 */
public record TrainingConfig(int batchSize, int epochs, boolean shuffle, TrainingCallbacks.EarlyStopping earlyStopping,
        TrainingCallbacks.ReduceLrOnPlateau plateau, TrainingCallbacks.BestCheckpoint bestCheckpoint, TrainingCallbacks.Schedule schedule) {

    public TrainingConfig(int batchSize, int epochs, boolean shuffle) {
        this(batchSize, epochs, shuffle, null, null, null, null);
    }

    /** The same schedule of training with {@code n} epochs. */
    public TrainingConfig withEpochs(int n) {
        return new TrainingConfig(batchSize, n, shuffle, earlyStopping, plateau, bestCheckpoint, schedule);
    }

    public TrainingConfig {
        if (schedule != null && plateau != null) {
            throw new ConfigException("training.reduce_lr_on_plateau", "cannot be combined with optimizer.schedule (as in Keras, "
                    + "the plateau sets the rate that a schedule would compute)");
        }
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
        if (earlyStopping != null) {
            m.put("early_stopping", earlyStopping.toMap());
        }
        if (plateau != null) {
            m.put("reduce_lr_on_plateau", plateau.toMap());
        }
        if (bestCheckpoint != null) {
            m.put("checkpoint", bestCheckpoint.toMap());
        }
        return m;
    }
}
