package io.deepnets.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Exit codes and one-line errors of the command line; a failed run writes nothing. */
class MainTest {
    @TempDir
    Path dir;

    record Outcome(int code, String out, String err) {
    }

    static Outcome execute(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Main.execute(args);
            return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"wrong-type", "unknown-key", "syntax", "empty", "missing", "kernel"})
    void brokenConfigsExitTwoWithOneLineAndWriteNothing(String kind) throws Exception {
        String good = Files.readString(Path.of("configs/mnist-cnn.yaml"));
        Path config = dir.resolve(kind + ".yaml");
        switch (kind) {
            case "wrong-type" -> Files.writeString(config, good.replace("batch_size: 128", "batch_size: lots"));
            case "unknown-key" -> Files.writeString(config, good.replace("shuffle: true", "shuffle: true\n  early_stopping: 3"));
            case "syntax" -> Files.writeString(config, good.replace("layers:", "layers: [oops"));
            case "empty" -> Files.writeString(config, "");
            case "kernel" -> Files.writeString(config, good.replace("kernel_size: 3, strides: 1, padding: valid, activation: relu}\n    - {type: conv2d, filters: 64",
                    "kernel_size: 30, strides: 1, padding: valid, activation: relu}\n    - {type: conv2d, filters: 64"));
            default -> { }
        }
        Path out = dir.resolve("out");
        Outcome o = execute("run", config.toString(), "--out", out.toString());
        assertEquals(2, o.code(), o.err());
        assertEquals(1, o.err().strip().lines().count(), o.err());
        assertTrue(o.err().startsWith("error: " + config), o.err());
        assertFalse(o.err().contains("Exception"), o.err());
        assertFalse(Files.exists(out), "nothing written");
    }

    @Test
    void messagesNameTheKeyPath() throws Exception {
        Path config = dir.resolve("c.yaml");
        Files.writeString(config, Files.readString(Path.of("configs/mnist-cnn.yaml")).replace("batch_size: 128", "batch_size: lots"));
        Outcome o = execute("summary", config.toString());
        assertEquals("error: " + config + ": training.batch_size: expected an integer, got 'lots' (text)", o.err().strip());
    }

    @Test
    void badArgumentsExitTwo() {
        assertEquals(2, execute("run").code());
        assertEquals(2, execute("fly").code());
        assertEquals(2, execute("run", "configs/mnist-linear.yaml", "--epochs", "x").code());
        Outcome o = execute("summary", "configs/mnist-linear.yaml", "--set", "training.epochs=-1");
        assertEquals(2, o.code());
        assertTrue(o.err().contains("error: --set training.epochs=-1: expected a positive integer, got -1"), o.err());
        Outcome e = execute("summary", "configs/mnist-linear.yaml", "--epochs", "-1");
        assertEquals("error: --epochs: expected a positive integer, got -1", e.err().strip());
    }

    @Test
    void summaryPrintsTheKerasTotals() {
        Outcome o = execute("summary", "configs/mnist-cnn-dropout.yaml");
        assertEquals(0, o.code(), o.err());
        assertTrue(o.out().contains("Total params: 1,199,882"), o.out());
        assertTrue(execute("summary", "configs/mnist-relu.yaml").out().contains("Total params: 203,530"));
        assertTrue(execute("summary", "configs/cifar10-cnn.yaml").out().contains("Total params: 443,882"));
    }
}
