package io.deepnets.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deepnets.config.ConfigLoader;
import io.deepnets.config.ExperimentConfig;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The network's picture: a box per layer below its inputs, branches side by side, no two boxes overlapping. */
class NetworkDiagramTest {

    static void noOverlaps(NetworkDiagram d) {
        List<NetworkDiagram.Box> boxes = d.boxes();
        for (int i = 0; i < boxes.size(); i++) {
            NetworkDiagram.Box a = boxes.get(i);
            assertTrue(a.x() >= 0 && a.y() >= 0 && a.x() + a.w() <= d.width() && a.y() + a.h() <= d.height(), a.name() + " inside the drawing");
            for (int j = i + 1; j < boxes.size(); j++) {
                NetworkDiagram.Box b = boxes.get(j);
                boolean apart = a.x() + a.w() <= b.x() || b.x() + b.w() <= a.x() || a.y() + a.h() <= b.y() || b.y() + b.h() <= a.y();
                assertTrue(apart, a.name() + " and " + b.name() + " overlap");
            }
        }
    }

    static NetworkDiagram.Box box(NetworkDiagram d, String name) {
        return d.boxes().stream().filter(b -> b.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void aStackIsOneColumn() {
        ExperimentConfig c = ConfigLoader.load(Path.of("configs/mnist-cnn.yaml"), List.of());
        NetworkDiagram d = NetworkDiagram.of(c.model());
        assertEquals(c.model().layers().size() + 1, d.boxes().size(), "the input and every layer");
        assertEquals(c.model().layers().size(), d.arrows().size());
        assertTrue(d.boxes().stream().allMatch(b -> b.x() == d.boxes().get(0).x()), "one column");
        assertEquals("(None, 26, 26, 32)", box(d, "conv2d_1").shape());
        noOverlaps(d);
    }

    @Test
    void resnetDrawsItsShortcutsBesideTheBlocks() {
        ExperimentConfig c = ConfigLoader.load(Path.of("configs/zoo/resnet56-cifar10.yaml"), List.of());
        NetworkDiagram d = NetworkDiagram.of(c.model());
        noOverlaps(d);
        // Every add sits below both of its inputs; the projection shortcut sits beside the block's first convolution.
        assertTrue(box(d, "stage2_1_add").y() > box(d, "stage2_1_bn_b").y() && box(d, "stage2_1_add").y() > box(d, "stage2_1_shortcut_bn").y());
        assertEquals(box(d, "stage2_1_conv_a").y(), box(d, "stage2_1_shortcut").y());
        assertFalse(box(d, "stage2_1_conv_a").x() == box(d, "stage2_1_shortcut").x());
        assertEquals(c.model().inputs().stream().mapToInt(List::size).sum(), d.arrows().size(), "an arrow per input");
        assertTrue(d.width() < 1000, "a 170-layer ResNet stays a narrow column: " + d.width());
    }

    @Test
    void inceptionBranchesSideBySide() {
        ExperimentConfig c = ConfigLoader.load(Path.of("configs/zoo/inception-cifar10.yaml"), List.of());
        NetworkDiagram d = NetworkDiagram.of(c.model());
        noOverlaps(d);
        List<String> branches = List.of("inception_3a_b1", "inception_3a_b3_reduce", "inception_3a_b5_reduce", "inception_3a_pool");
        for (String b : branches) {
            assertEquals(box(d, branches.get(0)).y(), box(d, b).y(), b + " in the row below the stem");
        }
        assertTrue(box(d, "inception_3a_concat").y() > box(d, "inception_3a_b5").y());
        assertEquals("Concatenate", box(d, "inception_3a_concat").type());
        assertTrue(box(d, "inception_3a_concat").merge());
    }
}
