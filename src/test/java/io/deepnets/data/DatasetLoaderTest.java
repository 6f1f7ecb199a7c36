package io.deepnets.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deepnets.config.DataConfig;
import io.deepnets.config.TensorShape;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetLoaderTest {
    @TempDir
    Path dir;

    static final PrintStream QUIET = new PrintStream(java.io.OutputStream.nullOutputStream());

    /** Downloads go to a closed local port: fails at once, without the network. */
    static final DataSources OFFLINE = new DataSources(List.of("http://127.0.0.1:9/mnist/"),
            DataSources.canonical().mnistMd5(), "http://127.0.0.1:9/cifar-10-binary.tar.gz", DataSources.canonical().cifarMd5());

    DatasetLoader loader(Path... searched) {
        return new DatasetLoader(new DataDirectories(List.of(searched), dir.resolve("cache")), OFFLINE, QUIET, 3);
    }

    static DataConfig mnist() {
        return new DataConfig("mnist", null, null, 0.2, false, null, null, null);
    }

    static DataConfig cifar() {
        return new DataConfig("cifar10", null, null, null, true, null, null, null);
    }

    @Test
    void lookupTakesTheFirstDirectoryThatHasTheFiles() throws Exception {
        Path empty = Files.createDirectories(dir.resolve("first"));
        Path second = dir.resolve("second");
        DataFixtures.idxFolder(second.resolve("mnist"), 20, 10);
        LoadedDataset data = loader(empty, second).load(mnist());
        assertEquals(20, data.train().count());
        assertEquals(10, data.test().count());
        assertEquals(TensorShape.of(4, 3, 1), data.shape());
        assertEquals(List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"), data.classNames());
        assertEquals(4, data.checksums().size());
        assertTrue(data.checksums().keySet().iterator().next().startsWith(second.toString()));
        assertEquals((1 * 10 + 0) / 255f, data.train().features()[12], 1e-7, "scaled to [0, 1]");
    }

    @Test
    void offlineWithoutFilesNamesTheDirectoriesAndFiles() throws Exception {
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        DataException e = assertThrows(DataException.class, () -> loader(a, b).load(mnist()));
        assertTrue(e.getMessage().contains(a.resolve("mnist").toString()), e.getMessage());
        assertTrue(e.getMessage().contains(b.resolve("mnist").toString()), e.getMessage());
        assertTrue(e.getMessage().contains("train-images-idx3-ubyte.gz"), e.getMessage());
        assertTrue(e.getMessage().contains("download failed"), e.getMessage());
        assertFalse(Files.exists(a.resolve("mnist").resolve("train-images-idx3-ubyte.gz")), "no partial download left behind");

        e = assertThrows(DataException.class, () -> loader(a, b).load(cifar()));
        assertTrue(e.getMessage().contains(b.resolve("cifar10").toString()), e.getMessage());
        assertTrue(e.getMessage().contains("cifar-10-binary.tar.gz"), e.getMessage());
    }

    @Test
    void lookupOrderIsCliConfigEnvHome() {
        DataDirectories d = DataDirectories.resolve(Path.of("/cli"), "/config", Map.of("DEEPNETS_DATA", "/env", "DEEPNETS_CACHE", "/c"));
        assertEquals(List.of(Path.of("/cli"), Path.of("/config"), Path.of("/env"),
                Path.of(System.getProperty("user.home"), ".deepnets", "data")), d.searched());
        assertEquals(Path.of("/c"), d.cache());
    }

    @Test
    void cifarArchiveIsExtractedOnceIntoTheCache() throws Exception {
        Path archive = dir.resolve("data/cifar10/cifar-10-binary.tar.gz");
        DataFixtures.cifarArchive(archive, 3);
        LoadedDataset data = loader(dir.resolve("data")).load(cifar());
        assertEquals(15, data.train().count());
        assertEquals(3, data.test().count());
        assertEquals("truck", data.classNames().get(9));
        assertArrayEquals(new int[] {1, 2, 3}, java.util.Arrays.copyOf(data.train().labels(), 3));
        assertEquals(1 / 255f, data.train().features()[1024], 1e-7, "record 0, green plane = (0 + 1)");
        try (var files = Files.list(dir.resolve("cache"))) {
            assertEquals(1, files.count());
        }
        Path extracted = Files.list(dir.resolve("cache")).findFirst().orElseThrow().resolve("cifar-10-batches-bin/test_batch.bin");
        long modified = Files.getLastModifiedTime(extracted).toMillis();
        loader(dir.resolve("data")).load(cifar());
        assertEquals(modified, Files.getLastModifiedTime(extracted).toMillis(), "not extracted again");
    }

    @Test
    void tarEntriesThatEscapeTheTargetAreRejected() throws Exception {
        Path archive = dir.resolve("evil/cifar10/cifar-10-binary.tar.gz");
        DataFixtures.cifarArchive(archive, 3, "../../escaped.txt", "boom");
        DataException e = assertThrows(DataException.class, () -> loader(dir.resolve("evil")).load(cifar()));
        assertTrue(e.getMessage().contains("unsafe path"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("escaped.txt")));
        assertFalse(Files.exists(dir.resolve("cache").getParent().resolve("escaped.txt")));
    }

    @Test
    void truncatedCifarBatchIsAnError() throws Exception {
        Path folder = Files.createDirectories(dir.resolve("d/cifar10/cifar-10-batches-bin"));
        for (int b = 1; b <= 5; b++) {
            Files.write(folder.resolve("data_batch_" + b + ".bin"), DataFixtures.cifarBatch(3, b));
        }
        byte[] test = DataFixtures.cifarBatch(3, 0);
        Files.write(folder.resolve("test_batch.bin"), java.util.Arrays.copyOf(test, test.length - 100));
        DataException e = assertThrows(DataException.class, () -> loader(dir.resolve("d")).load(cifar()));
        assertTrue(e.getMessage().contains("test_batch.bin"), e.getMessage());
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void idxDatasetByPathWithClassNames() throws Exception {
        Path fashion = DataFixtures.idxFolder(dir.resolve("fashion-mnist"), 20, 10);
        List<String> names = List.of("T-shirt", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Boot");
        LoadedDataset data = loader(dir.resolve("nothing")).load(new DataConfig("idx", fashion.toString(), null, 0.2, false, null, null, names));
        assertEquals("fashion-mnist", data.name());
        assertEquals(names, data.classNames());
        DataException e = assertThrows(DataException.class, () -> loader(dir).load(
                new DataConfig("idx", dir.resolve("none").toString(), null, 0.2, false, null, null, null)));
        assertTrue(e.getMessage().contains("train-images-idx3-ubyte"), e.getMessage());
    }

    @Test
    void failedDownloadsLeaveNoEmptyFolderOrPartialFile() throws Exception {
        Path data = dir.resolve("data");
        Files.createDirectories(data.resolve("mnist"));
        Files.writeString(data.resolve("mnist").resolve("train-images-idx3-ubyte.gz12345.part"), "half a download");
        Files.createDirectories(data.resolve("cifar10"));
        java.io.ByteArrayOutputStream said = new java.io.ByteArrayOutputStream();
        DatasetLoader loader = new DatasetLoader(new DataDirectories(List.of(data), dir.resolve("cache")), OFFLINE,
                new PrintStream(said, true), 3);
        DataException e = assertThrows(DataException.class, () -> loader.load(mnist()));
        assertTrue(e.getMessage().contains("MNIST not found: searched " + data.resolve("mnist")), e.getMessage());
        assertFalse(Files.exists(data.resolve("mnist")), "the empty mnist/ is not left behind");
        assertTrue(said.toString().contains("left by an interrupted download"), said.toString());
        assertThrows(DataException.class, () -> loader.load(cifar()));
        assertFalse(Files.exists(data.resolve("cifar10")), "nor an empty cifar10/");
        assertTrue(said.toString().contains("removed the empty folder"), said.toString());
    }

    @Test
    void anEmptyFolderLeftByAFailedDownloadIsReportedOnce() throws Exception {
        Path data = dir.resolve("data");
        Files.createDirectories(data.resolve("mnist"));
        java.io.ByteArrayOutputStream said = new java.io.ByteArrayOutputStream();
        DatasetLoader loader = new DatasetLoader(new DataDirectories(List.of(data), dir.resolve("cache")), OFFLINE,
                new PrintStream(said, true), 3);
        DataException e = assertThrows(DataException.class, () -> loader.load(mnist()));
        assertEquals(1, said.toString().split("removed the empty folder", -1).length - 1, said.toString());
        assertFalse(Files.exists(data.resolve("mnist")));
        assertTrue(e.getMessage().contains("127.0.0.1:9/mnist/train-images-idx3-ubyte.gz: cannot connect to 127.0.0.1"), e.getMessage());
        assertFalse(e.getMessage().matches("(?s).*(Exception|java\\.).*"), e.getMessage());
        assertNotNull(e.getCause(), "the cause is kept for --debug");
    }

    /** A local server that announces 5,000,000 bytes and sends 10 kB, then closes: a download cut short. */
    @Test
    void aDownloadCutShortSaysHowMuchArrivedOfWhatWasAnnounced() throws Exception {
        com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            exchange.sendResponseHeaders(200, 5_000_000);
            try {
                exchange.getResponseBody().write(new byte[10_240]);
                exchange.getResponseBody().flush();
            } finally {
                exchange.close();
            }
        });
        server.start();
        try {
            String base = "http://127.0.0.1:" + server.getAddress().getPort() + "/";
            DataSources sources = new DataSources(List.of(base + "mnist/"), DataSources.canonical().mnistMd5(), base + "c.tar.gz",
                    DataSources.canonical().cifarMd5());
            Path data = dir.resolve("data");
            DatasetLoader loader = new DatasetLoader(new DataDirectories(List.of(data), dir.resolve("cache")), sources, QUIET, 3);
            DataException e = assertThrows(DataException.class, () -> loader.load(mnist()));
            assertTrue(e.getMessage().contains(base + "mnist/train-images-idx3-ubyte.gz: "), e.getMessage());
            assertTrue(e.getMessage().matches("(?s).*(cut short: received 10,240 of the 5,000,000 bytes the server announced"
                    + "|the connection broke after 10,240 bytes of 5,000,000 bytes).*"), e.getMessage());
            assertFalse(e.getMessage().matches("(?s).*(Exception|java\\.).*"), e.getMessage());
            assertFalse(Files.exists(data.resolve("mnist")), "nothing left behind");
        } finally {
            server.stop(0);
        }
    }
}
