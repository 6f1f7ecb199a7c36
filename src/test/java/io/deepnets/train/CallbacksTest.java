package io.deepnets.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deepnets.config.ConfigException;
import io.deepnets.config.ConfigLoader;
import io.deepnets.config.TrainingCallbacks;
import io.deepnets.config.TrainingConfig;
import io.deepnets.runs.EpochResult;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Each callback driven by a fixed sequence of metric values; the expected epochs and rates are worked out by hand
 * from Keras 3's callbacks (keras/src/callbacks/early_stopping.py, reduce_lr_on_plateau.py) and schedules
 * (keras/src/optimizers/schedules/learning_rate_schedule.py).
 */
class CallbacksTest {
    static EpochResult epoch(int e, double valLoss, double valAccuracy) {
        return epoch(e, valLoss, valAccuracy, 0.1);
    }

    static EpochResult epoch(int e, double valLoss, double valAccuracy, double lr) {
        return new EpochResult(e, 0, 0, valLoss, valAccuracy, 0, 0, lr);
    }

    static TrainingConfig with(TrainingCallbacks.EarlyStopping early, TrainingCallbacks.ReduceLrOnPlateau plateau) {
        return new TrainingConfig(32, 100, true, early, plateau, null, null);
    }

    /** The 1-based epoch at which early stopping stops, or 0. */
    static int stopsAt(TrainingCallbacks.EarlyStopping early, double... valLoss) {
        Callbacks c = new Callbacks(with(early, null));
        for (int i = 0; i < valLoss.length; i++) {
            if (c.onEpochEnd(epoch(i + 1, valLoss[i], 1 - valLoss[i])).stop()) {
                return i + 1;
            }
        }
        return 0;
    }

    static TrainingCallbacks.EarlyStopping early(String monitor, double minDelta, int patience, Double baseline, int startFrom) {
        return new TrainingCallbacks.EarlyStopping(monitor, minDelta, patience, "auto", baseline, true, startFrom);
    }

    @Test
    void earlyStoppingCountsPatienceAsKeras() {
        // best 0.9 at epoch 2; 0.95 and 0.91 do not improve: wait reaches 2 at epoch 4.
        assertEquals(4, stopsAt(early("val_loss", 0, 2, null, 0), 1.0, 0.9, 0.95, 0.91, 0.89));
        // min_delta 0.05: 0.96 is no improvement on 1.0, 0.93 is; then 0.90 and 0.89 are not (0.90 + 0.05 > 0.93).
        assertEquals(5, stopsAt(early("val_loss", 0.05, 2, null, 0), 1.0, 0.96, 0.93, 0.90, 0.89, 0.5));
        // patience 0: the first epoch without improvement stops, but never the first epoch (Keras: epoch > 0).
        assertEquals(2, stopsAt(early("val_loss", 0, 0, null, 0), 1.0, 1.0));
        // start_from_epoch 2: epochs 1 and 2 are not watched at all; epoch 3 sets the best, epoch 4 runs out of patience.
        assertEquals(4, stopsAt(early("val_loss", 0, 1, null, 2), 1.0, 1.0, 2.0, 2.0, 2.0));
        // mode auto on an accuracy maximises: 1 - loss rises, so it never stops.
        assertEquals(0, stopsAt(early("val_accuracy", 0, 1, null, 0), 0.9, 0.8, 0.7, 0.6));
        // baseline: improving on the best but not reaching the baseline does not reset the wait, and an epoch that
        // improves never stops; the first that does not improve does.
        assertEquals(0, stopsAt(early("val_accuracy", 0, 1, 0.9, 0), 0.5, 0.4, 0.3));
        assertEquals(2, stopsAt(early("val_accuracy", 0, 1, 0.9, 0), 0.5, 0.5));
    }

    @Test
    void restoreBestWeightsRemembersTheBestEpochEvenWithoutStopping() {
        Callbacks c = new Callbacks(with(early("val_loss", 0, 5, null, 0), null));
        List<Boolean> keep = new ArrayList<>();
        for (double v : new double[] {1.0, 0.8, 0.9, 0.85}) {
            keep.add(c.onEpochEnd(epoch(keep.size() + 1, v, 0)).keepBestWeights());
        }
        assertEquals(List.of(true, true, false, false), keep);
        assertEquals(2, c.bestEpoch());
        assertTrue(c.keepsBestWeights());
    }

