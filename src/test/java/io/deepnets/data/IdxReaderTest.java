package io.deepnets.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {
    @TempDir
    Path dir;

    @Test
    void readsPlainAndGzip() throws Exception {
        byte[] raw = DataFixtures.idxImages(5, 4, 3);
        Files.write(dir.resolve("plain"), raw);
        Files.write(dir.resolve("packed.gz"), DataFixtures.gzip(raw));
        IdxReader.IdxImages plain = IdxReader.readImages(dir.resolve("plain"));
        IdxReader.IdxImages gz = IdxReader.readImages(dir.resolve("packed.gz"));
        assertEquals(5, plain.count());
        assertEquals(4, plain.rows());
        assertEquals(3, plain.cols());
        assertArrayEquals(plain.pixels(), gz.pixels());
        assertEquals(21, plain.pixels()[2 * 12 + 3] & 0xFF, "image 2, row 1 -> 2*10+1");
        Files.write(dir.resolve("labels"), DataFixtures.idxLabels(13));
        assertEquals(2, IdxReader.readLabels(dir.resolve("labels"))[12], "12 % 10");
    }

    @Test
    void truncatedFileIsAnErrorNotAShorterDataset() throws Exception {
        byte[] raw = DataFixtures.idxImages(5, 4, 3);
        Files.write(dir.resolve("short"), Arrays.copyOf(raw, raw.length - 7));
        DataException e = assertThrows(DataException.class, () -> IdxReader.readImages(dir.resolve("short")));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        assertTrue(e.getMessage().contains("short"), e.getMessage());

        byte[] gz = DataFixtures.gzip(raw);
        Files.write(dir.resolve("short.gz"), Arrays.copyOf(gz, gz.length - 20));
        e = assertThrows(DataException.class, () -> IdxReader.readImages(dir.resolve("short.gz")));
        assertTrue(e.getMessage().contains("short.gz"), e.getMessage());
    }

    @Test
    void corruptGzipTrailingBytesAndWrongMagic() throws Exception {
        byte[] gz = DataFixtures.gzip(DataFixtures.idxImages(5, 4, 3));
        gz[gz.length / 2] ^= 0x5a;
        Files.write(dir.resolve("corrupt.gz"), gz);
        assertThrows(DataException.class, () -> IdxReader.readImages(dir.resolve("corrupt.gz")));

        byte[] raw = DataFixtures.idxImages(5, 4, 3);
        byte[] longer = Arrays.copyOf(raw, raw.length + 3);
        Files.write(dir.resolve("long"), longer);
        DataException e = assertThrows(DataException.class, () -> IdxReader.readImages(dir.resolve("long")));
        assertTrue(e.getMessage().contains("3 unexpected bytes"), e.getMessage());

        Files.write(dir.resolve("labels-as-images"), DataFixtures.idxLabels(5));
        e = assertThrows(DataException.class, () -> IdxReader.readImages(dir.resolve("labels-as-images")));
        assertTrue(e.getMessage().contains("not an IDX image file"), e.getMessage());
    }
}
