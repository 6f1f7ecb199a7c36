package io.deepnets.train;

import io.deepnets.runs.EpochResult;

/** Hears about training progress: console output, history files, checkpoints. */
public interface TrainingObserver {

    /** Before the first batch of 1-based {@code epoch}. */
    default void epochStarted(int epoch, int epochs, int steps) {
    }

    /** After each batch, with the running means so far in this epoch. */
    default void batchFinished(int step, int steps, double runningLoss, double runningAccuracy, double elapsedSeconds) {
    }

    /** After validation at the end of an epoch (and after the callbacks acted on it). */
    default void epochFinished(EpochResult result, int epochs) {
    }

    /** A callback's message: a learning-rate cut, early stopping, a new best model, restored weights. */
    default void note(String message) {
    }

    /** The network is, as of 1-based {@code epoch}, the best the checkpoint callback has seen: save it. */
    default void bestModel(int epoch) {
    }
}
