package io.deepnets.suite;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.deepnets.cli.Main;
import io.deepnets.testing.RealData;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The regression test CI runs on every change: experiments/smoke.yaml through the same code path as
 * {@code deepnets suite}. It fails when any of the five models trains outside its calibrated band.
 */
class SmokeSuiteTest {
    @Test
    void smokeSuitePasses(@TempDir Path out) {
        RealData.dir();
        assertEquals(0, Main.execute("suite", "experiments/smoke.yaml", "--out", out.toString(), "--data-dir", RealData.dir().toString()),
                "a result is outside its band: see the table above");
    }
}
