package io.deepnets.train;

import io.deepnets.runs.EpochResult;
import java.io.PrintStream;
import java.util.Locale;

/**
 * Keras-style console output. On a terminal, a progress bar redrawn in place during the epoch; otherwise
 * nothing until the epoch ends. Then one line per epoch:
 * {@code Epoch 3/6 - 27s 72ms/step - loss: 0.0325 - accuracy: 0.9897 - val_loss: 0.0430 - val_accuracy: 0.9877}.
 */
public final class ConsoleProgress implements TrainingObserver {
    private static final int WIDTH = 30;
    private final PrintStream out;
    private final boolean terminal;
    private long lastDraw;

    public ConsoleProgress(PrintStream out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    @Override
    public void batchFinished(int step, int steps, double runningLoss, double runningAccuracy, double elapsedSeconds) {
        if (!terminal) {
            return;
        }
        long now = System.nanoTime();
        if (step != steps && now - lastDraw < 100_000_000L) {
            return;
        }
        lastDraw = now;
        int filled = (int) ((long) WIDTH * step / steps);
        String bar = "=".repeat(Math.max(0, filled - 1)) + (filled > 0 ? (step == steps ? "=" : ">") : "") + ".".repeat(WIDTH - filled);
        int digits = String.valueOf(steps).length();
        out.printf(Locale.ROOT, "\r%" + digits + "d/%d [%s] - %ds - loss: %.4f - accuracy: %.4f", step, steps, bar,
                (long) elapsedSeconds, runningLoss, runningAccuracy);
        out.flush();
    }

    @Override
    public void epochFinished(EpochResult r, int epochs) {
        if (terminal) {
            out.print("\r\033[2K");
        }
        out.println(epochLine(r, epochs));
        out.flush();
    }

    /** The end-of-epoch line, as Keras prints it. */
    public static String epochLine(EpochResult r, int epochs) {
        return String.format(Locale.ROOT, "Epoch %d/%d - %ds %dms/step - loss: %.4f - accuracy: %.4f - val_loss: %.4f - val_accuracy: %.4f",
                r.epoch(), epochs, Math.round(r.epochSeconds()), Math.round(r.msPerStep()), r.loss(), r.accuracy(), r.valLoss(),
                r.valAccuracy());
    }

    @Override
    public void note(String message) {
        out.println(message);
    }
}
