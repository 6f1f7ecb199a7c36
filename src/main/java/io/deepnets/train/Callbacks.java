package io.deepnets.train;

import io.deepnets.config.TrainingCallbacks;
import io.deepnets.config.TrainingConfig;
import io.deepnets.runs.EpochResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Keras's {@code EarlyStopping}, {@code ReduceLROnPlateau} and {@code ModelCheckpoint(save_best_only=True)},
 * decided after each epoch exactly as Keras 3's callbacks decide them (comparisons with {@code min_delta},
 * {@code mode: auto}, patience, baseline, {@code start_from_epoch}, the plateau's cooldown). This class only
 * decides: the trainer applies the decisions (stop, new learning rate, keep these weights as the best, save the
 * best model). Its state is a plain map, saved with every checkpoint, so a resumed run decides exactly as an
 * uninterrupted one. Epochs are 1-based here, as deepnets counts them; Keras's 0-based {@code epoch > 0} test is
 * {@code epoch > 1}.
 */
public final class Callbacks {
    private final TrainingCallbacks.EarlyStopping early;
    private final TrainingCallbacks.ReduceLrOnPlateau plateau;
    private final TrainingCallbacks.BestCheckpoint checkpoint;

    // EarlyStopping
    private int wait;
    private double best;
    private int bestEpoch;
    private int stoppedEpoch;
    private boolean hasBestWeights;
    // ReduceLROnPlateau
    private int plateauWait;
    private double plateauBest;
    private int cooldownCounter;
    // ModelCheckpoint
    private double checkpointBest;
    private int checkpointEpoch;

    /** What to do after an epoch. */
    public record Decision(boolean stop, Double newLearningRate, boolean keepBestWeights, boolean saveBestModel, List<String> messages) {
    }

    public Callbacks(TrainingConfig training) {
        this.early = training.earlyStopping();
        this.plateau = training.plateau();
        this.checkpoint = training.bestCheckpoint();
        best = early == null ? 0 : startValue(early.monitor(), early.mode());
        plateauBest = plateau == null ? 0 : startValue(plateau.monitor(), plateau.mode());
        checkpointBest = checkpoint == null ? 0 : startValue(checkpoint.monitor(), checkpoint.mode());
    }

    private static double startValue(String monitor, String mode) {
        return TrainingCallbacks.maximise(monitor, mode) ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    }

    /** Whether any callback is configured. */
    public boolean any() {
        return early != null || plateau != null || checkpoint != null;
    }

    /** Whether the weights of the best epoch must be kept in memory (restore_best_weights). */
    public boolean keepsBestWeights() {
        return early != null && early.restoreBestWeights();
    }

    /**
     * Decides after {@code result} (the 1-based {@code result.epoch()}, trained at {@code result.lr()}: {@code NaN}
     * when the optimizer has no rate).
     */
    public Decision onEpochEnd(EpochResult result) {
        int epoch = result.epoch();
        double currentLr = result.lr();
        List<String> messages = new ArrayList<>();
        boolean stop = false;
        boolean keep = false;
        boolean save = false;
        Double newLr = null;
        if (checkpoint != null) {
            double current = result.monitored(checkpoint.monitor());
            boolean max = TrainingCallbacks.maximise(checkpoint.monitor(), checkpoint.mode());
            if (max ? current > checkpointBest : current < checkpointBest) {
                messages.add(String.format(Locale.ROOT, "Epoch %d: %s improved from %s to %.5f, saving the model to best_model.zip", epoch,
                        checkpoint.monitor(), show(checkpointBest), current));
                checkpointBest = current;
                checkpointEpoch = epoch;
                save = true;
            }
        }
        if (plateau != null && !Double.isNaN(currentLr)) {
            // Keras 3 ReduceLROnPlateau.on_epoch_end.
            double current = result.monitored(plateau.monitor());
            boolean max = TrainingCallbacks.maximise(plateau.monitor(), plateau.mode());
            if (cooldownCounter > 0) {
                cooldownCounter--;
                plateauWait = 0;
            }
            if (max ? current > plateauBest + plateau.minDelta() : current < plateauBest - plateau.minDelta()) {
                plateauBest = current;
                plateauWait = 0;
            } else if (cooldownCounter <= 0) {
                plateauWait++;
                if (plateauWait >= plateau.patience() && (float) currentLr > (float) plateau.minLr()) {
                    // Keras compares its float32 rate with np.float32(min_lr).
                    double lr = Math.max(currentLr * plateau.factor(), plateau.minLr());
                    newLr = lr;
                    cooldownCounter = plateau.cooldown();
                    plateauWait = 0;
                    messages.add(String.format(Locale.ROOT, "Epoch %d: ReduceLROnPlateau reducing learning rate to %s (%s did not improve for %d epochs)",
                            epoch, show(lr), plateau.monitor(), plateau.patience()));
                }
            }
        }
        if (early != null && epoch - 1 >= early.startFromEpoch()) {
            // Keras 3 EarlyStopping.on_epoch_end.
            double current = result.monitored(early.monitor());
            boolean max = TrainingCallbacks.maximise(early.monitor(), early.mode());
            if (early.restoreBestWeights() && !hasBestWeights) {
                hasBestWeights = true;
                bestEpoch = epoch;
                keep = true;
            }
            wait++;
            if (improves(current, best, max, early.minDelta())) {
                best = current;
                bestEpoch = epoch;
                if (early.restoreBestWeights()) {
                    keep = true;
                }
                if (early.baseline() == null || improves(current, early.baseline(), max, early.minDelta())) {
                    wait = 0;
                }
            } else if (wait >= early.patience() && epoch > 1) {
                stoppedEpoch = epoch;
                stop = true;
                messages.add(String.format(Locale.ROOT, "Epoch %d: early stopping (%s has not improved for %d epochs; best %.5f at epoch %d)",
                        epoch, early.monitor(), wait, best, bestEpoch));
            }
        }
        return new Decision(stop, newLr, keep, save, messages);
    }

