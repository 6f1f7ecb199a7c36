package io.deepnets.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deepnets.testing.RealData;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DigitsReaderTest {
    @TempDir
    Path tmp;

    @Test
    void readsTheRealFileWithItsPublishedCounts() {
        ImageSet digits = DigitsReader.read(RealData.dir().resolve("digits/optdigits.tes"));
        assertEquals(1797, digits.count());
        assertArrayEquals(new int[] {178, 182, 177, 183, 181, 182, 181, 179, 174, 180}, digits.classCounts(10));
        // First line of the file: 0,0,5,13,9,1,0,0,... label 0.
        assertEquals(0, digits.labels()[0]);
        assertEquals(5 / 16f, digits.features()[2], 0f);
        assertEquals(13 / 16f, digits.features()[3], 0f);
        for (float v : digits.features()) {
            assertTrue(v >= 0f && v <= 1f);
        }
    }

    @Test
    void badRecordsNameTheLineAndField() throws Exception {
        String good = "0,".repeat(64) + "3\n";
        Path shortLine = tmp.resolve("short.csv");
        Files.writeString(shortLine, good + "1,2,3\n");
        assertTrue(assertThrows(DataException.class, () -> DigitsReader.read(shortLine)).getMessage().contains("line 2 has 3 fields, expected 65"));
        Path range = tmp.resolve("range.csv");
        Files.writeString(range, good + "0,".repeat(10) + "17," + "0,".repeat(53) + "1\n");
        assertTrue(assertThrows(DataException.class, () -> DigitsReader.read(range)).getMessage().contains("line 2, field 11: 17 is outside 0..16"));
        Path label = tmp.resolve("label.csv");
        Files.writeString(label, "0,".repeat(64) + "x\n");
        assertTrue(assertThrows(DataException.class, () -> DigitsReader.read(label)).getMessage().contains("'x' is not an integer"));
        Path empty = tmp.resolve("empty.csv");
        Files.writeString(empty, "");
        assertTrue(assertThrows(DataException.class, () -> DigitsReader.read(empty)).getMessage().contains("no digits"));
        assertTrue(assertThrows(DataException.class, () -> DigitsReader.read(tmp)).getMessage().contains("not a file"));
    }
}
