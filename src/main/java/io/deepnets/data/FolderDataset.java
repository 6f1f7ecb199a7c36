package io.deepnets.data;

import io.deepnets.config.DataConfig;
import io.deepnets.config.TensorShape;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.datavec.api.io.filters.RandomPathFilter;
import org.datavec.api.split.CollectionInputSplit;
import org.datavec.api.split.InputSplit;

/**
 * A folder of photos, one sub-folder per class, as Keras's {@code image_dataset_from_directory}: either
 * {@code DIR/train/<class>/} and {@code DIR/test/<class>/}, or one {@code DIR/<class>/} tree split by a seeded
 * {@code test_split}. Class names are the sub-folder names in sorted order (label i is the i-th). Files are found by
 * extension, recursively, without following links to folders (Keras's {@code follow_links=False}), labelled by their
 * class folder, and the single tree is split by a {@link RandomPathFilter} seeded with the experiment's seed over the sorted paths, so the
 * split is the same on every machine.
 *
 * <p>Decoded images are cached in memory as floats when they take at most {@link #cacheLimitBytes()} (a quarter of
 * the JVM's heap limit); otherwise, or with {@code cache: stream}, each batch is decoded when asked for, the next one
 * decoded ahead on a background thread while the network trains on this one.
 */
public final class FolderDataset {
    /** The extensions read, in both cases; everything else in the folders (READMEs, .DS_Store) is ignored. */
    static final String[] EXTENSIONS = {"png", "jpg", "jpeg", "bmp", "gif", "PNG", "JPG", "JPEG", "BMP", "GIF"};

    private final DataConfig config;
    private final Path root;
    private final PrintStream progress;
    /** Links to folders met inside class folders, not followed. */
    private final List<Path> linkedFolders = new ArrayList<>();

    /** @param root the folder {@code data.path} names, already looked up in the data directories */
    public FolderDataset(DataConfig config, Path root, PrintStream progress) {
        this.config = config;
        this.root = root;
        this.progress = progress;
    }

    /** A quarter of the heap limit: what decoded training and test images may take in memory. */
    public static long cacheLimitBytes() {
        return Runtime.getRuntime().maxMemory() / 4;
    }

    /** One image file and its label. */
    record Entry(Path file, int label) {
    }

