package io.deepnets.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Keras's training callbacks and learning-rate schedules, in Keras's vocabulary and with its defaults. Each record
 * checks its own values; {@link ConfigLoader} adds the key path.
 */
public final class TrainingCallbacks {
    /** What a callback may watch: the figures every epoch produces (validation data is always present). */
    public static final List<String> MONITORS = List.of("val_loss", "val_accuracy", "loss", "accuracy");

    private TrainingCallbacks() {
    }

    /** {@code mode: auto} as Keras resolves it: maximise accuracies, minimise losses. */
    public static boolean maximise(String monitor, String mode) {
        return switch (mode) {
            case "max" -> true;
            case "min" -> false;
            default -> monitor.endsWith("accuracy");
        };
    }

    private static void monitorAndMode(String monitor, String mode) {
        if (!MONITORS.contains(monitor)) {
            throw new ConfigException("monitor", "expected one of " + String.join(", ", MONITORS) + " (what every epoch produces), got '"
                    + monitor + "'");
        }
        if (!List.of("auto", "min", "max").contains(mode)) {
            throw new ConfigException("mode", "expected auto, min or max, got '" + mode + "'");
        }
    }

    private static void nonNegative(String key, double v) {
        if (!(v >= 0) || Double.isInfinite(v)) {
            throw new ConfigException(key, "expected a number >= 0, got " + v);
        }
    }

    private static void nonNegative(String key, int v) {
        if (v < 0) {
            throw new ConfigException(key, "expected an integer >= 0, got " + v);
        }
    }

