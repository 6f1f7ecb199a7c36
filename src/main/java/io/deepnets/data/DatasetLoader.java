package io.deepnets.data;

import io.deepnets.config.DataConfig;
import io.deepnets.config.TensorShape;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Finds, (if need be) downloads, verifies and reads a dataset. Lookup order is {@link DataDirectories}'s; when
 * nothing is found the files are downloaded into the first directory, and when that fails too the error names
 * every directory searched and the files expected.
 */
public final class DatasetLoader {
    static final List<String> MNIST_FILES = List.of("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
            "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte");
    static final List<String> CIFAR_CLASSES = List.of("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse",
            "ship", "truck");
    static final String CIFAR_ARCHIVE = "cifar-10-binary.tar.gz";
    static final String DIGITS_FILE = "optdigits.tes";
    static final String DIGITS_URL = "https://archive.ics.uci.edu/ml/machine-learning-databases/optdigits/optdigits.tes";
    /** The copy scikit-learn ships as load_digits() (../shared/datasets/digits/SHA256SUMS). */
    static final String DIGITS_SHA256 = "6ebb3d2fee246a4e99363262ddf8a00a3c41bee6014c373ed9d9216ba7f651b8";

    private final DataDirectories dirs;
    private final DataSources sources;
    private final PrintStream progress;
    private final int cifarRecordsPerFile;

    public DatasetLoader(DataDirectories dirs, DataSources sources, PrintStream progress) {
        this(dirs, sources, progress, 10_000);
    }

    DatasetLoader(DataDirectories dirs, DataSources sources, PrintStream progress, int cifarRecordsPerFile) {
        this.dirs = dirs;
        this.sources = sources;
        this.progress = progress;
        this.cifarRecordsPerFile = cifarRecordsPerFile;
    }

    /**
     * Loads the dataset a config names, looking in {@code --data-dir} (may be null), the config's data_dir,
     * {@code $DEEPNETS_DATA} (from {@code env}) and {@code ~/.deepnets/data}, in that order.
     */
    public static LoadedDataset forConfig(DataConfig config, Path cliDataDir, Map<String, String> env, DataSources sources,
            PrintStream progress) {
        return new DatasetLoader(DataDirectories.resolve(cliDataDir, config.dataDir(), env), sources, progress).load(config);
    }

    public LoadedDataset load(DataConfig config) {
        return switch (config.dataset()) {
            case "mnist" -> loadIdx("mnist", mnistFolder(), null);
            case "cifar10" -> config.classes() == null ? loadCifar() : keepClasses(loadCifar(), config.classes());
            case "folder" -> new FolderDataset(config, imageFolder(config.path()), progress).load();
            case "digits" -> loadDigits();
            default -> {
                Path folder = Path.of(config.path());
                if (findIdxFiles(folder).isEmpty()) {
                    throw new DataException("data.path " + folder.toAbsolutePath() + ": expected the IDX files "
                            + expectedIdxNames() + " (plain or .gz)");
                }
                yield loadIdx(folder.getFileName() == null ? "idx" : folder.getFileName().toString(), folder, config.classNames());
            }
        };
    }

    /**
     * A folder dataset's root: the path as given when it exists (relative to the working directory), else the same
     * relative path inside each data directory in lookup order ({@code path: catsdogs} finds
     * {@code $DEEPNETS_DATA/catsdogs}).
     */
    Path imageFolder(String path) {
        Path given = Path.of(path);
        if (Files.isDirectory(given) || given.isAbsolute()) {
            return given;
        }
        for (Path dir : dirs.searched()) {
            if (Files.isDirectory(dir.resolve(given))) {
                return dir.resolve(given);
            }
        }
        throw new DataException("data.path " + path + ": no such folder here or in the data directories ("
                + dirs.searched().stream().map(Path::toString).collect(Collectors.joining(", ")) + ")");
    }

    private static String expectedIdxNames() {
        return String.join(", ", MNIST_FILES);
    }

