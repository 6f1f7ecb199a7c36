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

    /** Letters and digits of any script are kept ("猫狗" and "数字" name two folders, not both "__"). */
    private static final Pattern UNSAFE = Pattern.compile("[^\\p{L}\\p{N}._-]");

    public ExperimentConfig {
        if (training.schedule() != null || training.plateau() != null) {
            String key = training.schedule() != null ? "optimizer.schedule" : "training.reduce_lr_on_plateau";
            if (optimizer instanceof OptimizerConfig.Adadelta) {
                throw new ConfigException(key, "adadelta has no learning rate in DL4J (its step equals Keras's at 1.0), so nothing to schedule");
            }
            if (optimizer.decay() > 0) {
                throw new ConfigException(key, "cannot be combined with optimizer.decay (Keras's legacy time decay); use one of them");
            }
        }
        if (training.swa() != null && optimizer instanceof OptimizerConfig.Adadelta) {
            throw new ConfigException("training.swa.learning_rate", "adadelta has no learning rate in DL4J to hold at the averaging rate");
        }
        if (training.swa() != null && optimizer.decay() > 0) {
            throw new ConfigException("training.swa", "cannot be combined with optimizer.decay (Keras's legacy time decay), which would "
                    + "keep lowering the averaging rate");
        }
        if (training.fineTune() != null) {
            ModelConfig.Transfer t = model.transfer();
            if (t == null) {
                throw new ConfigException("training.fine_tune", "continues transfer learning: it needs model.base (the trained network) and "
                        + "model.freeze (the layers the first phase keeps frozen)");
            }
            if (training.fineTune().frozen() >= t.frozen()) {
                throw new ConfigException("training.fine_tune.freeze", "keeps " + training.fineTune().frozen() + " layers frozen, but the first "
                        + "phase froze " + t.frozen() + "; fine-tuning unfreezes some of them (give fewer, or a layer nearer the input)");
            }
            if (optimizer instanceof OptimizerConfig.Adadelta) {
                throw new ConfigException("training.fine_tune.learning_rate", "adadelta has no learning rate in DL4J to lower");
            }
        }
        if (name.isBlank() || name.length() > 100 || name.chars().anyMatch(Character::isISOControl)) {
            throw new ConfigException("name", "expected a name of 1 to 100 printable characters, got '" + name + "'");
        }
    }

    /**
     * The second phase of a fine-tuned transfer as a config of its own: the base frozen only up to
     * {@code training.fine_tune.freeze}, the same optimizer at the fine-tuning rate (no schedule, no decay), the
     * callbacks as before, and every epoch of the run. One difference from Keras's guide, which keeps an unfrozen
     * base's batch normalisation in inference mode ({@code base(x, training=False)}): DL4J's batch norm computes its
     * backward pass only from a training-mode forward pass (its inference-mode forward keeps no batch statistics), so
     * an unfrozen batch norm layer trains in training mode here, its moving statistics moving on the new data.
     */
    public ExperimentConfig fineTuning() {
        TrainingConfig.FineTune ft = training.fineTune();
        if (ft == null) {
            throw new IllegalStateException("no fine_tune");
        }
        ModelConfig.Transfer t = model.transfer();
        ModelConfig m = new ModelConfig(model.inputShape(), model.layers(), model.layerNames(), model.inputs(),
                new ModelConfig.Transfer(t.base(), t.baseSha256(), t.baseLayers(), ft.frozen()));
        OptimizerConfig o;
        if (optimizer instanceof OptimizerConfig.RmsProp r) {
            o = new OptimizerConfig.RmsProp(ft.learningRate(), r.rho(), r.epsilon(), 0.0);
        } else if (optimizer instanceof OptimizerConfig.Adam a) {
            o = new OptimizerConfig.Adam(ft.learningRate(), a.beta1(), a.beta2(), a.epsilon(), 0.0);
        } else if (optimizer instanceof OptimizerConfig.Sgd s) {
            o = new OptimizerConfig.Sgd(ft.learningRate(), s.momentum(), s.nesterov(), 0.0);
        } else {
            throw new IllegalStateException("adadelta is refused with fine_tune");
        }
        TrainingConfig tc = new TrainingConfig(training.batchSize(), training.totalEpochs(), training.shuffle(), null, training.plateau(),
                training.bestCheckpoint(), null, null);
        return new ExperimentConfig(name, description, seed, data, m, o, tc);
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
        Map<String, Object> opt = new LinkedHashMap<>(optimizer.toMap());
        if (training.schedule() != null) {
            opt.put("schedule", training.schedule().toMap());
        }
        m.put("optimizer", opt);
        m.put("training", training.toMap());
        return m;
    }
}
