package io.deepnets.lowlevel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.deepnets.BadInputException;
import io.deepnets.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LowLevelTest {
    static final double[][][] IMAGE = LowLevelInput.assignmentImage();
    static final double[][][][] FILTERS = LowLevelInput.assignmentFilters();

    @Test
    void theAssignmentInput() {
        assertEquals(-1, IMAGE[0][3][0]);
        assertEquals(7, IMAGE[0][4][1]);
        assertEquals(4, IMAGE[1][3][1], "[1,3,1] = 4 is applied after row 1 columns 2-3 = 2");
        assertEquals(2, IMAGE[1][3][0]);
        assertEquals(8, IMAGE[2][3][0]);
        assertEquals(9, IMAGE[2][3][1]);
        assertEquals(2, IMAGE[5][5][0], "row 5 channel 0 = 2 comes last");
        assertEquals(8, IMAGE[5][5][1]);
        assertEquals(1, FILTERS[0][0][1][1]);
        assertEquals(-1, FILTERS[0][2][2][0]);
        assertEquals(0, FILTERS[0][1][1][0]);
        assertEquals(-1, FILTERS[1][0][0][0]);
        assertEquals(-1, FILTERS[1][2][0][1]);
    }

    @Test
    void valuesTheDefinitionsGive() {
        Stages s = HandOps.run(IMAGE, FILTERS, 42);
        // filter 1 at (0,1): channel 1 row 0 of the window (1+1+1) minus channel 0 row 2 (1+1+8) = -7
        assertEquals(-7, s.conv()[0][1][0]);
        // filter 2 at (0,2): -(ch0 row0: -1*3) + (ch1 row0: 1+1+7) + (ch0 row2: 1+8+1) - (ch1 row2: 1+9+1) = 3 + 9 + 10 - 11
        assertEquals(11, s.conv()[0][2][1]);
        assertEquals(0, s.relu()[0][1][0]);
        assertEquals(4, s.pool()[0][0][0]);
        assertEquals(11, s.pool()[0][1][1]);
        // channel 0 pooled (4, 4, 0, 3): mean 2.75, population std sqrt(2.6875)
        assertEquals((4 - 2.75) / Math.sqrt(2.6875), s.norm()[0][0][0], 1e-12);
        assertArrayEquals(new double[] {-1, 1}, new double[] {s.norm()[0][0][1], s.norm()[0][1][1]}, 1e-12);
        assertEquals(8, s.denseWeights().length);
        assertEquals(3, s.denseWeights()[0].length);
        double z0 = 1;
        double[] flat = HandOps.flatten(s.norm());
        for (int i = 0; i < 8; i++) {
            z0 += flat[i] * s.denseWeights()[i][0];
        }
        assertEquals(z0, s.dense()[0], 1e-12);
        assertEquals(1.0, s.softmax()[0] + s.softmax()[1] + s.softmax()[2], 1e-12);
        assertEquals(Math.exp(s.dense()[1]) / (Math.exp(s.dense()[0]) + Math.exp(s.dense()[1]) + Math.exp(s.dense()[2])), s.softmax()[1], 1e-12);
        assertEquals(s.norm()[0][0][1], flat[1], "flatten: row, then column, then channel");
    }

    @Test
    void handMadeAndDl4jAgreeOnTheAssignmentInput() {
        Stages hand = HandOps.run(IMAGE, FILTERS, 42);
        Stages dl4j = Dl4jOps.run(IMAGE, FILTERS, 42);
        assertTrue(LowLevelReport.maxDifference(hand, dl4j) < 1e-6, "difference " + LowLevelReport.maxDifference(hand, dl4j));
    }

    @Test
    void handMadeAndDl4jAgreeOnRandomInputs() {
        Random random = new Random(7);
        int[][] shapes = {{6, 6, 2, 2, 3, 3}, {9, 7, 3, 4, 2, 3}, {5, 8, 1, 3, 3, 2}, {12, 12, 4, 5, 5, 5}};
        for (int[] sh : shapes) {
            double[][][] x = new double[sh[0]][sh[1]][sh[2]];
            for (double[][] row : x) {
                for (double[] px : row) {
                    for (int k = 0; k < px.length; k++) {
                        px[k] = random.nextGaussian() * 3;
                    }
                }
            }
            double[][][][] f = new double[sh[3]][sh[4]][sh[5]][sh[2]];
            for (double[][][] filter : f) {
                for (double[][] row : filter) {
                    for (double[] px : row) {
                        for (int k = 0; k < px.length; k++) {
                            px[k] = random.nextGaussian();
                        }
                    }
                }
            }
            Stages hand = HandOps.run(x, f, 3);
            Stages dl4j = Dl4jOps.run(x, f, 3);
            double d = LowLevelReport.maxDifference(hand, dl4j);
            assertTrue(d < 1e-6, java.util.Arrays.toString(sh) + ": difference " + d);
            backwardAgrees(hand, sh[0] % 3, java.util.Arrays.toString(sh));
        }
    }

    /** The hand-derived gradients equal DL4J's backpropagation and central finite differences at every stage. */
    static void backwardAgrees(Stages hand, int label, String what) {
        Gradients g = HandBackward.run(hand, label);
        Gradients dl4j = Dl4jBackward.run(hand, label);
        BackwardReport.differences(g, dl4j).forEach((stage, d) -> assertTrue(d < 1e-9, what + ", " + stage + ": DL4J differs by " + d));
        for (FiniteDifferences.Check c : FiniteDifferences.check(hand, g)) {
            assertTrue(c.maxRelativeError() < 1e-4, what + ", " + c.stage() + ": finite differences differ by " + c.maxRelativeError());
            assertTrue(c.kinks() < c.values(), what + ", " + c.stage() + ": every point on a kink");
        }
    }

    @Test
    void backwardOnTheAssignmentInputForEveryLabel() throws Exception {
        Stages hand = HandOps.run(IMAGE, FILTERS, 42);
        for (int label = 0; label < 3; label++) {
            backwardAgrees(hand, label, "label " + label);
        }
        Gradients g = HandBackward.run(hand, 1);
        assertEquals(-Math.log(hand.softmax()[1]), g.loss(), 1e-15);
        assertEquals(0, g.dense()[0] + g.dense()[1] + g.dense()[2], 1e-12, "softmax - onehot sums to 0");
        String text = stdout("lowlevel", "--backward", "--label", "1");
        assertTrue(text.contains("Loss: cross-entropy -log(softmax[1])"), text);
        assertTrue(text.contains("Cross-check 1: DL4J's own backpropagation") && text.contains("Cross-check 2: central finite differences"), text);
        assertTrue(text.contains("4. Max pooling: each gradient goes to its window's arg-max"), text);
        com.fasterxml.jackson.databind.JsonNode json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                stdout("lowlevel", "--backward", "--label", "1", "--json"));
        assertEquals(1, json.get("label").asInt());
        assertEquals(g.loss(), json.get("loss").asDouble(), 1e-12);
        assertEquals(2, json.get("gradients").get("pool").size(), "[row][column][channel], as the forward stages: 2 rows");
        assertEquals(2, json.get("gradients").get("pool").get(0).get(0).size(), "two channels");
        assertEquals(10, json.get("finite_differences").size());
        assertEquals(2, Main.execute("lowlevel", "--backward", "--label", "3"), "only three classes");
    }

    static String stdout(String... args) {
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true));
        try {
            assertEquals(0, Main.execute(args));
        } finally {
            System.setOut(old);
        }
        return out.toString();
    }

    @Test
    void jsonHasEveryStageInRowColumnChannelOrder() throws Exception {
        JsonNode j = new ObjectMapper().readTree(stdout("lowlevel", "--json"));
        assertEquals(List.of("image", "filters", "conv", "relu", "pool", "norm", "dense_weights", "dense", "softmax"),
                iterable(j.fieldNames()));
        assertEquals(6, j.get("image").size());
        assertEquals(2, j.get("image").get(0).get(0).size());
        assertEquals(7.0, j.get("image").get(0).get(4).get(1).asDouble());
        assertEquals(2, j.get("filters").size());
        assertEquals(3, j.get("filters").get(0).size());
        assertEquals(4, j.get("conv").size());
        assertEquals(-7.0, j.get("conv").get(0).get(1).get(0).asDouble());
        assertEquals(2, j.get("pool").size());
        assertEquals(8, j.get("dense_weights").size());
        assertEquals(3, j.get("dense_weights").get(0).size());
        assertEquals(3, j.get("softmax").size());
        String text = stdout("lowlevel");
        assertTrue(text.contains("(6 - 3) / 1 + 1 = 4"), text);
        assertTrue(text.contains("(4 - 2) / 2 + 1 = 2"), text);
        assertTrue(text.contains("largest difference"), text);
    }

    static List<String> iterable(java.util.Iterator<String> it) {
        List<String> out = new java.util.ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }

    @Test
    void otherInputsAndTheirErrors(@TempDir Path dir) throws Exception {
        Path image = dir.resolve("image.json");
        Path filters = dir.resolve("filters.json");
        Files.writeString(image, "[[[1],[2],[3],[4]],[[5],[6],[7],[8]],[[9],[10],[11],[12]],[[13],[14],[15],[16]]]");
        Files.writeString(filters, "[[[[1],[0]],[[0],[-1]]]]");
        JsonNode j = new ObjectMapper().readTree(stdout("lowlevel", "--json", "--image", image.toString(), "--filters", filters.toString()));
        assertEquals(3, j.get("conv").size(), "4x4 image, 2x2 filter: (4 - 2) / 1 + 1 = 3");
        assertEquals(-5.0, j.get("conv").get(0).get(0).get(0).asDouble(), "1 - 6");
        assertEquals(1, j.get("pool").size(), "(3 - 2) / 2 + 1 = 1");

        Files.writeString(filters, "[[[[1,1],[0,0]],[[0,0],[-1,-1]]]]");
        assertEquals(2, Main.execute("lowlevel", "--image", image.toString(), "--filters", filters.toString()), "channel mismatch");
        Files.writeString(filters, "[[[[1],[0],[0],[0],[0]]]]");
        assertEquals(2, Main.execute("lowlevel", "--image", image.toString(), "--filters", filters.toString()), "filter wider than image");
        Files.writeString(image, "[[[1],[2]],[[3]]]");
        assertEquals(2, Main.execute("lowlevel", "--image", image.toString()), "ragged");
        Files.writeString(image, "[[[1], [2]");
        assertEquals(2, Main.execute("lowlevel", "--image", image.toString()), "malformed JSON");
        Files.writeString(image, "[[[\"a\"]]]");
        assertThrows(BadInputException.class, () -> LowLevelInput.readImage(image));
        assertEquals(2, Main.execute("lowlevel", "--image", dir.resolve("missing.json").toString()));
    }
}