    @Test
    void reduceLrOnPlateauWithCooldownAndFloor() {
        Callbacks c = new Callbacks(with(null, new TrainingCallbacks.ReduceLrOnPlateau("val_loss", 0.5, 2, "auto", 1e-4, 1, 0.01)));
        double lr = 0.1;
        List<String> cuts = new ArrayList<>();
        for (int e = 1; e <= 11; e++) {
            Double next = c.onEpochEnd(epoch(e, 1.0, 0, lr)).newLearningRate();
            if (next != null) {
                cuts.add(e + ":" + next);
                lr = next;
            }
        }
        // wait 1, 2 -> cut at 3; cooldown epoch 4 then wait 1 -> cut at 5; 7; at 9 the floor min_lr 0.01; then no more.
        assertEquals(List.of("3:0.05", "5:0.025", "7:0.0125", "9:0.01"), cuts);
    }

    @Test
    void plateauResetsOnImprovementBeyondMinDelta() {
        Callbacks c = new Callbacks(with(null, new TrainingCallbacks.ReduceLrOnPlateau("val_loss", 0.1, 2, "auto", 0.01, 0, 0)));
        assertNull(c.onEpochEnd(epoch(1, 1.0, 0)).newLearningRate());
        assertNull(c.onEpochEnd(epoch(2, 0.995, 0)).newLearningRate(), "less than min_delta better: wait 1");
        assertEquals(0.01, c.onEpochEnd(epoch(3, 0.995, 0)).newLearningRate(), 1e-12);
    }

    @Test
    void stateRoundTripsForResume() {
        Callbacks a = new Callbacks(with(early("val_loss", 0, 3, null, 0), new TrainingCallbacks.ReduceLrOnPlateau("val_loss", 0.5, 1, "auto", 0, 0, 0)));
        a.onEpochEnd(epoch(1, 1.0, 0));
        a.onEpochEnd(epoch(2, 1.1, 0));
        Callbacks b = new Callbacks(with(early("val_loss", 0, 3, null, 0), new TrainingCallbacks.ReduceLrOnPlateau("val_loss", 0.5, 1, "auto", 0, 0, 0)));
        b.restore(new com.fasterxml.jackson.databind.ObjectMapper().convertValue(a.state(), java.util.Map.class));
        for (int e = 3; e <= 6; e++) {
            Callbacks.Decision da = a.onEpochEnd(epoch(e, 1.2, 0, 0.05));
            Callbacks.Decision db = b.onEpochEnd(epoch(e, 1.2, 0, 0.05));
            assertEquals(da, db, "epoch " + e);
        }
    }

    @Test
    void schedulesComputeKerasValues() {
        TrainingCallbacks.Schedule exp = new TrainingCallbacks.Schedule("exponential", 0, 0, 0.5, 10, false, 0, 0, null, null, null);
        assertEquals(0.1, exp.valueAt(0.1, 0, 0), 1e-12);
        assertEquals(0.1 * Math.pow(0.5, 0.5), exp.valueAt(0.1, 5, 0), 1e-12);
        TrainingCallbacks.Schedule stair = new TrainingCallbacks.Schedule("exponential", 0, 0, 0.5, 10, true, 0, 0, null, null, null);
        assertEquals(0.05, stair.valueAt(0.1, 15, 0), 1e-12);
        TrainingCallbacks.Schedule cos = new TrainingCallbacks.Schedule("cosine", 0, 0, 0, 100, false, 0.1, 0, null, null, null);
        assertEquals(0.055, cos.valueAt(0.1, 50, 0), 1e-12);
        assertEquals(0.01, cos.valueAt(0.1, 200, 0), 1e-12, "after decay_steps: alpha * lr");
        TrainingCallbacks.Schedule warm = new TrainingCallbacks.Schedule("cosine", 0, 0, 0, 100, false, 0, 10, 0.1, null, null);
        assertEquals(0.055, warm.valueAt(0.01, 5, 0), 1e-12, "linear warmup from 0.01 to 0.1");
        assertEquals(0.1, warm.valueAt(0.01, 10, 0), 1e-12);
        assertEquals(0.05, warm.valueAt(0.01, 60, 0), 1e-12, "half way through the cosine after warmup");
        TrainingCallbacks.Schedule pw = new TrainingCallbacks.Schedule("piecewise", 0, 0, 0, 0, false, 0, 0, null, List.of(100L, 200L),
                List.of(1.0, 0.5, 0.1));
        assertEquals(1.0, pw.valueAt(0, 100, 0));
        assertEquals(0.5, pw.valueAt(0, 101, 0));
        assertEquals(0.1, pw.valueAt(0, 201, 0));
        TrainingCallbacks.Schedule step = new TrainingCallbacks.Schedule("step", 0.5, 5, 0, 0, false, 0, 0, null, null, null);
        assertEquals(0.1, step.valueAt(0.1, 999, 4), 1e-12);
        assertEquals(0.05, step.valueAt(0.1, 999, 5), 1e-12);
        assertEquals(0.025, step.valueAt(0.1, 999, 12), 1e-12);
    }