    /** The four IDX files in {@code folder} (each plain or gzip), or empty when any is missing. */
    static Optional<List<Path>> findIdxFiles(Path folder) {
        List<Path> found = new ArrayList<>();
        for (String name : MNIST_FILES) {
            Path gz = folder.resolve(name + ".gz");
            Path plain = folder.resolve(name);
            if (Files.isRegularFile(gz)) {
                found.add(gz);
            } else if (Files.isRegularFile(plain)) {
                found.add(plain);
            } else {
                return Optional.empty();
            }
        }
        return Optional.of(found);
    }

    private Path mnistFolder() {
        for (Path dir : dirs.searched()) {
            DownloadLeftovers.sweep(dir.resolve("mnist"), progress);
            if (findIdxFiles(dir.resolve("mnist")).isPresent()) {
                return dir.resolve("mnist");
            }
        }
        Path target = dirs.searched().get(0).resolve("mnist");
        List<String> failures = new ArrayList<>();
        Downloader.DownloadFailure lastFailure = null;
        for (String name : MNIST_FILES) {
            String file = name + ".gz";
            if (Files.isRegularFile(target.resolve(file))) {
                continue;
            }
            boolean ok = false;
            for (String base : sources.mnistBases()) {
                try {
                    new Downloader(progress).fetch(base + file, target.resolve(file), sources.mnistMd5().get(file));
                    ok = true;
                    break;
                } catch (Downloader.DownloadFailure e) {
                    failures.add(base + file + ": " + e.getMessage());
                    lastFailure = e;
                }
            }
            if (!ok) {
                throw notFound("MNIST", "mnist", MNIST_FILES.stream().map(n -> n + ".gz").collect(Collectors.joining(", ")), failures,
                        lastFailure);
            }
        }
        return target;
    }

    private DataException notFound(String what, String sub, String files, List<String> failures) {
        return notFound(what, sub, files, failures, null);
    }

    private DataException notFound(String what, String sub, String files, List<String> failures, Throwable cause) {
        String searched = dirs.searched().stream().map(d -> d.resolve(sub).toString()).collect(Collectors.joining(", "));
        return new DataException(what + " not found: searched " + searched + " for " + files
                + "; the download failed (" + String.join("; ", failures) + "). Put the files in one of those folders, or pass --data-dir", cause);
    }

    private LoadedDataset loadIdx(String name, Path folder, List<String> classNames) {
        List<Path> files = findIdxFiles(folder).orElseThrow();
        IdxReader.IdxImages trainImages = IdxReader.readImages(files.get(0));
        byte[] trainLabels = IdxReader.readLabels(files.get(1));
        IdxReader.IdxImages testImages = IdxReader.readImages(files.get(2));
        byte[] testLabels = IdxReader.readLabels(files.get(3));
        check(files.get(0), trainImages.count(), files.get(1), trainLabels.length);
        check(files.get(2), testImages.count(), files.get(3), testLabels.length);
        if (testImages.rows() != trainImages.rows() || testImages.cols() != trainImages.cols()) {
            throw new DataException(files.get(2) + ": images are " + testImages.rows() + "x" + testImages.cols()
                    + " but the training images are " + trainImages.rows() + "x" + trainImages.cols());
        }
        int maxLabel = 0;
        for (int f = 0; f < 2; f++) {
            byte[] labels = f == 0 ? trainLabels : testLabels;
            for (int i = 0; i < labels.length; i++) {
                int label = labels[i] & 0xFF;
                if ("mnist".equals(name) && label > 9) {
                    throw new DataException(files.get(f == 0 ? 1 : 3) + ": label " + label + " at record " + i + "; MNIST labels are the digits 0..9");
                }
                maxLabel = Math.max(maxLabel, label);
            }
        }
        List<String> names = classNames;
        if (names == null) {
            names = new ArrayList<>();
            for (int i = 0; i <= Math.max(maxLabel, 1); i++) {
                names.add(String.valueOf(i));
            }
        } else if (maxLabel >= names.size()) {
            throw new DataException("data.class_names has " + names.size() + " names but the labels go up to " + maxLabel);
        }
        int featureSize = trainImages.rows() * trainImages.cols();
        Map<String, String> sums = new LinkedHashMap<>();
        for (Path f : files) {
            sums.put(f.toAbsolutePath().toString(), Checksums.sha256(f));
        }
        return new LoadedDataset(name, List.copyOf(names), TensorShape.of(trainImages.rows(), trainImages.cols(), 1),
                ImageSet.fromBytes(trainImages.pixels(), toInts(trainLabels), featureSize),
                ImageSet.fromBytes(testImages.pixels(), toInts(testLabels), featureSize), sums);
    }