    public LoadedDataset load() {
        if (!Files.isDirectory(root)) {
            throw new DataException("data.path " + root.toAbsolutePath() + ": no such folder");
        }
        boolean split = Files.isDirectory(root.resolve("train"));
        List<String> classes;
        List<Entry> train;
        List<Entry> test;
        if (split) {
            if (config.testSplit() != null) {
                throw new DataException("data.test_split: " + root + " has its own train/ and test/ folders; leave test_split out");
            }
            if (!Files.isDirectory(root.resolve("test"))) {
                throw new DataException("data.path " + root.toAbsolutePath() + ": has train/ but no test/ folder (expected both, each with one "
                        + "sub-folder per class)");
            }
            classes = classFolders(root.resolve("train"));
            List<String> testClasses = classFolders(root.resolve("test"));
            if (!testClasses.equals(classes)) {
                throw new DataException("data.path " + root.toAbsolutePath() + ": test/ has the classes " + testClasses + " but train/ has "
                        + classes + "; expected the same sub-folders");
            }
            List<Path> classDirs = new ArrayList<>();
            for (String c : classes) {
                classDirs.add(root.resolve("train").resolve(c));
                classDirs.add(root.resolve("test").resolve(c));
            }
            refuseOverlappingClassFolders(classDirs, root);
            // Keras shuffles the file list with the seed before validation_split takes its last part; without it the
            // validation part would be the last class folders alone.
            train = seededSplit(entries(root.resolve("train"), classes), 0, config.splitSeed()).get(0);
            test = entries(root.resolve("test"), classes);
        } else {
            if (config.testSplit() == null) {
                throw new DataException("data.test_split is required: " + root + " is one tree of class folders (no train/ and test/), "
                        + "so a fraction must be held out as the test set (e.g. 0.2)");
            }
            classes = classFolders(root);
            refuseOverlappingClassFolders(classes.stream().map(root::resolve).toList(), root);
            List<Entry> all = entries(root, classes);
            List<List<Entry>> parts = seededSplit(all, config.testSplit(), config.splitSeed());
            train = parts.get(0);
            test = parts.get(1);
        }
        if (!linkedFolders.isEmpty()) {
            progress.printf(Locale.ROOT, "not followed: %d link%s to folders inside the class folders (%s%s), as Keras's follow_links=False%n",
                    linkedFolders.size(), linkedFolders.size() == 1 ? "" : "s", linkedFolders.get(0), linkedFolders.size() > 1 ? ", ..." : "");
        }
        DataConfig.ImageFolder f = config.folder();
        ImageDecoder decoder = new ImageDecoder(f);
        List<String> skipped = new ArrayList<>();
        long bytes = 4L * decoder.featureSize() * (train.size() + test.size());
        boolean stream = "stream".equals(f.cache()) || ("auto".equals(f.cache()) && bytes > cacheLimitBytes());
        if ("memory".equals(f.cache()) && bytes > cacheLimitBytes()) {
            throw new DataException("data.cache: memory: the decoded images take " + mib(bytes) + ", more than the cache limit of "
                    + mib(cacheLimitBytes()) + " (a quarter of the heap); use cache: stream or auto, or a larger DEEPNETS_HEAP_MB");
        }
        ImageSet trainSet;
        ImageSet testSet;
        if (stream) {
            // Every file decoded once now, so that a bad one stops the run (or is skipped) before training starts.
            train = readable(train, skipped);
            test = readable(test, skipped);
            trainSet = streamed(train, decoder);
            testSet = streamed(test, decoder);
        } else {
            trainSet = decodeAll(train, decoder, skipped);
            testSet = decodeAll(test, decoder, skipped);
        }
        if (trainSet.count() == 0 || testSet.count() == 0) {
            throw new DataException("data.path " + root.toAbsolutePath() + ": no readable " + (trainSet.count() == 0 ? "training" : "test") + " images");
        }
        if (!skipped.isEmpty()) {
            progress.printf(Locale.ROOT, "skipped %d unreadable image%s (listed in the run folder's %s)%n", skipped.size(),
                    skipped.size() == 1 ? "" : "s", LoadedDataset.SKIPPED_FILE);
        }
        progress.printf(Locale.ROOT, "%s: %d training and %d test images in %d classes, %dx%dx%d (%s), %s%n", root, trainSet.count(),
                testSet.count(), classes.size(), f.height(), f.width(), f.channels(), f.resize(),
                stream ? "streamed per batch (" + mib(bytes) + " decoded" + ("stream".equals(f.cache()) ? ", cache: stream" : " > cache limit "
                        + mib(cacheLimitBytes())) + ")" : "decoded once into memory (" + mib(bytes) + ")");
        Map<String, String> sums = new LinkedHashMap<>();
        sums.put(root.toAbsolutePath().toString(), listingChecksum(root, train, test));
        String name = root.toAbsolutePath().getFileName() == null ? "folder" : root.toAbsolutePath().getFileName().toString();
        return new LoadedDataset(name, classes, TensorShape.of(f.height(), f.width(), f.channels()), trainSet, testSet, sums, skipped);
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }

