package io.deepnets.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.deepnets.runs.ProgressFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the catalog tells a run's status from its folder: metrics.json, and progress.json's process and age. */
class RunCatalogTest {
    @TempDir
    Path root;

    private Path run(String name, String stamp) throws Exception {
        Path d = root.resolve(name).resolve(stamp);
        Files.createDirectories(d);
        Files.writeString(d.resolve("config.yaml"), "name: " + name + "\ndata: {dataset: mnist}\ntraining: {epochs: 3}\n");
        Files.writeString(d.resolve("history.csv"), "epoch,loss,accuracy,val_loss,val_accuracy,epoch_seconds,ms_per_step,lr\n1,0.5,0.8,0.4,0.85,2.0,10,0.001\n");
        return d;
    }

    private static ProgressFile.Progress progress(long pid, String host, long updated) {
        return new ProgressFile.Progress(pid, host, 2, 3, 10, 100, 0.3, 0.9, 1.5, "training", updated);
    }

    private Map<String, String> statuses(RunCatalog catalog) {
        return catalog.snapshot().runs().stream().collect(Collectors.toMap(RunCatalog.RunEntry::experiment, RunCatalog.RunEntry::status));
    }

    @Test
    void finishedDivergedTrainingAndInterrupted() throws Exception {
        Path finished = run("finished", "2026-12-01T10-00-00");
        Files.writeString(finished.resolve("metrics.json"), "{\"test_accuracy\": 0.9, \"test_loss\": 0.3, \"params\": 10}");
        Path diverged = run("diverged", "2026-12-01T10-00-01");
        Files.writeString(diverged.resolve("metrics.json"), "{\"status\": \"diverged\", \"params\": 10}");
        ProgressFile.write(run("live", "2026-12-01T10-00-02"), progress(ProcessHandle.current().pid(), ProgressFile.hostName(), System.currentTimeMillis()));
        Process dead = new ProcessBuilder("true").start();
        dead.waitFor();
        ProgressFile.write(run("killed", "2026-12-01T10-00-03"), progress(dead.pid(), ProgressFile.hostName(), System.currentTimeMillis()));
        ProgressFile.write(run("elsewhere", "2026-12-01T10-00-04"), progress(1, "another-machine", System.currentTimeMillis()));
        ProgressFile.write(run("silent", "2026-12-01T10-00-05"), progress(1, "another-machine", System.currentTimeMillis() - 5 * 60_000));
        run("old", "2026-12-01T10-00-06");
        RunCatalog catalog = new RunCatalog(List.of(root));
        assertEquals(Map.of("finished", "finished", "diverged", "diverged", "live", "training", "killed", "interrupted", "elsewhere", "training",
                "silent", "interrupted", "old", "interrupted"), statuses(catalog));
        RunCatalog.RunEntry f = catalog.snapshot().runs().stream().filter(r -> r.experiment().equals("finished")).findFirst().orElseThrow();
        assertEquals("finished/2026-12-01T10-00-00", f.folder());
        assertEquals(Integer.valueOf(3), f.plannedEpochs());
        assertEquals(0.9, f.testAccuracy());
        assertEquals("2026-12-01 10:00:00", f.started());
    }

    @Test
    void aNewRunChangesTheVersionAndLinksAreNotFollowed() throws Exception {
        run("a", "2026-12-01T10-00-00");
        Path outside = Files.createTempDirectory("deepnets-outside");
        Path hidden = outside.resolve("secret").resolve("2026-12-01T10-00-00");
        Files.createDirectories(hidden);
        Files.writeString(hidden.resolve("config.yaml"), "name: secret\n");
        Files.createSymbolicLink(root.resolve("link"), outside);
        RunCatalog catalog = new RunCatalog(List.of(root));
        long before = catalog.snapshot().version();
        assertEquals(1, catalog.snapshot().runs().size(), "the linked folder is not listed");
        run("b", "2026-12-01T10-00-01");
        Thread.sleep(1100);
        assertNotEquals(before, catalog.snapshot().version());
        assertEquals(2, catalog.snapshot().runs().size());
    }
}
