package io.deepnets.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SweepConfigTest {
    @TempDir
    Path tmp;

    SweepConfig load(String body) throws Exception {
        Path file = tmp.resolve("s.yaml");
        Files.writeString(file, "name: s\nbase: " + Path.of("configs/digits-cnn.yaml").toAbsolutePath() + "\n" + body);
        return SweepConfig.load(file, List.of());
    }

    @Test
    void logspaceAndLinspaceHaveNumpysMeaning() throws Exception {
        SweepConfig s = load("axes:\n  - {key: optimizer.learning_rate, logspace: [-5, 1, 7]}\n  - {name: b, key: training.batch_size, linspace: [10, 30, 3]}\n");
        assertEquals(List.of(1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1.0, 10.0), s.axes().get(0).values());
        assertEquals("learning_rate", s.axes().get(0).name(), "named after the key's last part");
        assertTrue(s.axes().get(0).logScale());
        assertEquals(List.of(10.0, 20.0, 30.0), s.axes().get(1).values());
        List<String> labels = s.axes().get(0).values().stream().map(SweepConfig.Axis::label).toList();
        assertEquals(List.of("1e-05", "1e-04", "0.001", "0.01", "0.1", "1", "10"), labels);
    }

    @Test
    void aGridIsTheCartesianProductLastAxisFastest() throws Exception {
        SweepConfig s = load("axes:\n  - {name: lr, key: optimizer.learning_rate, values: [0.1, 0.01]}\n"
                + "  - {name: f, key: 'model.layers[0].filters', values: [4, 8, 16]}\n");
        List<SweepConfig.Point> points = s.points();
        assertEquals(6, points.size());
        assertEquals(List.of(0.1, 4), points.get(0).values());
        assertEquals(List.of(0.1, 8), points.get(1).values());
        assertEquals(List.of(0.01, 16), points.get(5).values());
        assertEquals("lr=0.1,f=4", points.get(0).folderName());
        assertEquals(List.of("optimizer.learning_rate=0.1", "model.layers[0].filters=4"), s.assignments(points.get(0)));
    }

    @Test
    void randomDrawsAreSeeded() throws Exception {
        String body = "mode: random\nsamples: 5\nseed: SEED\naxes:\n  - {name: lr, key: optimizer.learning_rate, loguniform: [1.0e-4, 1.0]}\n"
                + "  - {name: b, key: training.batch_size, values: [16, 32, 64]}\n";
        SweepConfig a = load(body.replace("SEED", "3"));
        SweepConfig b = load(body.replace("SEED", "3"));
        SweepConfig c = load(body.replace("SEED", "4"));
        assertEquals(a.points(), b.points(), "same seed, same points");
        assertNotEquals(a.points(), c.points());
        for (SweepConfig.Point p : a.points()) {
            double lr = (Double) p.values().get(0);
            assertTrue(lr >= 1e-4 && lr <= 1.0, "inside the bounds: " + lr);
            assertTrue(List.of(16, 32, 64).contains(p.values().get(1)));
        }
        assertTrue(a.points().get(0).folderName().startsWith("1_lr="), a.points().get(0).folderName());
    }

    @Test
    void mistakesAreOneLineNamingTheKey() throws Exception {
        assertTrue(assertThrows(ConfigException.class, () -> load("axes:\n  - {key: optimizer.learning_rate, loguniform: [0.1, 1]}\n"))
                .getMessage().contains("axes[0]: a grid needs values"));
        assertTrue(assertThrows(ConfigException.class, () -> load("axes:\n  - {key: x, logspace: [1, 2]}\n"))
                .getMessage().contains("axes[0].logspace: expected [start, stop, num]"));
        assertTrue(assertThrows(ConfigException.class, () -> load("axes:\n  - {key: x, values: [1], linspace: [1, 2, 3]}\n"))
                .getMessage().contains("expected exactly one of values, logspace, linspace, loguniform, uniform"));
        assertTrue(assertThrows(ConfigException.class, () -> load("metric: accuracy\naxes:\n  - {key: x, values: [1]}\n"))
                .getMessage().contains("metric: expected one of val_accuracy"));
        assertTrue(assertThrows(ConfigException.class, () -> load("axes:\n  - {key: x, values: [1], step: 2}\n"))
                .getMessage().contains("axes[0].step: unknown key"));
        assertTrue(assertThrows(ConfigException.class, () -> load("axes:\n  - {key: a, logspace: [0, 1, 101]}\n  - {key: b, logspace: [0, 1, 101]}\n"))
                .getMessage().contains("more than 10000 points"));
    }
}