    private static List<String> classFolders(Path dir) {
        List<String> names = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).sorted().forEach(names::add);
        } catch (IOException e) {
            throw new DataException(dir.toAbsolutePath() + ": cannot list the folder (" + io.deepnets.FailureText.describe(e) + ")", e);
        }
        if (names.size() < 2) {
            throw new DataException("data.path " + dir.toAbsolutePath() + ": found " + names.size() + " class folder" + (names.size() == 1 ? "" : "s")
                    + names + "; expected one sub-folder of images per class, at least two");
        }
        return List.copyOf(names);
    }

    /**
     * Every image file under the class folders, labelled by its class folder. Nested folders belong to their class
     * folder's class (Keras reads them recursively too); links to folders inside a class folder are not followed
     * (Keras's {@code follow_links=False}), so a link loop cannot repeat or relabel images, and links to files are
     * read as the files. Paths are ordered by their {@link java.io.File#toURI()} spelling, the order DataVec's
     * {@code FileSplit} gave before, so the seeded split stays the same on every machine.
     */
    private List<Entry> entries(Path dir, List<String> classes) {
        List<Entry> out = new ArrayList<>();
        for (int label = 0; label < classes.size(); label++) {
            Path classDir = dir.resolve(classes.get(label));
            List<Path> files = new ArrayList<>();
            collectImages(classDir, files);
            if (files.isEmpty()) {
                throw new DataException("data.path: class folder " + classDir.toAbsolutePath() + " has no images (." + String.join(", .",
                        Arrays.copyOf(EXTENSIONS, 5)) + ")");
            }
            java.util.TreeMap<String, Path> sorted = new java.util.TreeMap<>();
            for (Path f : files) {
                sorted.put(f.toFile().toURI().toString(), f);
            }
            for (Path f : sorted.values()) {
                out.add(new Entry(f, label));
            }
        }
        return out;
    }

    private void collectImages(Path folder, List<Path> out) {
        List<Path> children = new ArrayList<>();
        try (java.nio.file.DirectoryStream<Path> s = Files.newDirectoryStream(folder)) {
            s.forEach(children::add);
        } catch (IOException e) {
            throw new DataException(folder.toAbsolutePath() + ": cannot list the folder (" + io.deepnets.FailureText.describe(e) + ")", e);
        }
        for (Path child : children) {
            if (Files.isSymbolicLink(child) && Files.isDirectory(child)) {
                linkedFolders.add(child);
            } else if (Files.isDirectory(child, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                collectImages(child, out);
            } else if (Files.isRegularFile(child) && isImageName(child.getFileName().toString())) {
                out.add(child);
            }
        }
    }

    private static boolean isImageName(String name) {
        for (String ext : EXTENSIONS) {
            if (name.endsWith("." + ext)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Class folders that are links are read (a user may link a folder of photos in), but never when one would read
     * the same images as another class folder, or the folder holding it: the images would be counted twice, under
     * two labels.
     */
    private static void refuseOverlappingClassFolders(List<Path> classDirs, Path root) {
        List<Path> real = new ArrayList<>();
        Path realRoot;
        try {
            realRoot = root.toRealPath();
            for (Path d : classDirs) {
                real.add(d.toRealPath());
            }
        } catch (IOException e) {
            throw new DataException("data.path " + root.toAbsolutePath() + ": cannot resolve its class folders (" + io.deepnets.FailureText.describe(e) + ")", e);
        }
        for (int i = 0; i < classDirs.size(); i++) {
            if (realRoot.startsWith(real.get(i))) {
                throw new DataException("data.path " + root.toAbsolutePath() + ": class folder " + classDirs.get(i) + " is a link to " + real.get(i)
                        + ", which holds the photo folder itself; remove the link");
            }
            for (int j = 0; j < classDirs.size(); j++) {
                if (i != j && real.get(j).startsWith(real.get(i))) {
                    Path link = Files.isSymbolicLink(classDirs.get(i)) ? classDirs.get(i) : classDirs.get(j);
                    throw new DataException("data.path " + root.toAbsolutePath() + ": class folder " + link + " is a link that reads the same images as "
                            + (link == classDirs.get(i) ? classDirs.get(j) : classDirs.get(i)) + "; each image must belong to one class folder");
                }
            }
        }
    }

    /**
     * Shuffles the sorted paths by a seeded {@link RandomPathFilter} and splits them: train first, then test (a
     * fraction of 0 only shuffles).
     */
    static List<List<Entry>> seededSplit(List<Entry> all, double testFraction, long seed) {
        Map<URI, Entry> byUri = new LinkedHashMap<>();
        List<URI> uris = new ArrayList<>();
        for (Entry e : all) {
            URI u = e.file().toUri();
            uris.add(u);
            byUri.put(u, e);
        }
        RandomPathFilter shuffle = new RandomPathFilter(new Random(seed), EXTENSIONS);
        InputSplit[] parts = testFraction == 0 ? new InputSplit[] {new CollectionInputSplit(List.of(shuffle.filter(uris.toArray(URI[]::new))))}
                : new CollectionInputSplit(uris).sample(shuffle, 1 - testFraction, testFraction);
        List<List<Entry>> out = new ArrayList<>();
        for (InputSplit part : parts) {
            List<Entry> list = new ArrayList<>();
            for (URI u : part.locations()) {
                list.add(byUri.get(u));
            }
            out.add(list);
        }
        if (testFraction > 0 && (out.get(0).isEmpty() || out.get(1).isEmpty())) {
            throw new DataException("data.test_split: " + testFraction + " of " + all.size() + " images leaves " + (out.get(0).isEmpty()
                    ? "no training images" : "no test images"));
        }
        return out;
    }

    /** The entries whose files decode; a bad one fails the load or, with skip_bad_images, is listed and left out. */
    private List<Entry> readable(List<Entry> entries, List<String> skipped) {
        List<Entry> ok = new ArrayList<>(entries.size());
        for (Entry e : entries) {
            try {
                ImageDecoder.read(e.file());
                ok.add(e);
            } catch (ImageDecoder.BadImageException ex) {
                bad(e, ex, skipped);
            }
        }
        return ok;
    }

    private void bad(Entry e, ImageDecoder.BadImageException ex, List<String> skipped) {
        if (!config.folder().skipBadImages()) {
            throw new DataException(e.file() + ": " + ex.getMessage() + " (set data.skip_bad_images: true to skip such files)");
        }
        skipped.add(e.file() + ": " + ex.getMessage());
    }

    /** Every readable entry decoded once into one float array (bad ones fail the load or are skipped). */
    private ImageSet decodeAll(List<Entry> entries, ImageDecoder decoder, List<String> skipped) {
        int size = decoder.featureSize();
        float[] features = new float[entries.size() * size];
        int[] labels = new int[entries.size()];
        int n = 0;
        for (Entry e : entries) {
            try {
                decoder.decode(e.file(), features, n * size);
                labels[n++] = e.label();
            } catch (ImageDecoder.BadImageException ex) {
                bad(e, ex, skipped);
            }
        }
        return n == entries.size() ? new ImageSet(features, labels, n, size)
                : new ImageSet(java.util.Arrays.copyOf(features, n * size), java.util.Arrays.copyOf(labels, n), n, size);
    }

    private static void decodeOrFail(ImageDecoder decoder, Path file, float[] out, int offset) {
        try {
            decoder.decode(file, out, offset);
        } catch (ImageDecoder.BadImageException e) {
            // It decoded when the dataset was loaded: the file changed since.
            throw new DataException(file + ": " + e.getMessage() + " (the file changed while the run was reading it)", e);
        }
    }

    private static ImageSet streamed(List<Entry> entries, ImageDecoder decoder) {
        int[] labels = entries.stream().mapToInt(Entry::label).toArray();
        Path[] files = entries.stream().map(Entry::file).toArray(Path[]::new);
        return new ImageSet(new float[0], labels, labels.length, decoder.featureSize(), new StreamedImages(files, decoder));
    }

    /** SHA-256 over the sorted relative paths and sizes of the files read: the dataset's fingerprint for provenance. */
    private static String listingChecksum(Path root, List<Entry> train, List<Entry> test) {
        StringBuilder sb = new StringBuilder();
        for (List<Entry> part : List.of(train, test)) {
            for (Entry e : part) {
                try {
                    sb.append(root.toAbsolutePath().relativize(e.file().toAbsolutePath())).append(' ').append(Files.size(e.file())).append('\n');
                } catch (IOException ex) {
                    throw new DataException(e.file() + ": cannot read (" + io.deepnets.FailureText.describe(ex) + ")", ex);
                }
            }
        }
        try {
            return "listing:" + java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(sb.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Rows decoded per batch from their files, the next batch decoded ahead on one background (daemon) thread: when
     * the trainer asks for {@code order[from..to)}, the rows {@code order[to..2*to-from)} start decoding.
     */
    static final class StreamedImages implements ImageSet.ImageSource {
        private static final ExecutorService AHEAD = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "deepnets-image-read-ahead");
            t.setDaemon(true);
            return t;
        });
        private final Path[] files;
        private final ImageDecoder decoder;
        private int[] aheadOrder;
        private int aheadFrom = -1;
        private int aheadTo = -1;
        private Future<float[]> ahead;

        StreamedImages(Path[] files, ImageDecoder decoder) {
            this.files = files;
            this.decoder = decoder;
        }

        @Override
        public synchronized void read(int[] order, int from, int to, float[] out) {
            float[] ready = null;
            if (ahead != null && aheadOrder == order && aheadFrom == from && aheadTo == to) {
                try {
                    ready = ahead.get();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new DataException("interrupted while reading images", e);
                } catch (java.util.concurrent.ExecutionException e) {
                    throw e.getCause() instanceof DataException d ? d : new DataException("reading images: " + io.deepnets.FailureText.describe(e.getCause()),
                            e.getCause());
                }
            } else if (ahead != null) {
                ahead.cancel(false);
            }
            ahead = null;
            if (ready != null) {
                System.arraycopy(ready, 0, out, 0, ready.length);
            } else {
                decodeRange(order, from, to, out);
            }
            int nextTo = Math.min(order.length, to + (to - from));
            if (to < nextTo) {
                int[] o = order;
                int f = to;
                aheadOrder = order;
                aheadFrom = to;
                aheadTo = nextTo;
                ahead = AHEAD.submit(() -> {
                    float[] buf = new float[(nextTo - f) * decoder.featureSize()];
                    decodeRange(o, f, nextTo, buf);
                    return buf;
                });
            }
        }

        private void decodeRange(int[] order, int from, int to, float[] out) {
            int size = decoder.featureSize();
            for (int i = from; i < to; i++) {
                decodeOrFail(decoder, files[order[i]], out, (i - from) * size);
            }
        }

        @Override
        public ImageSet.ImageSource select(int[] indices) {
            Path[] chosen = new Path[indices.length];
            for (int i = 0; i < indices.length; i++) {
                chosen[i] = files[indices[i]];
            }
            return new StreamedImages(chosen, decoder);
        }
    }
}
