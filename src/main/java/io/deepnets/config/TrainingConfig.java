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
 * @param fineTune the second phase of transfer learning, after {@code epochs}, or null
 * @param swa stochastic weight averaging over the last epochs, or null
 */
public record TrainingConfig(int batchSize, int epochs, boolean shuffle, TrainingCallbacks.EarlyStopping earlyStopping,
        TrainingCallbacks.ReduceLrOnPlateau plateau, TrainingCallbacks.BestCheckpoint bestCheckpoint, TrainingCallbacks.Schedule schedule,
        FineTune fineTune, Swa swa) {

    /**
     * Stochastic weight averaging (Izmailov et al. 2018), as PyTorch's {@code torch.optim.swa_utils} runs it (Keras has
     * none; TensorFlow Addons' {@code SWA} optimizer did the averaging without the rest): from 0-based epoch
     * {@code round(start * epochs)} on, the optimizer's rate is the constant {@code learning_rate} ({@code SWALR} with
     * {@code anneal_epochs=0}) and the weights at the end of every epoch join a running average ({@code AveragedModel}:
     * {@code avg + (w - avg) / (n + 1)}); after the last epoch the network takes the average, and each batch
     * normalisation's moving statistics are recomputed for it ({@code update_bn}: one training-mode pass over the training
     * data as an epoch feeds it, augmented, the statistics the plain mean of the batches'), since the averaged weights
     * were never trained with the moving statistics they would otherwise inherit. The start is a fraction of
     * {@code training.epochs}, as {@code multistep}'s milestones are, so the recipe stretches with the epochs.
     *
     * @param start the fraction of {@code training.epochs} after which averaging starts, in (0, 1)
     * @param learningRate the constant rate of the averaged epochs
     */
    public record Swa(double start, double learningRate) {
        public Swa {
            if (!(start > 0 && start < 1)) {
                throw new ConfigException("training.swa.start", "expected a fraction of training.epochs between 0 and 1, got " + start);
            }
            if (!(learningRate > 0 && Double.isFinite(learningRate))) {
                throw new ConfigException("training.swa.learning_rate", "expected a positive rate, got " + learningRate);
            }
        }

        /** The first averaged epoch, 0-based, of a run of {@code epochs}: {@code round(start * epochs)}, at most the last. */
        public int firstEpoch(int epochs) {
            return (int) Math.min(epochs - 1, Math.round(start * epochs));
        }

        Map<String, Object> toMap() {
            return ConfigMaps.of("start", start, "learning_rate", learningRate);
        }
    }

    /**
     * Keras's fine-tuning, the second phase of transfer learning: once the new layers have trained on the frozen base
     * ({@code epochs}), the top of the base is unfrozen and training goes on at a low learning rate, as Keras's guide does
     * it ({@code base.trainable = True} for the layers after {@code frozen}, {@code compile} with a new optimizer of the
     * same kind at {@code learning_rate}, {@code fit} for {@code epochs} more). The new optimizer starts from zero state,
     * as Keras's recompiled one does (batch normalisation: {@link ExperimentConfig#fineTuning()}).
     *
     * @param epochs epochs of the second phase
     * @param frozen leading layers that stay frozen, fewer than the first phase froze
     * @param learningRate the second phase's constant rate
     */
    public record FineTune(int epochs, int frozen, double learningRate) {
        public FineTune {
            if (epochs < 1) {
                throw new ConfigException("training.fine_tune.epochs", "expected a positive integer, got " + epochs);
            }
            if (frozen < 0) {
                throw new ConfigException("training.fine_tune.freeze", "expected a layer count of at least 0, got " + frozen);
            }
            if (!(learningRate > 0 && Double.isFinite(learningRate))) {
                throw new ConfigException("training.fine_tune.learning_rate", "expected a positive rate, got " + learningRate);
            }
        }

        Map<String, Object> toMap() {
            return ConfigMaps.of("epochs", epochs, "freeze", frozen, "learning_rate", learningRate);
        }
    }

    public TrainingConfig(int batchSize, int epochs, boolean shuffle, TrainingCallbacks.EarlyStopping earlyStopping,
            TrainingCallbacks.ReduceLrOnPlateau plateau, TrainingCallbacks.BestCheckpoint bestCheckpoint, TrainingCallbacks.Schedule schedule) {
        this(batchSize, epochs, shuffle, earlyStopping, plateau, bestCheckpoint, schedule, null, null);
    }

    public TrainingConfig(int batchSize, int epochs, boolean shuffle, TrainingCallbacks.EarlyStopping earlyStopping,
            TrainingCallbacks.ReduceLrOnPlateau plateau, TrainingCallbacks.BestCheckpoint bestCheckpoint, TrainingCallbacks.Schedule schedule,
            FineTune fineTune) {
        this(batchSize, epochs, shuffle, earlyStopping, plateau, bestCheckpoint, schedule, fineTune, null);
    }

    public TrainingConfig(int batchSize, int epochs, boolean shuffle) {
        this(batchSize, epochs, shuffle, null, null, null, null);
    }

    /** The same schedule of training with {@code n} epochs. */
    public TrainingConfig withEpochs(int n) {
        return new TrainingConfig(batchSize, n, shuffle, earlyStopping, plateau, bestCheckpoint, schedule, fineTune, swa);
    }

    /** Every epoch of the run: the first phase's and the fine-tuning's. */
    public int totalEpochs() {
        return epochs + (fineTune == null ? 0 : fineTune.epochs());
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
        if (fineTune != null && earlyStopping != null) {
            throw new ConfigException("training.fine_tune", "cannot be combined with training.early_stopping: the two phases are Keras's two "
                    + "fit calls, each of a set number of epochs");
        }
        if (swa != null) {
            if (earlyStopping != null) {
                throw new ConfigException("training.swa", "cannot be combined with training.early_stopping: the average is of the run's last "
                        + "epochs, which early stopping may never reach");
            }
            if (plateau != null) {
                throw new ConfigException("training.swa", "cannot be combined with training.reduce_lr_on_plateau: both would set the rate");
            }
            if (fineTune != null) {
                throw new ConfigException("training.swa", "cannot be combined with training.fine_tune: it averages one phase's last epochs");
            }
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
        if (fineTune != null) {
            m.put("fine_tune", fineTune.toMap());
        }
        if (swa != null) {
            m.put("swa", swa.toMap());
        }
        return m;
    }
}
