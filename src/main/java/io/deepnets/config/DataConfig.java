package io.deepnets.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Which data, where, and how it is split.
 *
 * @param dataset {@code mnist}, {@code cifar10}, or {@code idx} (any MNIST-format dataset in {@code path})
 * @param path for {@code idx}: the folder holding train-/t10k- images and labels (IDX, plain or gzip); else null
 * @param dataDir the data directory to look in first (after {@code --data-dir}); null for the default lookup
 * @param validationSplit Keras {@code validation_split}: the LAST fraction of the training arrays, cut before
 *     shuffling; null when the test set is the validation data
 * @param validationOnTest Keras {@code validation_data=(x_test, y_test)}
 * @param trainSubset use only the first N training samples (before the split), for quick runs; null for all
 * @param testSubset use only the first N test samples; null for all
 * @param classNames names of the classes for {@code idx} datasets; null for the dataset's own
 * @param testSplit for datasets without a test set of their own ({@code digits}): the fraction held out as the
 *     test set by a seeded random split, as scikit-learn's {@code train_test_split(test_size=...)}; else null
 * @param splitSeed the experiment's seed, which draws that split (not a key of its own)
 * @param folder for {@code folder}: how the images are decoded and sized; else null
 * @param classes for {@code cifar10}: the classes to keep, labels renumbered in this order; null for all ten
 * @param augment random changes to the training images (never validation or test); null for none
 * @param testTimeAugment the views of each test image whose predictions are averaged in the final test evaluation
 *     ({@code data.test_time_augment}); null for the image alone
 */