    @Test
    void aCosineWithoutDecayStepsRunsPerEpochOverTheTraining() {
        String base = "name: x\ndata: {dataset: mnist, validation_split: 0.2}\nmodel: {input_shape: [784], layers: [{type: output, units: 10}]}\n"
                + "optimizer: {name: sgd, learning_rate: 0.1, schedule: {type: cosine, alpha: 0.01}}\ntraining: {epochs: 100}\n";
        TrainingCallbacks.Schedule s = ConfigLoader.parse(base, List.of()).training().schedule();
        assertFalse(s.perStep(), "LearningRateScheduler's per-epoch form");
        assertTrue(s.followsEpochs(), "a checkpoint resumes only with the same epochs");
        assertEquals(0.1, s.valueAt(0.1, 12_345, 0), 1e-15, "the first epoch at the full rate, whatever the step");
        assertEquals(0.1 * (0.99 * 0.5 * (1 + Math.cos(Math.PI * 0.25)) + 0.01), s.valueAt(0.1, 0, 25), 1e-15);
        assertEquals(0.1 * (0.99 * 0.5 + 0.01), s.valueAt(0.1, 0, 50), 1e-15, "half way: the mean of the rate and alpha x the rate");
        assertEquals(0.1 * (0.99 * 0.5 * (1 + Math.cos(Math.PI * 0.99)) + 0.01), s.valueAt(0.1, 0, 99), 1e-15, "the last epoch");
        TrainingCallbacks.Schedule longer = ConfigLoader.parse(base, List.of("training.epochs=200")).training().schedule();
        assertEquals(s.valueAt(0.1, 0, 25), longer.valueAt(0.1, 0, 50), 1e-15, "the same curve stretched over the epochs");
        String yaml = ConfigLoader.toYaml(ConfigLoader.parse(base, List.of()));
        assertFalse(yaml.contains("decay_steps"), yaml);
        assertEquals(yaml, ConfigLoader.toYaml(ConfigLoader.parse(yaml, List.of())), "config.yaml reloads to the same schedule");
        TrainingCallbacks.Schedule steps = ConfigLoader.parse(base, List.of("optimizer.schedule.decay_steps=1000")).training().schedule();
        assertTrue(steps.perStep() && !steps.followsEpochs(), "with decay_steps it is Keras's CosineDecay, per step");
        assertTrue(assertThrows(ConfigException.class, () -> ConfigLoader.parse(base, List.of("optimizer.schedule.decay_steps=0")))
                .getMessage().contains("optimizer.schedule.decay_steps: expected a positive integer, got 0"));
        assertTrue(assertThrows(ConfigException.class, () -> ConfigLoader.parse(base, List.of("optimizer.schedule.warmup_steps=10",
                "optimizer.schedule.warmup_target=0.2"))).getMessage().contains("optimizer.schedule.warmup_steps: needs decay_steps"));
    }

    @Test
    void configMistakesNameTheKey() {
        String base = "name: x\ndata: {dataset: mnist, validation_split: 0.2}\nmodel: {input_shape: [784], layers: [{type: output, units: 10}]}\n";
        assertTrue(assertThrows(ConfigException.class, () -> ConfigLoader.parse(base
                + "optimizer: {name: sgd}\ntraining: {epochs: 1, early_stopping: {monitor: val_acc}}\n", List.of()))
                .getMessage().contains("training.early_stopping.monitor: expected one of val_loss, val_accuracy, loss, accuracy"));
        assertTrue(assertThrows(ConfigException.class, () -> ConfigLoader.parse(base
                + "optimizer: {name: sgd, schedule: {type: step, drop: 0.5, every_epochs: 2}}\ntraining: {epochs: 1, reduce_lr_on_plateau: {}}\n",
                List.of())).getMessage().contains("training.reduce_lr_on_plateau: cannot be combined with optimizer.schedule"));
        assertTrue(assertThrows(ConfigException.class, () -> ConfigLoader.parse(base
                + "optimizer: {name: adadelta, schedule: {type: step}}\ntraining: {epochs: 1}\n", List.of()))
                .getMessage().contains("optimizer.schedule: adadelta has no learning rate"));
        assertTrue(assertThrows(ConfigException.class, () -> ConfigLoader.parse(base
                + "optimizer: {name: sgd, schedule: {type: exponential, drop: 0.5}}\ntraining: {epochs: 1}\n", List.of()))
                .getMessage().contains("optimizer.schedule.drop: does not apply to schedule type 'exponential'"));
        assertTrue(assertThrows(ConfigException.class, () -> ConfigLoader.parse(base
                + "optimizer: {name: sgd}\ntraining: {epochs: 1, reduce_lr_on_plateau: {factor: 2}}\n", List.of()))
                .getMessage().contains("training.reduce_lr_on_plateau.factor: expected a number between 0 and 1"));
    }
}