    /**
     * Keras {@code EarlyStopping(monitor='val_loss', min_delta=0, patience=0, mode='auto', baseline=None,
     * restore_best_weights=False, start_from_epoch=0)}.
     */
    public record EarlyStopping(String monitor, double minDelta, int patience, String mode, Double baseline, boolean restoreBestWeights,
            int startFromEpoch) {
        public EarlyStopping {
            monitorAndMode(monitor, mode);
            nonNegative("min_delta", minDelta);
            nonNegative("patience", patience);
            nonNegative("start_from_epoch", startFromEpoch);
        }

        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("monitor", monitor);
            m.put("min_delta", minDelta);
            m.put("patience", patience);
            m.put("mode", mode);
            if (baseline != null) {
                m.put("baseline", baseline);
            }
            m.put("restore_best_weights", restoreBestWeights);
            m.put("start_from_epoch", startFromEpoch);
            return m;
        }
    }

    /**
     * Keras {@code ReduceLROnPlateau(monitor='val_loss', factor=0.1, patience=10, mode='auto', min_delta=1e-4,
     * cooldown=0, min_lr=0)}.
     */
    public record ReduceLrOnPlateau(String monitor, double factor, int patience, String mode, double minDelta, int cooldown, double minLr) {
        public ReduceLrOnPlateau {
            monitorAndMode(monitor, mode);
            if (!(factor > 0 && factor < 1)) {
                throw new ConfigException("factor", "expected a number between 0 and 1 (exclusive): the new rate is rate * factor, got " + factor);
            }
            nonNegative("patience", patience);
            nonNegative("min_delta", minDelta);
            nonNegative("cooldown", cooldown);
            nonNegative("min_lr", minLr);
        }

        Map<String, Object> toMap() {
            return ConfigMaps.of("monitor", monitor, "factor", factor, "patience", patience, "mode", mode, "min_delta", minDelta, "cooldown",
                    cooldown, "min_lr", minLr);
        }
    }

    /**
     * Keras {@code ModelCheckpoint(monitor='val_loss', save_best_only=True, mode='auto')}: {@code best_model.zip}
     * in the run folder holds the network of the best epoch so far.
     */
    public record BestCheckpoint(String monitor, String mode) {
        public BestCheckpoint {
            monitorAndMode(monitor, mode);
        }

        Map<String, Object> toMap() {
            return ConfigMaps.of("monitor", monitor, "save_best_only", true, "mode", mode);
        }
    }

    /**
     * A learning-rate schedule, evaluated as Keras evaluates it.
     *
     * <ul>
     *   <li>{@code step}: per epoch, as a {@code LearningRateScheduler} callback: {@code lr * drop ^ floor(epoch / every_epochs)}
     *       (epoch counted from 0).</li>
     *   <li>{@code exponential}: per step, Keras {@code ExponentialDecay}: {@code lr * decay_rate ^ (step / decay_steps)}, the
     *       exponent floored with {@code staircase}.</li>
     *   <li>{@code cosine}: per step, Keras {@code CosineDecay(lr, decay_steps, alpha, warmup_target, warmup_steps)}: with
     *       warmup, linear from {@code lr} to {@code warmup_target} over {@code warmup_steps}, then cosine from there to
     *       {@code alpha} times it over {@code decay_steps}. Without {@code decay_steps} (0 here), per epoch over the whole
     *       of {@code training.epochs}, as a {@code LearningRateScheduler} callback (PyTorch's {@code CosineAnnealingLR(T_max=epochs)}
     *       stepped per epoch): {@code lr * ((1 - alpha) * (1 + cos(pi * epoch / epochs)) / 2 + alpha)}, epoch counted from 0,
     *       so the same schedule stretches with the epochs as {@code multistep} does.</li>
     *   <li>{@code piecewise}: per step, Keras {@code PiecewiseConstantDecay(boundaries, values)}.</li>
     *   <li>{@code multistep}: per epoch, as a {@code LearningRateScheduler} callback: {@code lr * drop ^ k} after
     *       {@code k} of the {@code milestones} have passed, each a fraction of {@code training.epochs} (ResNet's recipe:
     *       {@code [0.5, 0.75]}, drop 0.1), so the same schedule stretches with the epochs; milestone {@code f} starts at
     *       0-based epoch {@code round(f * epochs)} (PyTorch's {@code MultiStepLR}).</li>
     * </ul>
     * Steps count from 0: the first step of training uses the value at step 0.
     */
    public record Schedule(String type, double drop, int everyEpochs, double decayRate, long decaySteps, boolean staircase, double alpha,
            long warmupSteps, Double warmupTarget, List<Long> boundaries, List<Double> values, List<Double> milestones, int epochs) {
        public static final List<String> TYPES = List.of("step", "multistep", "exponential", "cosine", "piecewise");

        public Schedule(String type, double drop, int everyEpochs, double decayRate, long decaySteps, boolean staircase, double alpha,
                long warmupSteps, Double warmupTarget, List<Long> boundaries, List<Double> values) {
            this(type, drop, everyEpochs, decayRate, decaySteps, staircase, alpha, warmupSteps, warmupTarget, boundaries, values, null, 0);
        }

        public Schedule {
            boundaries = boundaries == null ? List.of() : List.copyOf(boundaries);
            values = values == null ? List.of() : List.copyOf(values);
            milestones = milestones == null ? List.of() : List.copyOf(milestones);
            switch (type) {
                case "multistep" -> {
                    if (!(drop > 0 && drop <= 1)) {
                        throw new ConfigException("drop", "expected a factor in (0, 1], got " + drop);
                    }
                    if (milestones.isEmpty()) {
                        throw new ConfigException("milestones", "is required: fractions of training.epochs where the rate drops, e.g. [0.5, 0.75]");
                    }
                    for (int i = 0; i < milestones.size(); i++) {
                        double m = milestones.get(i);
                        if (!(m > 0 && m < 1) || i > 0 && m <= milestones.get(i - 1)) {
                            throw new ConfigException("milestones", "expected increasing fractions of training.epochs between 0 and 1, got " + milestones);
                        }
                    }
                }
                case "step" -> {
                    if (!(drop > 0 && drop <= 1)) {
                        throw new ConfigException("drop", "expected a factor in (0, 1], got " + drop);
                    }
                    if (everyEpochs < 1) {
                        throw new ConfigException("every_epochs", "expected a positive integer, got " + everyEpochs);
                    }
                }
                case "exponential" -> {
                    if (!(decayRate > 0)) {
                        throw new ConfigException("decay_rate", "expected a number > 0, got " + decayRate);
                    }
                    if (decaySteps < 1) {
                        throw new ConfigException("decay_steps", "expected a positive integer, got " + decaySteps);
                    }
                }
                case "cosine" -> {
                    if (decaySteps < 0) {
                        throw new ConfigException("decay_steps", "expected a positive integer, got " + decaySteps);
                    }
                    if (decaySteps == 0 && warmupSteps > 0) {
                        throw new ConfigException("warmup_steps", "needs decay_steps (a warmup counts steps; without decay_steps the "
                                + "cosine runs per epoch over training.epochs)");
                    }
                    if (!(alpha >= 0 && alpha <= 1)) {
                        throw new ConfigException("alpha", "expected a fraction in [0, 1], got " + alpha);
                    }
                    if (warmupSteps < 0) {
                        throw new ConfigException("warmup_steps", "expected an integer >= 0, got " + warmupSteps);
                    }
                    if (warmupSteps > 0 && (warmupTarget == null || !(warmupTarget > 0))) {
                        throw new ConfigException("warmup_target", "is required with warmup_steps: the rate reached at the end of the warmup");
                    }
                }
                case "piecewise" -> {
                    if (values.size() != boundaries.size() + 1 || boundaries.isEmpty()) {
                        throw new ConfigException("values", "expected one more value than boundaries (at least one boundary), got "
                                + values.size() + " values and " + boundaries.size() + " boundaries");
                    }
                    for (int i = 1; i < boundaries.size(); i++) {
                        if (boundaries.get(i) <= boundaries.get(i - 1)) {
                            throw new ConfigException("boundaries", "expected increasing step numbers, got " + boundaries);
                        }
                    }
                    for (double v : values) {
                        if (!(v > 0)) {
                            throw new ConfigException("values", "expected learning rates > 0, got " + v);
                        }
                    }
                }
                default -> throw new ConfigException("type", "expected one of " + String.join(", ", TYPES) + ", got '" + type + "'");
            }
        }

        /** Whether the rate changes per step (Keras's optimizer schedules) rather than per epoch. */
        public boolean perStep() {
            return !type.equals("step") && !type.equals("multistep") && !overEpochs();
        }

        /** A cosine without {@code decay_steps}: per epoch, over {@code training.epochs}. */
        private boolean overEpochs() {
            return type.equals("cosine") && decaySteps == 0;
        }

        /**
         * Whether the rate at an epoch depends on {@code training.epochs} (a multistep schedule's milestones, a cosine over the
         * epochs): a checkpoint of such a run resumes only with the same epochs.
         */
        public boolean followsEpochs() {
            return type.equals("multistep") || overEpochs();
        }

        /** The rate at 0-based {@code step} of 0-based {@code epoch}, from {@code initial}, exactly as Keras computes it. */
        public double valueAt(double initial, long step, int epoch) {
            return switch (type) {
                case "step" -> initial * Math.pow(drop, Math.floor(epoch / (double) everyEpochs));
                case "multistep" -> {
                    int passed = 0;
                    for (double m : milestones) {
                        passed += epoch >= Math.round(m * epochs) ? 1 : 0;
                    }
                    yield initial * Math.pow(drop, passed);
                }
                case "exponential" -> {
                    double p = step / (double) decaySteps;
                    yield initial * Math.pow(decayRate, staircase ? Math.floor(p) : p);
                }
                case "cosine" -> {
                    if (overEpochs()) {
                        double t = Math.min(epoch, epochs) / (double) Math.max(epochs, 1);
                        yield initial * ((1 - alpha) * 0.5 * (1 + Math.cos(Math.PI * t)) + alpha);
                    }
                    if (warmupSteps > 0 && step < warmupSteps) {
                        yield initial + (warmupTarget - initial) * step / (double) warmupSteps;
                    }
                    double start = warmupSteps > 0 ? warmupTarget : initial;
                    double t = Math.min(step - warmupSteps, decaySteps) / (double) decaySteps;
                    double cosine = 0.5 * (1 + Math.cos(Math.PI * t));
                    yield start * ((1 - alpha) * cosine + alpha);
                }
                default -> {
                    int i = 0;
                    while (i < boundaries.size() && step > boundaries.get(i)) {
                        i++;
                    }
                    yield values.get(i);
                }
            };
        }

        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("type", type);
            switch (type) {
                case "step" -> {
                    m.put("drop", drop);
                    m.put("every_epochs", everyEpochs);
                }
                case "multistep" -> {
                    m.put("milestones", new ArrayList<>(milestones));
                    m.put("drop", drop);
                }
                case "exponential" -> {
                    m.put("decay_rate", decayRate);
                    m.put("decay_steps", decaySteps);
                    m.put("staircase", staircase);
                }
                case "cosine" -> {
                    if (decaySteps > 0) {
                        m.put("decay_steps", decaySteps);
                    }
                    m.put("alpha", alpha);
                    if (warmupSteps > 0) {
                        m.put("warmup_steps", warmupSteps);
                        m.put("warmup_target", warmupTarget);
                    }
                }
                default -> {
                    m.put("boundaries", new ArrayList<>(boundaries));
                    m.put("values", new ArrayList<>(values));
                }
            }
            return m;
        }
    }
}