    /** Keras's {@code monitor_op(current - min_delta, reference)}, the delta's sign set by the mode. */
    static boolean improves(double current, double reference, boolean max, double minDelta) {
        return max ? current - minDelta > reference : current + minDelta < reference;
    }

    private static String show(double v) {
        return Double.isInfinite(v) ? (v > 0 ? "inf" : "-inf") : String.format(Locale.ROOT, "%.5g", v);
    }

    /** The epoch training stopped at (0 when it ran all its epochs). */
    public int stoppedEpoch() {
        return stoppedEpoch;
    }

    /** The best epoch as early stopping saw it (0 without early stopping or before any epoch). */
    public int bestEpoch() {
        return bestEpoch;
    }

    public double bestValue() {
        return best;
    }

    /** The best epoch as the checkpoint saw it (0 without it). */
    public int checkpointEpoch() {
        return checkpointEpoch;
    }

    /** For metrics.json: what the callbacks did. */
    public Map<String, Object> summary() {
        Map<String, Object> m = new LinkedHashMap<>();
        if (early != null) {
            m.put("stopped_epoch", stoppedEpoch);
            m.put("best_epoch", bestEpoch);
            m.put("best_" + early.monitor(), Double.isInfinite(best) ? null : best);
        }
        if (checkpoint != null) {
            m.put("best_model_epoch", checkpointEpoch);
            m.put("best_model_" + checkpoint.monitor(), Double.isInfinite(checkpointBest) ? null : checkpointBest);
        }
        return m;
    }

    /**
     * Carries the best model's value and epoch over from the first phase of a fine-tuned transfer, as Keras's one
     * {@code ModelCheckpoint} keeps its best across the two {@code fit} calls: the second phase's first epoch
     * replaces {@code best_model.zip} only when it is better.
     */
    public void continueCheckpointFrom(Callbacks first) {
        if (checkpoint != null && first.checkpoint != null && checkpoint.equals(first.checkpoint)) {
            checkpointBest = first.checkpointBest;
            checkpointEpoch = first.checkpointEpoch;
        }
    }

    /** Everything a resumed run needs to decide as an uninterrupted one would. */
    public Map<String, Object> state() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("wait", wait);
        m.put("best", finite(best));
        m.put("best_epoch", bestEpoch);
        m.put("stopped_epoch", stoppedEpoch);
        m.put("has_best_weights", hasBestWeights);
        m.put("plateau_wait", plateauWait);
        m.put("plateau_best", finite(plateauBest));
        m.put("cooldown_counter", cooldownCounter);
        m.put("checkpoint_best", finite(checkpointBest));
        m.put("checkpoint_epoch", checkpointEpoch);
        return m;
    }

    /** Restores {@link #state()}; infinities travel as strings (JSON has no infinity). */
    public void restore(Map<?, ?> m) {
        if (m == null || m.isEmpty()) {
            return;
        }
        wait = ((Number) m.get("wait")).intValue();
        best = number(m.get("best"));
        bestEpoch = ((Number) m.get("best_epoch")).intValue();
        stoppedEpoch = ((Number) m.get("stopped_epoch")).intValue();
        hasBestWeights = Boolean.TRUE.equals(m.get("has_best_weights"));
        plateauWait = ((Number) m.get("plateau_wait")).intValue();
        plateauBest = number(m.get("plateau_best"));
        cooldownCounter = ((Number) m.get("cooldown_counter")).intValue();
        checkpointBest = number(m.get("checkpoint_best"));
        checkpointEpoch = ((Number) m.get("checkpoint_epoch")).intValue();
    }

    private static Object finite(double v) {
        return Double.isInfinite(v) ? (v > 0 ? "inf" : "-inf") : v;
    }

    private static double number(Object o) {
        if (o instanceof Number n) {
            return n.doubleValue();
        }
        return "inf".equals(o) ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
    }
}
