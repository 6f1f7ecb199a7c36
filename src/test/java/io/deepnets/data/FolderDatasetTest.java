package io.deepnets.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deepnets.config.DataConfig;
import io.deepnets.config.TensorShape;
import io.deepnets.testing.RealData;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Folder datasets: layouts, labels, the seeded split, every format and colour model, bad files, resize modes, caching. */
class FolderDatasetTest {
    static final PrintStream QUIET = new PrintStream(java.io.OutputStream.nullOutputStream());

    @TempDir
    Path dir;

    static DataConfig folder(Path root, Double testSplit, int h, int w, int channels, String resize, boolean skip, String cache) {
        return new DataConfig("folder", root.toString(), null, 0.25, false, null, null, null, testSplit, 7,
                new DataConfig.ImageFolder(h, w, channels, resize, skip, cache), null, null);
    }

    static LoadedDataset load(DataConfig c) {
        return new FolderDataset(c, Path.of(c.path()), QUIET).load();
    }

    /** A solid-colour RGB PNG. */
    static void png(Path file, int w, int h, int rgb) throws IOException {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, rgb);
            }
        }
        Files.createDirectories(file.getParent());
        ImageIO.write(img, "png", file.toFile());
    }

    @Test
    void trainAndTestFoldersGiveSortedClassNamesAndFolderLabels() throws Exception {
        for (String part : List.of("train", "test")) {
            for (int i = 0; i < (part.equals("train") ? 6 : 2); i++) {
                png(dir.resolve(part).resolve("dog").resolve("d" + i + ".png"), 5, 5, 0xFFFFFF);
                png(dir.resolve(part).resolve("cat").resolve("c" + i + ".png"), 5, 5, 0x000000);
            }
        }
        Files.writeString(dir.resolve("train/cat/README.txt"), "not an image: ignored");
        LoadedDataset data = load(folder(dir, null, 4, 4, 1, "stretch", false, "auto"));
        assertEquals(List.of("cat", "dog"), data.classNames(), "sorted folder names, label i is the i-th");
        assertEquals(12, data.train().count());
        assertEquals(4, data.test().count());
        for (ImageSet set : List.of(data.train(), data.test())) {
            for (int i = 0; i < set.count(); i++) {
                float expected = set.labels()[i] == 0 ? 0f : 1f;
                assertEquals(expected, set.features()[i * 16 + 5], 1e-3, "black cats, white dogs: the label follows the folder");
            }
        }
        assertEquals(TensorShape.of(4, 4, 1), data.shape());
        // Keras shuffles the training files with the seed before validation_split: both classes reach the last quarter.
        int[] tail = Arrays.copyOfRange(data.train().labels(), 9, 12);
        int[] head = Arrays.copyOfRange(data.train().labels(), 0, 9);
        assertTrue(Arrays.stream(head).anyMatch(l -> l == 0) && Arrays.stream(head).anyMatch(l -> l == 1), Arrays.toString(data.train().labels()));
        assertEquals(3, tail.length);
    }

    /** Class folders and files named in any script load as in Keras: the class names are the folder names. */
    @Test
    void unicodeFolderAndFileNamesLoad() throws Exception {
        for (int i = 0; i < 4; i++) {
            png(dir.resolve("train/chät/bild " + i + " é.png"), 3, 3, 0x000000);
            png(dir.resolve("train/猫/写真#" + i + "%20.png"), 3, 3, 0xFFFFFF);
        }
        png(dir.resolve("test/chät/ü.png"), 3, 3, 0x000000);
        png(dir.resolve("test/猫/ß.png"), 3, 3, 0xFFFFFF);
        LoadedDataset data = load(folder(dir, null, 3, 3, 1, "stretch", false, "auto"));
        assertEquals(List.of("chät", "猫"), data.classNames());
        assertEquals(8, data.train().count());
        for (int i = 0; i < data.train().count(); i++) {
            assertEquals(data.train().labels()[i] == 0 ? 0f : 1f, data.train().features()[i * 9], 1e-3, "label follows the folder");
        }
    }

    /**
     * A link to a folder inside a class folder is not followed (Keras's follow_links=False): a link loop neither
     * repeats images nor labels the other class's images as this one.
     */
    @Test
    void linksToFoldersInsideClassFoldersAreNotFollowed() throws Exception {
        for (int i = 0; i < 4; i++) {
            png(dir.resolve("cat/" + i + ".png"), 3, 3, 0x000000);
            png(dir.resolve("dog/" + i + ".png"), 3, 3, 0xFFFFFF);
        }
        Files.createSymbolicLink(dir.resolve("cat/loop"), Path.of(".."));
        Files.createSymbolicLink(dir.resolve("dog/cats"), dir.resolve("cat"));
        Files.createSymbolicLink(dir.resolve("dog/linked.png"), dir.resolve("dog/0.png"));
        java.io.ByteArrayOutputStream said = new java.io.ByteArrayOutputStream();
        DataConfig c = folder(dir, 0.25, 3, 3, 1, "stretch", false, "auto");
        LoadedDataset data = new FolderDataset(c, dir, new PrintStream(said, true)).load();
        assertEquals(9, data.train().count() + data.test().count(), "4 cats, 4 dogs and one linked dog file: nothing through the folder links");
        for (ImageSet set : List.of(data.train(), data.test())) {
            for (int i = 0; i < set.count(); i++) {
                assertEquals(set.labels()[i] == 0 ? 0f : 1f, set.features()[i * 9], 1e-3, "no dog labelled cat, no cat labelled dog");
            }
        }
        assertTrue(said.toString().contains("not followed: 2 links to folders"), said.toString());
    }

    @Test
    void classFolderLinksThatReadTheSameImagesTwiceAreRefused() throws Exception {
        png(dir.resolve("cat/0.png"), 3, 3, 0);
        png(dir.resolve("dog/0.png"), 3, 3, 0);
        Files.createSymbolicLink(dir.resolve("kitten"), dir.resolve("cat"));
        DataException e = assertThrows(DataException.class, () -> load(folder(dir, 0.5, 3, 3, 1, "stretch", false, "auto")));
        assertTrue(e.getMessage().contains("class folder " + dir.resolve("kitten") + " is a link that reads the same images as " + dir.resolve("cat")),
                e.getMessage());
        Files.delete(dir.resolve("kitten"));
        Files.createSymbolicLink(dir.resolve("all"), dir);
        e = assertThrows(DataException.class, () -> load(folder(dir, 0.5, 3, 3, 1, "stretch", false, "auto")));
        assertTrue(e.getMessage().contains("which holds the photo folder itself"), e.getMessage());
    }

    @Test
    void oneTreeIsSplitBySeedTheSameWayEachTimeAndDifferentlyForAnotherSeed() throws Exception {
        for (int i = 0; i < 20; i++) {
            png(dir.resolve("a").resolve(String.format("%02d.png", i)), 3, 3, i * 10);
            png(dir.resolve("b").resolve(String.format("%02d.png", i)), 3, 3, 0x0000FF);
        }
        DataConfig c = folder(dir, 0.25, 3, 3, 3, "stretch", false, "auto");
        LoadedDataset first = load(c);
        LoadedDataset again = load(c);
        assertEquals(30, first.train().count());
        assertEquals(10, first.test().count());
        assertArrayEquals(first.test().features(), again.test().features(), "same seed, same split");
        assertArrayEquals(first.train().labels(), again.train().labels());
        DataConfig other = new DataConfig("folder", dir.toString(), null, 0.25, false, null, null, null, 0.25, 8, c.folder(), null, null);
        assertFalse(Arrays.equals(first.test().features(), load(other).test().features()), "another seed draws another split");
        Set<String> rows = new HashSet<>();
        for (ImageSet set : List.of(first.train(), first.test())) {
            for (int i = 0; i < set.count(); i++) {
                rows.add(set.labels()[i] + ":" + Arrays.toString(set.row(i)));
            }
        }
        assertEquals(21, rows.size(), "20 distinct grey images of class a and one blue image repeated for b: nothing lost or doubled");
    }

    @Test
    void aSingleTreeWithoutTestSplitOrTrainWithoutTestIsOneClearLine() throws Exception {
        png(dir.resolve("x/a/1.png"), 2, 2, 0);
        png(dir.resolve("x/b/1.png"), 2, 2, 0);
        DataException e = assertThrows(DataException.class, () -> load(folder(dir.resolve("x"), null, 2, 2, 1, "stretch", false, "auto")));
        assertTrue(e.getMessage().contains("data.test_split is required"), e.getMessage());
        png(dir.resolve("y/train/a/1.png"), 2, 2, 0);
        png(dir.resolve("y/train/b/1.png"), 2, 2, 0);
        e = assertThrows(DataException.class, () -> load(folder(dir.resolve("y"), null, 2, 2, 1, "stretch", false, "auto")));
        assertTrue(e.getMessage().contains("no test/ folder"), e.getMessage());
        Files.createDirectories(dir.resolve("z/only"));
        e = assertThrows(DataException.class, () -> load(folder(dir.resolve("z"), 0.5, 2, 2, 1, "stretch", false, "auto")));
        assertTrue(e.getMessage().contains("at least two"), e.getMessage());
    }

    /** One 6x4 image, left half red (255, 0, 0), right half (0, 0, 255) with alpha where the format has it, in every format and colour model. */
    static List<Path> everyFormat(Path folder) throws IOException {
        Files.createDirectories(folder);
        BufferedImage rgb = new BufferedImage(6, 4, BufferedImage.TYPE_INT_RGB);
        BufferedImage argb = new BufferedImage(6, 4, BufferedImage.TYPE_INT_ARGB);
        BufferedImage grey = new BufferedImage(6, 4, BufferedImage.TYPE_BYTE_GRAY);
        BufferedImage grey16 = new BufferedImage(6, 4, BufferedImage.TYPE_USHORT_GRAY);
        IndexColorModel palette = new IndexColorModel(8, 2, new byte[] {(byte) 255, 0}, new byte[] {0, 0}, new byte[] {0, (byte) 255});
        BufferedImage indexed = new BufferedImage(6, 4, BufferedImage.TYPE_BYTE_INDEXED, palette);
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 6; x++) {
                boolean left = x < 3;
                rgb.setRGB(x, y, left ? 0xFF0000 : 0x0000FF);
                argb.setRGB(x, y, (left ? 0x40FF0000 : 0x800000FF));
                grey.getRaster().setSample(x, y, 0, left ? 200 : 50);
                grey16.getRaster().setSample(x, y, 0, left ? 65535 : 0);
                indexed.getRaster().setSample(x, y, 0, left ? 0 : 1);
            }
        }
        List<Path> files = new java.util.ArrayList<>();
        files.add(write(rgb, "png", folder.resolve("rgb.png")));
        files.add(write(argb, "png", folder.resolve("rgba.png")));
        files.add(write(grey, "png", folder.resolve("grey.png")));
        files.add(write(grey16, "png", folder.resolve("grey16.png")));
        files.add(write(indexed, "png", folder.resolve("palette.png")));
        files.add(write(indexed, "gif", folder.resolve("palette.gif")));
        files.add(write(rgb, "bmp", folder.resolve("rgb.bmp")));
        files.add(write(rgb, "jpg", folder.resolve("rgb.jpg")));
        files.add(write(grey, "jpg", folder.resolve("grey.jpg")));
        return files;
    }

    private static Path write(BufferedImage img, String format, Path file) throws IOException {
        if (!ImageIO.write(img, format, file.toFile())) {
            throw new IOException("no writer for " + format);
        }
        return file;
    }

    @Test
    void everyFormatAndColourModelDecodesToTheSamePixels() throws Exception {
        List<Path> files = everyFormat(dir.resolve("formats"));
        ImageDecoder rgbDecoder = new ImageDecoder(4, 6, 3, "stretch");
        ImageDecoder greyDecoder = new ImageDecoder(4, 6, 1, "stretch");
        for (Path f : files) {
            String name = f.getFileName().toString();
            float[] out = new float[rgbDecoder.featureSize()];
            rgbDecoder.decode(f, out, 0);
            float tol = name.endsWith(".jpg") ? 0.08f : 1e-6f;
            float leftR = out[0];
            float rightR = out[5];
            float rightB = out[2 * 24 + 5];
            if (name.startsWith("grey")) {
                float left = name.equals("grey16.png") ? 1f : 200 / 255f;
                float right = name.equals("grey16.png") ? 0f : 50 / 255f;
                assertEquals(left, leftR, tol, name + ": grey is read from its raster, not through a gamma curve");
                assertEquals(right, rightB, tol, name);
                assertEquals(out[0], out[24], tol, name + ": grey repeated into the three channels");
            } else {
                assertEquals(1f, leftR, tol, name + ": red on the left");
                assertEquals(0f, rightR, tol, name);
                assertEquals(1f, rightB, tol, name + ": blue on the right (alpha dropped, not blended)");
            }
            float[] grey = new float[greyDecoder.featureSize()];
            greyDecoder.decode(f, grey, 0);
            if (!name.startsWith("grey")) {
                assertEquals(0.2989f, grey[0], tol, name + ": grey from RGB is TensorFlow's rgb_to_grayscale");
                assertEquals(0.1140f, grey[5], tol, name);
            }
        }
    }

    /**
     * A CMYK JPEG (as Photoshop writes them: four components, ink stored inverted) decodes like any other: Java 17's
     * JPEG reader converts it to RGB. Pure red is C=0, M=Y=100%, K=0, stored as 255, 0, 0, 255.
     */
    @Test
    void aCmykJpegDecodesToItsColours() throws Exception {
        Path cmyk = dir.resolve("cmyk.jpg");
        WritableRaster raster = java.awt.image.Raster.createInterleavedRaster(java.awt.image.DataBuffer.TYPE_BYTE, 8, 8, 4, null);
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 8; x++) {
                raster.setPixel(x, y, new int[] {255, 0, 0, 255});
            }
        }
        javax.imageio.ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        try (var out = ImageIO.createImageOutputStream(cmyk.toFile())) {
            writer.setOutput(out);
            writer.write(null, new javax.imageio.IIOImage(raster, null, null), null);
        } finally {
            writer.dispose();
        }
        ImageDecoder decoder = new ImageDecoder(8, 8, 3, "stretch");
        float[] out = new float[decoder.featureSize()];
        decoder.decode(cmyk, out, 0);
        // Channels-first planes: pixel (4, 4) is red.
        int at = 4 * 8 + 4;
        assertEquals(1.0, out[at], 0.05, "red");
        assertEquals(0.0, out[64 + at], 0.05, "green");
        assertEquals(0.0, out[128 + at], 0.05, "blue");
    }

    @Test
    void badAndEmptyFilesFailTheLoadByDefaultAndAreListedWhenSkipped() throws Exception {
        for (int i = 0; i < 4; i++) {
            png(dir.resolve("train/a/" + i + ".png"), 3, 3, 0);
            png(dir.resolve("train/b/" + i + ".png"), 3, 3, 0xFFFFFF);
            png(dir.resolve("test/a/" + i + ".png"), 3, 3, 0);
            png(dir.resolve("test/b/" + i + ".png"), 3, 3, 0xFFFFFF);
        }
        Files.write(dir.resolve("train/a/empty.png"), new byte[0]);
        Files.writeString(dir.resolve("train/b/text.jpg"), "this is not a JPEG");
        byte[] whole = Files.readAllBytes(dir.resolve("test/a/0.png"));
        Files.write(dir.resolve("test/a/truncated.png"), Arrays.copyOf(whole, whole.length / 2));
        DataException e = assertThrows(DataException.class, () -> load(folder(dir, null, 3, 3, 1, "stretch", false, "auto")));
        assertTrue(e.getMessage().contains("empty.png: the file is empty") || e.getMessage().contains("text.jpg: not an image Java can read"),
                e.getMessage());
        assertTrue(e.getMessage().contains("skip_bad_images"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
        LoadedDataset data = load(folder(dir, null, 3, 3, 1, "stretch", true, "auto"));
        assertEquals(8, data.train().count());
        assertEquals(8, data.test().count());
        assertEquals(3, data.skipped().size(), data.skipped().toString());
        assertTrue(data.skipped().stream().anyMatch(s -> s.contains("text.jpg")));
        assertTrue(data.skipped().stream().anyMatch(s -> s.contains("truncated.png")));
    }

    @Test
    void resizeModesStretchPadAndCrop() throws Exception {
        // 8x4 (wide): left half black, right half white; into 4x4.
        BufferedImage img = new BufferedImage(8, 4, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 4; y++) {
            for (int x = 4; x < 8; x++) {
                img.getRaster().setSample(x, y, 0, 255);
            }
        }
        float[] stretch = new ImageDecoder(4, 4, 1, "stretch").prepare(img);
        float[] pad = new ImageDecoder(4, 4, 1, "pad").prepare(img);
        float[] crop = new ImageDecoder(4, 4, 1, "crop").prepare(img);
        assertArrayEquals(new float[] {0, 0, 1, 1}, Arrays.copyOfRange(stretch, 0, 4), 1e-6f, "stretch: halves squeezed, every row");
        assertArrayEquals(new float[] {0, 0, 0, 0}, Arrays.copyOfRange(pad, 0, 4), 1e-6f, "pad: black bars above");
        assertArrayEquals(new float[] {0, 0, 1, 1}, Arrays.copyOfRange(pad, 4, 8), 1e-6f, "pad: the whole image, aspect kept, in the middle rows");
        assertArrayEquals(new float[] {0, 0, 0, 0}, Arrays.copyOfRange(pad, 12, 16), 1e-6f, "pad: black bars below");
        assertArrayEquals(new float[] {0, 0, 1, 1}, Arrays.copyOfRange(crop, 0, 4), 1e-6f, "crop: the centre 4x4, at full resolution");
        BufferedImage same = new BufferedImage(3, 3, BufferedImage.TYPE_BYTE_GRAY);
        same.getRaster().setSample(1, 2, 0, 51);
        float[] identity = new ImageDecoder(3, 3, 1, "stretch").prepare(same);
        assertEquals(0.2f, identity[7], 1e-6f, "same size: pixels unchanged");
    }

    @Test
    void streamedRowsEqualCachedRowsWithReadAhead() throws Exception {
        java.util.Random r = new java.util.Random(1);
        for (int i = 0; i < 30; i++) {
            png(dir.resolve("train/" + (i % 3) + "/" + i + ".png"), 7, 5, r.nextInt(0xFFFFFF));
            png(dir.resolve("test/" + (i % 3) + "/" + i + ".png"), 7, 5, r.nextInt(0xFFFFFF));
        }
        LoadedDataset memory = load(folder(dir, null, 6, 6, 3, "pad", false, "memory"));
        LoadedDataset stream = load(folder(dir, null, 6, 6, 3, "pad", false, "stream"));
        assertFalse(memory.train().isStreamed());
        assertTrue(stream.train().isStreamed());
        assertEquals(0, stream.train().features().length, "streamed: nothing decoded up front");
        int[] order = EpochShuffler.order(30, 3, 1, true);
        for (int from = 0; from < 30; from += 8) {
            int to = Math.min(30, from + 8);
            ImageSet a = memory.train().rows(order, from, to);
            ImageSet b = stream.train().rows(order, from, to);
            assertArrayEquals(a.features(), b.features(), "batch " + from);
            assertArrayEquals(a.labels(), b.labels());
        }
        ImageSet tail = stream.train().slice(20, 30);
        assertArrayEquals(memory.train().slice(20, 30).features(), tail.rows(BatchAssembler.identity(10), 0, 10).features());
        assertNotEquals(0, memory.train().features().length);
    }

    @Test
    void cifarClassesKeepsTheListedClassesRenumberedInListOrder() {
        Path data = RealData.dir();
        DataConfig c = new DataConfig("cifar10", null, null, null, true, null, null, null, null, 42, null,
                List.of("truck", "airplane"), null);
        LoadedDataset all = DatasetLoader.forConfig(new DataConfig("cifar10", null, null, null, true, null, null, null), data,
                java.util.Map.of(), DataSources.canonical(), QUIET);
        LoadedDataset two = DatasetLoader.forConfig(c, data, java.util.Map.of(), DataSources.canonical(), QUIET);
        assertEquals(List.of("truck", "airplane"), two.classNames());
        assertEquals(10_000, two.train().count());
        assertEquals(2_000, two.test().count());
        int firstTruck = -1;
        for (int i = 0; i < all.train().count(); i++) {
            if (all.train().labels()[i] == 9) {
                firstTruck = i;
                break;
            }
        }
        int firstKept = -1;
        for (int i = 0; i < all.train().count(); i++) {
            if (all.train().labels()[i] == 9 || all.train().labels()[i] == 0) {
                firstKept = i;
                break;
            }
        }
        assertEquals(all.train().labels()[firstKept] == 9 ? 0 : 1, two.train().labels()[0], "truck is label 0, airplane 1");
        assertArrayEquals(all.train().row(firstKept), two.train().row(0), "the images keep their order");
        assertTrue(firstTruck >= 0);
    }
}
