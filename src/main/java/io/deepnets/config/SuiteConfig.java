package io.deepnets.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A suite: experiments run in order, each with the test accuracy it is expected to reach.
 *
 * <pre>
 * name: assignment
 * experiments:
 *   - config: ../configs/mnist-linear.yaml   # relative to the suite file
 *     set: [training.epochs=2]              # optional overrides, as --set
 *     reference: 0.92                       # the reference final test accuracy
 *     tolerance: 0.01                       # band = reference +- tolerance; or min: / max:
 * </pre>
 */
public record SuiteConfig(String name, String description, List<Entry> experiments) {

    /**
     * One experiment of a suite.
     *
     * @param config the experiment YAML, resolved against the suite file's folder
     * @param overrides {@code key.path=value} overrides applied to it
     * @param reference the expected final test accuracy
     * @param min the lowest accepted test accuracy
     * @param max the highest accepted test accuracy
     */
    public record Entry(Path config, List<String> overrides, double reference, double min, double max) {
        public Entry {
            overrides = List.copyOf(overrides);
            if (!(min <= max)) {
                throw new ConfigException("min", "the band is empty: min " + min + " > max " + max);
            }
        }

        public boolean accepts(double accuracy) {
            return accuracy >= min && accuracy <= max;
        }

        /** The band as people write it: {@code 0.92 +- 0.01} or {@code >= 0.975}. */
        public String band() {
            if (max >= 1.0) {
                return String.format(java.util.Locale.ROOT, ">= %.4f", min);
            }
            return String.format(java.util.Locale.ROOT, "%.4f..%.4f", min, max);
        }
    }

    public SuiteConfig {
        experiments = List.copyOf(experiments);
        if (experiments.isEmpty()) {
            throw new ConfigException("experiments", "expected at least one experiment");
        }
    }

    public static SuiteConfig load(Path file) {
        String text = YamlDocuments.readFile(file, "suite file");
        try {
            Object root = ConfigLoader.readYaml(text);
            if (root == null) {
                throw new ConfigException("", "the file is empty; expected a suite (name, experiments)");
            }
            YamlSection s = YamlSection.of("", root);
            String name = s.requireString("name");
            String description = s.optString("description", "");
            List<?> raw = s.requireList("experiments");
            s.rejectUnknown(List.of("name", "description", "experiments"));
            Path base = file.toAbsolutePath().getParent();
            List<Entry> entries = new ArrayList<>();
            for (int i = 0; i < raw.size(); i++) {
                String path = "experiments[" + i + "]";
                YamlSection e = YamlSection.of(path, raw.get(i));
                Path config = base.resolve(e.requireString("config")).normalize();
                if (!Files.isRegularFile(config)) {
                    throw new ConfigException(e.pathOf("config"), "no such config file: " + config);
                }
                List<String> overrides = e.optStringList("set");
                refuseRepeatedKeys(e.pathOf("set"), overrides);
                Double reference = e.optDouble("reference", null);
                if (reference == null) {
                    throw new ConfigException(e.pathOf("reference"), "is required (the reference test accuracy)");
                }
                Double tolerance = e.optDouble("tolerance", null);
                Double min = e.optDouble("min", null);
                Double max = e.optDouble("max", null);
                e.rejectUnknown(List.of("config", "set", "reference", "tolerance", "min", "max"));
                if (tolerance != null && (min != null || max != null)) {
                    throw new ConfigException(e.pathOf("tolerance"), "give either tolerance or min/max, not both");
                }
                if (tolerance == null && min == null) {
                    throw new ConfigException(path, "needs a band: tolerance (reference +- tolerance) or min (and optionally max)");
                }
                double lo = tolerance != null ? reference - tolerance : min;
                double hi = tolerance != null ? reference + tolerance : (max == null ? 1.0 : max);
                try {
                    entries.add(new Entry(config, overrides == null ? List.of() : overrides, reference, lo, hi));
                } catch (ConfigException ex) {
                    throw ex.under(path);
                }
            }
            return new SuiteConfig(name, description, entries);
        } catch (ConfigException e) {
            throw e.inFile(file.toString());
        }
    }

    /** Two entries of one {@code set} list writing one value: which the user meant is not ours to guess. */
    static void refuseRepeatedKeys(String where, List<String> assignments) {
        int[] repeat = ConfigOverrides.firstRepeat(assignments);
        if (repeat != null) {
            throw new ConfigException(where + "[" + repeat[0] + "]", "'" + assignments.get(repeat[0]) + "' sets the same value as '"
                    + assignments.get(repeat[1]) + "' (" + where + "[" + repeat[1] + "]); give each key once");
        }
    }
}
