package io.deepnets.runs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deepnets.model.Network;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * A run's checkpoints are forced to disk at most every {@link Checkpoint.Writer#SYNC_SECONDS} (by a clock the test
 * sets), and the newest forced one is kept beside the last two, so that a power failure that damages the unforced
 * ones still leaves a checkpoint to resume from; history.csv's rewriter writes what the full rewrite writes.
 */
class CheckpointWriterTest {
    @TempDir
    Path tmp;

    private static Network tinyNetwork() {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(1).dataType(DataType.FLOAT).list()
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(4).nOut(3).activation(Activation.SOFTMAX).build())
                .build());
        net.init();
        return Network.of(net);
    }

    private List<Integer> epochsOnDisk() throws Exception {
        try (Stream<Path> dirs = Files.list(tmp.resolve(Checkpoint.FOLDER))) {
            return dirs.map(Checkpoint::epochOf).filter(e -> e >= 0).sorted().toList();
        }
    }

    /** What a run's epochs left: whether each checkpoint was forced, and the checkpoint folders after each. */
    private record Epochs(Checkpoint.Identity id, List<EpochResult> history, List<Boolean> forced, List<List<Integer>> onDisk) {
    }

    /** Trains no network: writes the checkpoints of epochs ending {@code endsAt} seconds after the writer was made. */
    private Epochs checkpointsAt(double... endsAt) throws Exception {
        Network net = tinyNetwork();
        Checkpoint.Identity id = new Checkpoint.Identity("tiny", "fingerprint", net.numParams());
        long[] now = {0};
        Checkpoint.Writer writer = new Checkpoint.Writer(tmp, 7, id, () -> now[0]);
        Epochs out = new Epochs(id, new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        for (int e = 1; e <= endsAt.length; e++) {
            now[0] = (long) (endsAt[e - 1] * 1e9);
            out.history().add(new EpochResult(e, 1.0 / e, 0.5, 1.0, 0.5, 0.01, 1.0, 0.1));
            out.forced().add(writer.save(net, out.history(), Map.of(), null));
            out.onDisk().add(epochsOnDisk());
        }
        return out;
    }

    @Test
    void forcesAtMostEveryIntervalAndKeepsTheNewestForcedCheckpointForAPowerFailure() throws Exception {
        Epochs e = checkpointsAt(1, 12, 13, 14, 15, 23, 24);
        assertEquals(List.of(false, true, false, false, false, true, false), e.forced(), "forced 10 s or more after the last forced one");
        assertEquals(List.of(List.of(1), List.of(1, 2), List.of(2, 3), List.of(2, 3, 4), List.of(2, 4, 5), List.of(5, 6), List.of(6, 7)), e.onDisk(),
                "the last two, and the newest forced one until a newer one is forced");
    }

    @Test
    void aResumeAfterAPowerFailureFallsBackToTheNewestForcedCheckpoint() throws Exception {
        Epochs e = checkpointsAt(1, 12, 13, 14, 15);
        assertEquals(List.of(2, 4, 5), epochsOnDisk());
        // What a power failure can leave of files never forced: empty.
        for (int epoch : new int[] {4, 5}) {
            Files.write(tmp.resolve(Checkpoint.FOLDER).resolve(Checkpoint.dirName(epoch)).resolve(Checkpoint.MODEL), new byte[0]);
        }
        ByteArrayOutputStream notes = new ByteArrayOutputStream();
        Checkpoint.Saved saved = Checkpoint.load(tmp, e.id(), new PrintStream(notes, true, StandardCharsets.UTF_8));
        assertEquals(2, saved.epoch());
        assertEquals(e.history().subList(0, 2), saved.history());
        String said = notes.toString(StandardCharsets.UTF_8);
        assertTrue(said.contains("epoch 5 is unusable") && said.contains("epoch 4 is unusable") && said.contains("resuming from the checkpoint of epoch 2"), said);
    }

    @Test
    void historyRewriterWritesWhatTheFullRewriteWrites() throws Exception {
        Path byRewriter = tmp.resolve("a.csv");
        Path whole = tmp.resolve("b.csv");
        HistoryCsv.Rewriter rewriter = new HistoryCsv.Rewriter(byRewriter);
        List<EpochResult> history = new ArrayList<>();
        for (int e = 1; e <= 4; e++) {
            history.add(new EpochResult(e, 2.0 / e, 0.25 * e, 1.5 / e, 0.2 * e, 0.125 * e, 3.0, e < 3 ? 0.1 : Double.NaN));
            rewriter.write(history);
            HistoryCsv.write(whole, history);
            assertEquals(Files.readString(whole), Files.readString(byRewriter), "after epoch " + e);
        }
        // A history replaced from its third row on (a resume's): the rows after the common part are formatted anew.
        history.set(2, new EpochResult(3, 9.0, 0.9, 9.0, 0.9, 9.0, 9.0, 0.01));
        history.remove(3);
        rewriter.write(history);
        HistoryCsv.write(whole, history);
        assertEquals(Files.readString(whole), Files.readString(byRewriter));
        assertEquals(3, HistoryCsv.read(byRewriter).size());
        HistoryCsv.sync(byRewriter);
    }
}