    private static void check(Path images, int imageCount, Path labels, int labelCount) {
        if (imageCount != labelCount) {
            throw new DataException(labels + ": " + labelCount + " labels for the " + imageCount + " images of " + images);
        }
    }

    private static int[] toInts(byte[] labels) {
        int[] out = new int[labels.length];
        for (int i = 0; i < labels.length; i++) {
            out[i] = labels[i] & 0xFF;
        }
        return out;
    }

    private LoadedDataset loadCifar() {
        Path batches = null;
        Map<String, String> sums = new LinkedHashMap<>();
        for (Path dir : dirs.searched()) {
            DownloadLeftovers.sweep(dir.resolve("cifar10"), progress);
            Path extracted = dir.resolve("cifar10").resolve(CifarArchive.FOLDER);
            if (Files.isRegularFile(extracted.resolve("test_batch.bin"))) {
                batches = extracted;
                break;
            }
            Path archive = dir.resolve("cifar10").resolve(CIFAR_ARCHIVE);
            if (Files.isRegularFile(archive)) {
                String sha = Checksums.sha256(archive);
                sums.put(archive.toAbsolutePath().toString(), sha);
                batches = CifarArchive.extracted(archive, sha, dirs.cache());
                break;
            }
        }
        if (batches == null) {
            Path archive = dirs.searched().get(0).resolve("cifar10").resolve(CIFAR_ARCHIVE);
            try {
                new Downloader(progress).fetch(sources.cifarUrl(), archive, sources.cifarMd5());
            } catch (Downloader.DownloadFailure e) {
                throw notFound("CIFAR-10", "cifar10", CIFAR_ARCHIVE + " or " + CifarArchive.FOLDER + "/*.bin",
                        List.of(sources.cifarUrl() + ": " + e.getMessage()), e);
            }
            String sha = Checksums.sha256(archive);
            sums.put(archive.toAbsolutePath().toString(), sha);
            batches = CifarArchive.extracted(archive, sha, dirs.cache());
        }
        List<Path> trainFiles = CifarArchive.trainFiles().stream().map(batches::resolve).toList();
        Path testFile = batches.resolve("test_batch.bin");
        for (Path f : trainFiles) {
            if (!Files.isRegularFile(f)) {
                throw new DataException(f + ": missing CIFAR-10 batch file");
            }
        }
        if (sums.isEmpty()) {
            for (Path f : trainFiles) {
                sums.put(f.toAbsolutePath().toString(), Checksums.sha256(f));
            }
            sums.put(testFile.toAbsolutePath().toString(), Checksums.sha256(testFile));
        }
        Cifar10BinaryReader.Records train = Cifar10BinaryReader.read(trainFiles, cifarRecordsPerFile);
        Cifar10BinaryReader.Records test = Cifar10BinaryReader.read(List.of(testFile), cifarRecordsPerFile);
        return new LoadedDataset("cifar10", cifarClassNames(batches), TensorShape.of(32, 32, 3),
                ImageSet.fromBytes(train.pixels(), train.labels(), Cifar10BinaryReader.IMAGE_BYTES),
                ImageSet.fromBytes(test.pixels(), test.labels(), Cifar10BinaryReader.IMAGE_BYTES), sums);
    }

