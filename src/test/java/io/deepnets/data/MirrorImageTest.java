package io.deepnets.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.deepnets.config.TensorShape;
import org.junit.jupiter.api.Test;

class MirrorImageTest {
    @Test
    void swapsLeftAndRightInEveryRowOfEveryChannel() {
        // Two channels of 2 x 3 pixels, channels-first, then the same image's neighbour in the array left alone.
        float[] f = {9, 1, 2, 3, 4, 5, 6, 10, 20, 30, 40, 50, 60, 7};
        MirrorImage.mirror(f, 1, 2, 2, 3);
        assertArrayEquals(new float[] {9, 3, 2, 1, 6, 5, 4, 30, 20, 10, 60, 50, 40, 7}, f);
        float[] even = {1, 2, 3, 4};
        MirrorImage.mirror(even, 0, 1, 1, 4);
        assertArrayEquals(new float[] {4, 3, 2, 1}, even, "an even width swaps every pixel");
    }

    @Test
    void mirroredRowsAreACopyOfTheAskedRows() {
        float[] f = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
        ImageSet set = new ImageSet(f.clone(), new int[] {0, 1, 2}, 3, 4);
        ImageSet m = MirrorImage.mirrored(set, 1, 3, TensorShape.of(2, 2, 1));
        assertEquals(2, m.count());
        assertArrayEquals(new float[] {6, 5, 8, 7, 10, 9, 12, 11}, m.features());
        assertArrayEquals(new int[] {1, 2}, m.labels());
        assertArrayEquals(f, set.features(), "the set itself is not touched");
        assertThrows(IllegalArgumentException.class, () -> MirrorImage.mirrored(set, 0, 1, TensorShape.of(2, 3, 1)));
        assertThrows(IllegalArgumentException.class, () -> MirrorImage.mirrored(set, 0, 1, TensorShape.of(4)));
    }
}
