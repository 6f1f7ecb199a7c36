package io.deepnets.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.deepnets.config.TensorShape;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Slices and class filters that reuse the loaded arrays instead of copying them (the loading's peak memory). */
class ImageSetTest {

    /** Five rows of two floats: row i is (i, 10 + i), label i % 3. */
    private static ImageSet five() {
        float[] f = new float[10];
        int[] labels = new int[5];
        for (int i = 0; i < 5; i++) {
            f[2 * i] = i;
            f[2 * i + 1] = 10 + i;
            labels[i] = i % 3;
        }
        return new ImageSet(f, labels, 5, 2);
    }

    @Test
    void theFirstRowsShareTheArrayAndOtherSlicesCopyTheirs() {
        ImageSet all = five();
        ImageSet head = all.slice(0, 3);
        assertSame(all.features(), head.features(), "the first rows: no copy");
        assertEquals(3, head.count());
        assertArrayEquals(new int[] {0, 1, 2}, head.labels());
        assertArrayEquals(new float[] {2, 12}, head.row(2));
        assertArrayEquals(new int[] {1, 1, 1}, head.classCounts(3), "counts only the set's own rows");
        ImageSet tail = all.slice(3, 5);
        assertNotSame(all.features(), tail.features());
        assertArrayEquals(new float[] {3, 13, 4, 14}, tail.features());
        assertArrayEquals(new float[] {1, 11, 2, 12}, head.rows(new int[] {1, 2}, 0, 2).features(), "a batch of a shared set has its own exact array");
        assertThrows(IllegalArgumentException.class, () -> new ImageSet(new float[5], new int[3], 3, 2), "shorter than its rows");
    }

    @Test
    void theTailIsReadFromTheSameArray() {
        ImageSet all = five();
        ImageSet tail = all.tail(3);
        assertEquals(2, tail.count());
        assertEquals(true, tail.isStreamed(), "rows read when asked for");
        assertEquals(0, tail.features().length, "nothing copied");
        assertArrayEquals(new int[] {0, 1}, tail.labels());
        assertArrayEquals(new float[] {4, 14, 3, 13}, tail.rows(new int[] {1, 0}, 0, 2).features());
        ImageSet picked = tail.select(new int[] {1});
        assertArrayEquals(new float[] {4, 14}, picked.row(0), "a selection of the tail still reads the right row");
        assertArrayEquals(new int[] {1}, picked.labels());
    }

    @Test
    void keepingClassesMovesTheKeptRowsForwardInOrderWithTheirNewLabels() {
        ImageSet train = five();
        LoadedDataset data = new LoadedDataset("t", List.of("a", "b", "c"), TensorShape.of(1, 2, 1), train, five(), Map.of());
        LoadedDataset kept = DatasetLoader.keepClasses(data, List.of("c", "a"));
        ImageSet t = kept.train();
        assertEquals(List.of("c", "a"), kept.classNames());
        assertEquals(3, t.count(), "rows 0, 2, 3 (labels a, c, a)");
        assertArrayEquals(new int[] {1, 0, 1}, t.labels(), "renumbered in the listed order");
        assertArrayEquals(new float[] {0, 10}, t.row(0));
        assertArrayEquals(new float[] {2, 12}, t.row(1));
        assertArrayEquals(new float[] {3, 13}, t.row(2));
        assertSame(train.features(), t.features(), "compacted in the loaded array, not copied");
    }
}