    /**
     * CIFAR-10 restricted to {@code data.classes}: the other images dropped (order kept), labels renumbered in the
     * listed order. {@code data}'s arrays are reused: it is not to be read afterwards.
     */
    static LoadedDataset keepClasses(LoadedDataset data, List<String> keep) {
        int[] newLabel = new int[data.classNames().size()];
        java.util.Arrays.fill(newLabel, -1);
        for (int i = 0; i < keep.size(); i++) {
            newLabel[data.classNames().indexOf(keep.get(i))] = i;
        }
        return new LoadedDataset(data.name(), List.copyOf(keep), data.shape(), relabel(data.train(), newLabel), relabel(data.test(), newLabel),
                data.checksums());
    }

    /**
     * The kept images moved to the front of the loader's own array, in order (no copy of the set: it would be held
     * twice while the copy is made), and their new labels.
     */
    private static ImageSet relabel(ImageSet set, int[] newLabel) {
        float[] f = set.features();
        int size = set.featureSize();
        int[] labels = new int[set.count()];
        int kept = 0;
        for (int i = 0; i < set.count(); i++) {
            int label = newLabel[set.labels()[i]];
            if (label >= 0) {
                if (kept != i) {
                    System.arraycopy(f, i * size, f, kept * size, size);
                }
                labels[kept++] = label;
            }
        }
        return new ImageSet(f, java.util.Arrays.copyOf(labels, kept), kept, size);
    }

    /** The 8x8 digits (one file, no test set of its own: {@code SplitDataset} holds out {@code test_split}). */
    private LoadedDataset loadDigits() {
        Path file = null;
        for (Path dir : dirs.searched()) {
            DownloadLeftovers.sweep(dir.resolve("digits"), progress);
            if (Files.isRegularFile(dir.resolve("digits").resolve(DIGITS_FILE))) {
                file = dir.resolve("digits").resolve(DIGITS_FILE);
                break;
            }
        }
        String sha = null;
        if (file == null) {
            Path target = dirs.searched().get(0).resolve("digits").resolve(DIGITS_FILE);
            try {
                new Downloader(progress).fetch(DIGITS_URL, target, null);
            } catch (Downloader.DownloadFailure e) {
                throw notFound("The 8x8 digits", "digits", DIGITS_FILE, List.of(DIGITS_URL + ": " + e.getMessage()), e);
            }
            sha = Checksums.sha256(target);
            if (!DIGITS_SHA256.equals(sha)) {
                try {
                    Files.deleteIfExists(target);
                } catch (IOException ignored) {
                    // the next run downloads again either way
                }
                throw new DataException(DIGITS_URL + ": the downloaded file's SHA-256 is " + sha + ", expected " + DIGITS_SHA256);
            }
            file = target;
        }
        ImageSet all = DigitsReader.read(file);
        Map<String, String> sums = new LinkedHashMap<>();
        sums.put(file.toAbsolutePath().toString(), sha != null ? sha : Checksums.sha256(file));
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            names.add(String.valueOf(i));
        }
        return new LoadedDataset("digits", List.copyOf(names), TensorShape.of(8, 8, 1), all,
                new ImageSet(new float[0], new int[0], 0, DigitsReader.PIXELS), sums);
    }

    private static List<String> cifarClassNames(Path batches) {
        Path meta = batches.resolve("batches.meta.txt");
        if (Files.isRegularFile(meta)) {
            try {
                List<String> names = Files.readAllLines(meta, StandardCharsets.UTF_8).stream().map(String::trim)
                        .filter(s -> !s.isEmpty()).toList();
                if (names.size() == 10) {
                    return names;
                }
            } catch (IOException e) {
                throw new DataException(meta + ": cannot read (" + io.deepnets.FailureText.describe(e) + ")", e);
            }
        }
        return CIFAR_CLASSES;
    }
}