public record DataConfig(String dataset, String path, String dataDir, Double validationSplit, boolean validationOnTest,
        Integer trainSubset, Integer testSubset, List<String> classNames, Double testSplit, long splitSeed, ImageFolder folder,
        List<String> classes, Augmentation augment, TestTimeAugmentation testTimeAugment) {

    public static final List<String> DATASETS = List.of("mnist", "cifar10", "idx", "digits", "folder");

    /** The ten CIFAR-10 classes in label order, what {@code classes} may list. */
    public static final List<String> CIFAR10_CLASSES = List.of("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse",
            "ship", "truck");

    /**
     * How a folder of photos becomes arrays, as Keras's {@code image_dataset_from_directory(image_size, color_mode)} with
     * the resize stated: {@code pad} keeps the aspect ratio and pads with black (Keras {@code pad_to_aspect_ratio}),
     * {@code stretch} ignores it (Keras's default), {@code crop} keeps it and cuts the centre (Keras
     * {@code crop_to_aspect_ratio}).
     *
     * @param cache {@code auto} keeps decoded images in memory when they fit the cache limit, else streams them per batch;
     *     {@code memory} or {@code stream} forces one
     */
    public record ImageFolder(int height, int width, int channels, String resize, boolean skipBadImages, String cache) {
        public static final List<String> RESIZE = List.of("stretch", "pad", "crop");
        public static final List<String> CACHE = List.of("auto", "memory", "stream");
        /** The largest image side accepted, so that one image's floats stay far from the array limits. */
        public static final int MAX_SIDE = 4096;

        public ImageFolder {
            if (height < 1 || width < 1 || height > MAX_SIDE || width > MAX_SIDE) {
                throw new ConfigException("data.image_size", "expected [height, width], each 1.." + MAX_SIDE + ", got [" + height + ", " + width + "]");
            }
            if (channels != 1 && channels != 3) {
                throw new ConfigException("data.channels", "expected 1 (grey) or 3 (RGB), got " + channels);
            }
            if (!RESIZE.contains(resize)) {
                throw new ConfigException("data.resize", "expected one of " + String.join(", ", RESIZE) + ", got '" + resize + "'");
            }
            if (!CACHE.contains(cache)) {
                throw new ConfigException("data.cache", "expected one of " + String.join(", ", CACHE) + ", got '" + cache + "'");
            }
        }

        Map<String, Object> toMap() {
            return ConfigMaps.of("image_size", List.of(height, width), "channels", channels, "resize", resize, "skip_bad_images", skipBadImages,
                    "cache", cache);
        }
    }

    /**
     * Keras's {@code ImageDataGenerator} augmentation with its meaning: a shift is a fraction of the width/height or a
     * number of pixels ({@link Shift}), {@code rotation} is a range in degrees, {@code zoom} z draws a scale in
     * [1 - z, 1 + z]. {@code fillMode} is Keras's {@code fill_mode}, what a point outside the image takes: the nearest edge
     * pixel ({@code nearest}, Keras's default), {@code cval} ({@code constant}: a point outside the image in either
     * direction takes it whole, as scipy's {@code affine_transform} with {@code mode='constant'} that Keras calls), the
     * image reflected about its edge ({@code reflect}, "abcd|dcba") or repeated ({@code wrap}, "abcd|abcd"). With
     * whole-pixel shifts, {@code constant} gives torchvision's {@code RandomCrop(size, padding)} (black borders with
     * {@code cval: 0}); {@code cval} is a pixel value in [0, 1] (pixels are scaled to [0, 1] before the transform).
     *
     * <p>{@code cutout} is not an {@code ImageDataGenerator} argument: it is DeVries and Taylor's cutout
     * (arXiv:1708.04552, their reference code's {@code Cutout(n_holes=1, length)}), a square of {@code cutout} x
     * {@code cutout} pixels (an odd side cuts one less, as that code's {@code length // 2} either way) centred on a
     * pixel drawn uniformly over the image, clipped at the edges, set to {@code cutoutFill} in every channel after the
     * other changes; 0 for none. The fill is a pixel value in [0, 1] (0, black, by default, as Keras-CV's
     * {@code RandomCutout}'s {@code fill_value}); the reference code cuts after subtracting the dataset's mean colour,
     * so its holes are that mean, which {@code cutout_fill} near the mean (CIFAR-10's is about 0.47) reproduces.
     */
    public record Augmentation(boolean horizontalFlip, Shift widthShift, Shift heightShift, double rotation, double zoom, int cutout,
            double cutoutFill, String fillMode, double cval) {
        /** The longest cutout side accepted; {@link io.deepnets.config.DataConfig.ImageFolder#MAX_SIDE} bounds images too. */
        public static final int MAX_CUTOUT = ImageFolder.MAX_SIDE;
        /** Keras's {@code fill_mode} values, its default first. */
        public static final List<String> FILL_MODES = List.of("nearest", "constant", "reflect", "wrap");

        public Augmentation {
            Objects.requireNonNull(widthShift, "widthShift");
            Objects.requireNonNull(heightShift, "heightShift");
            fraction("data.augment.zoom", zoom);
            if (!(rotation >= 0 && rotation <= 180)) {
                throw new ConfigException("data.augment.rotation", "expected degrees in [0, 180], got " + rotation);
            }
            if (cutout < 0 || cutout > MAX_CUTOUT) {
                throw new ConfigException("data.augment.cutout", "expected the side of the square in pixels, 0 (none) to " + MAX_CUTOUT + ", got "
                        + cutout);
            }
            if (!(cutoutFill >= 0 && cutoutFill <= 1)) {
                throw new ConfigException("data.augment.cutout_fill", "expected a pixel value in [0, 1] (pixels are scaled to [0, 1]), got "
                        + cutoutFill);
            }
            if (cutoutFill != 0 && cutout == 0) {
                throw new ConfigException("data.augment.cutout_fill", "fills the cutout's square, but data.augment.cutout is not set");
            }
            Objects.requireNonNull(fillMode, "fillMode");
            if (!FILL_MODES.contains(fillMode)) {
                throw new ConfigException("data.augment.fill_mode", "expected one of " + String.join(", ", FILL_MODES) + ", got '" + fillMode + "'");
            }
            if (!(cval >= 0 && cval <= 1)) {
                throw new ConfigException("data.augment.cval", "expected a pixel value in [0, 1] (pixels are scaled to [0, 1]), got " + cval);
            }
            if (cval != 0 && !fillMode.equals("constant")) {
                throw new ConfigException("data.augment.cval", "fills points outside the image with fill_mode: constant, but data.augment.fill_mode is '"
                        + fillMode + "'");
            }
        }

        /** Edges repeated (Keras's default {@code fill_mode='nearest'}). */
        public Augmentation(boolean horizontalFlip, Shift widthShift, Shift heightShift, double rotation, double zoom, int cutout,
                double cutoutFill) {
            this(horizontalFlip, widthShift, heightShift, rotation, zoom, cutout, cutoutFill, "nearest", 0.0);
        }

        /** Cutout with black holes (fill 0). */
        public Augmentation(boolean horizontalFlip, Shift widthShift, Shift heightShift, double rotation, double zoom, int cutout) {
            this(horizontalFlip, widthShift, heightShift, rotation, zoom, cutout, 0.0);
        }

        /** Without cutout. */
        public Augmentation(boolean horizontalFlip, Shift widthShift, Shift heightShift, double rotation, double zoom) {
            this(horizontalFlip, widthShift, heightShift, rotation, zoom, 0);
        }

        /** Both shifts given as Keras floats (fractions below 1, pixels from 1 on). */
        public Augmentation(boolean horizontalFlip, double widthShift, double heightShift, double rotation, double zoom) {
            this(horizontalFlip, Shift.of("data.augment.width_shift", widthShift), Shift.of("data.augment.height_shift", heightShift), rotation,
                    zoom);
        }

        private static void fraction(String key, double v) {
            if (!(v >= 0 && v < 1)) {
                throw new ConfigException(key, "expected a fraction in [0, 1), got " + v);
            }
        }

        /** Whether any change is drawn at all. */
        public boolean changesAnything() {
            return horizontalFlip || widthShift.range() > 0 || heightShift.range() > 0 || rotation > 0 || zoom > 0 || cutout > 0;
        }

        Map<String, Object> toMap() {
            Map<String, Object> m = ConfigMaps.of("horizontal_flip", horizontalFlip, "width_shift", widthShift.yamlValue(),
                    "height_shift", heightShift.yamlValue(), "rotation", rotation, "zoom", zoom);
            if (cutout > 0) {
                // Only when set, so that the resolved config of a run without it reads as before.
                m.put("cutout", cutout);
            }
            if (cutoutFill != 0) {
                m.put("cutout_fill", cutoutFill);
            }
            if (!fillMode.equals("nearest")) {
                m.put("fill_mode", fillMode);
            }
            if (cval != 0) {
                m.put("cval", cval);
            }
            return m;
        }
    }

    /**
     * One of Keras's {@code width_shift_range}/{@code height_shift_range}, with Keras's three meanings: a float below 1
     * is a fraction of the size, drawn uniformly in [-range, range) x size; a float from 1 on is that many pixels,
     * drawn the same way; an integer n ({@code wholePixels}) draws a whole number of pixels, Keras's
     * {@code np.random.choice(n) * np.random.choice([-1, 1])}: 0 to n - 1 pixels either way, so {@code 5} shifts by up
     * to 4. Whole-pixel shifts move images without resampling them (the paper's pad-and-crop of CIFAR-10); fractional
     * ones are sampled bilinearly, which blurs.
     */
    public record Shift(double range, boolean wholePixels) {
        public static final Shift NONE = new Shift(0, false);

        public Shift {
            if (!(range >= 0) || Double.isInfinite(range)) {
                throw new IllegalArgumentException("a shift range is finite and not negative, got " + range);
            }
            if (wholePixels && range != Math.rint(range)) {
                throw new IllegalArgumentException("a whole-pixel shift range is an integer, got " + range);
            }
        }

        /** A Keras float range, with the config key for the message. */
        public static Shift of(String key, double range) {
            if (!(range >= 0) || Double.isInfinite(range)) {
                throw new ConfigException(key, "expected a fraction in [0, 1), a number of pixels or an integer, got " + range);
            }
            return new Shift(range, false);
        }

        /** Keras's integer form: whole pixels in [-(n - 1), n - 1]. */
        public static Shift wholePixels(String key, long n) {
            if (n < 0) {
                throw new ConfigException(key, "expected a fraction in [0, 1), a number of pixels or an integer, got " + n);
            }
            return new Shift(n, true);
        }

        Object yamlValue() {
            return wholePixels ? (Object) (int) range : (Object) range;
        }
    }

    /**
     * Test-time augmentation (Keras and PyTorch leave it to the user's own loop): each test image is scored as the mean
     * of the network's class probabilities for the image and for its mirror image ({@code horizontal_flip}, the view
     * Krizhevsky et al. averaged for AlexNet and the flip the training augmentation draws). It applies to the test
     * evaluation after training and to {@code predict} and {@code serve} with the run's model; the epochs' validation
     * stays one view, as Keras's {@code fit} computes it, so the history and its callbacks mean what they mean in Keras.
     */
    public record TestTimeAugmentation(boolean horizontalFlip) {
        /** How the report and metrics.json name the views. */
        public String describe() {
            return horizontalFlip ? "each image and its mirror image averaged" : "the image alone";
        }

        Map<String, Object> toMap() {
            return ConfigMaps.of("horizontal_flip", horizontalFlip);
        }
    }

    public DataConfig(String dataset, String path, String dataDir, Double validationSplit, boolean validationOnTest, Integer trainSubset,
            Integer testSubset, List<String> classNames, Double testSplit, long splitSeed, ImageFolder folder, List<String> classes,
            Augmentation augment) {
        this(dataset, path, dataDir, validationSplit, validationOnTest, trainSubset, testSubset, classNames, testSplit, splitSeed, folder, classes,
                augment, null);
    }

    public DataConfig(String dataset, String path, String dataDir, Double validationSplit, boolean validationOnTest, Integer trainSubset,
            Integer testSubset, List<String> classNames, Double testSplit, long splitSeed) {
        this(dataset, path, dataDir, validationSplit, validationOnTest, trainSubset, testSubset, classNames, testSplit, splitSeed, null, null, null);
    }

    /** Datasets that come as one set of samples and need {@code test_split}. */
    public static final List<String> WITHOUT_TEST_SET = List.of("digits");

    public DataConfig(String dataset, String path, String dataDir, Double validationSplit, boolean validationOnTest, Integer trainSubset,
            Integer testSubset, List<String> classNames) {
        this(dataset, path, dataDir, validationSplit, validationOnTest, trainSubset, testSubset, classNames, null, 42);
    }

    public DataConfig {
        if (!DATASETS.contains(dataset)) {
            throw new ConfigException("data.dataset", "expected one of " + String.join(", ", DATASETS) + ", got '" + dataset + "'");
        }
        if ("folder".equals(dataset) && (path == null || path.isBlank())) {
            throw new ConfigException("data.path", "is required for dataset folder (a folder with one sub-folder of images per class, "
                    + "or train/ and test/ folders that each have them)");
        }
        if ("folder".equals(dataset) && folder == null) {
            throw new ConfigException("data.image_size", "is required for dataset folder ([height, width] every image is resized to)");
        }
        if (!"folder".equals(dataset) && folder != null) {
            throw new ConfigException("data.image_size", "only applies to dataset folder; " + dataset + " has a fixed image size");
        }
        if (classes != null) {
            if (!"cifar10".equals(dataset)) {
                throw new ConfigException("data.classes", "only applies to dataset cifar10 (folder datasets take their classes from the sub-folders)");
            }
            if (classes.size() < 2) {
                throw new ConfigException("data.classes", "expected at least two of " + String.join(", ", CIFAR10_CLASSES) + ", got " + classes);
            }
            for (int i = 0; i < classes.size(); i++) {
                if (!CIFAR10_CLASSES.contains(classes.get(i))) {
                    throw new ConfigException("data.classes[" + i + "]", "expected one of " + String.join(", ", CIFAR10_CLASSES) + ", got '"
                            + classes.get(i) + "'");
                }
                if (classes.indexOf(classes.get(i)) != i) {
                    throw new ConfigException("data.classes[" + i + "]", "'" + classes.get(i) + "' is listed twice");
                }
            }
            classes = List.copyOf(classes);
        }
        if (augment != null && !augment.changesAnything()) {
            augment = null;
        }
        if (testTimeAugment != null && !testTimeAugment.horizontalFlip()) {
            testTimeAugment = null;
        }
        if (WITHOUT_TEST_SET.contains(dataset) && testSplit == null) {
            throw new ConfigException("data.test_split", "is required for dataset " + dataset
                    + ", which has no test set of its own (e.g. 0.2 holds out a random 20%)");
        }
        if (testSplit != null && !WITHOUT_TEST_SET.contains(dataset) && !"folder".equals(dataset)) {
            throw new ConfigException("data.test_split", "only applies to " + String.join(", ", WITHOUT_TEST_SET) + "; " + dataset
                    + " has its own test set");
        }
        if (testSplit != null && !(testSplit > 0.0 && testSplit < 1.0)) {
            throw new ConfigException("data.test_split", "expected a fraction between 0 and 1 (exclusive), got " + testSplit);
        }
        if ("idx".equals(dataset) && (path == null || path.isBlank())) {
            throw new ConfigException("data.path", "is required for dataset idx (the folder with the IDX files)");
        }
        if (!"idx".equals(dataset) && !"folder".equals(dataset) && path != null) {
            throw new ConfigException("data.path", "only applies to datasets idx and folder; " + dataset + " is looked up in the data directory");
        }
        if (validationSplit != null && validationOnTest) {
            throw new ConfigException("data.validation_split", "give either validation_split or validation_data: test, not both");
        }
        if (validationSplit == null && !validationOnTest) {
            throw new ConfigException("data", "needs validation_split (e.g. 0.2) or validation_data: test");
        }
        if (validationSplit != null && !(validationSplit > 0.0 && validationSplit < 1.0)) {
            throw new ConfigException("data.validation_split", "expected a fraction between 0 and 1 (exclusive), got " + validationSplit);
        }
        if (trainSubset != null && trainSubset < 2) {
            throw new ConfigException("data.train_subset", "expected an integer >= 2, got " + trainSubset);
        }
        if (testSubset != null && testSubset < 1) {
            throw new ConfigException("data.test_subset", "expected a positive integer, got " + testSubset);
        }
        if (classNames != null && !"idx".equals(dataset)) {
            throw new ConfigException("data.class_names", "only applies to dataset idx");
        }
        classNames = classNames == null ? null : List.copyOf(classNames);
    }

    Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("dataset", dataset);
        if (path != null) {
            m.put("path", path);
        }
        if (dataDir != null) {
            m.put("data_dir", dataDir);
        }
        if (validationOnTest) {
            m.put("validation_data", "test");
        } else {
            m.put("validation_split", validationSplit);
        }
        if (trainSubset != null) {
            m.put("train_subset", trainSubset);
        }
        if (testSubset != null) {
            m.put("test_subset", testSubset);
        }
        if (testSplit != null) {
            m.put("test_split", testSplit);
        }
        if (classNames != null) {
            m.put("class_names", classNames);
        }
        if (folder != null) {
            m.putAll(folder.toMap());
        }
        if (classes != null) {
            m.put("classes", classes);
        }
        if (augment != null) {
            m.put("augment", augment.toMap());
        }
        if (testTimeAugment != null) {
            m.put("test_time_augment", testTimeAugment.toMap());
        }
        return m;
    }
}
