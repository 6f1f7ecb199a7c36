package io.deepnets.config;

import java.util.Map;

/**
 * The optimizer, with Keras's names and defaults. {@code decay} is Keras's legacy time-based decay, applied per
 * batch: {@code lr_t = learning_rate / (1 + decay * iteration)}.
 */
public sealed interface OptimizerConfig {

    String name();

    /** The learning rate before any decay. */
    double learningRate();

    double decay();

    Map<String, Object> toMap();

    /** Keras {@code RMSprop(learning_rate=0.001, rho=0.9, epsilon=1e-7)}. */
    record RmsProp(double learningRate, double rho, double epsilon, double decay) implements OptimizerConfig {
        public RmsProp {
            positive("learning_rate", learningRate);
            unit("rho", rho);
            positive("epsilon", epsilon);
            nonNegative("decay", decay);
        }

        public String name() {
            return "rmsprop";
        }

        public Map<String, Object> toMap() {
            return ConfigMaps.of("name", "rmsprop", "learning_rate", learningRate, "rho", rho, "epsilon", epsilon, "decay", decay);
        }
    }

    /**
     * Keras {@code Adadelta(learning_rate=1.0, rho=0.95, epsilon=1e-7)}. DL4J's AdaDelta has no learning rate: its
     * update equals Keras's with learning_rate 1.0, so any other value (or a decay of it) is rejected, not ignored.
     */
    record Adadelta(double learningRate, double rho, double epsilon, double decay) implements OptimizerConfig {
        public Adadelta {
            if (learningRate != 1.0) {
                throw new ConfigException("learning_rate", "DL4J's AdaDelta has no learning rate (it behaves as Keras's learning_rate 1.0); expected 1.0, got " + learningRate);
            }
            unit("rho", rho);
            positive("epsilon", epsilon);
            if (decay != 0.0) {
                throw new ConfigException("decay", "DL4J's AdaDelta has no learning rate to decay; expected 0, got " + decay);
            }
        }

        public String name() {
            return "adadelta";
        }

        public Map<String, Object> toMap() {
            return ConfigMaps.of("name", "adadelta", "learning_rate", learningRate, "rho", rho, "epsilon", epsilon, "decay", decay);
        }
    }

    /** Keras {@code Adam(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7)}. */
    record Adam(double learningRate, double beta1, double beta2, double epsilon, double decay) implements OptimizerConfig {
        public Adam {
            positive("learning_rate", learningRate);
            unit("beta_1", beta1);
            unit("beta_2", beta2);
            positive("epsilon", epsilon);
            nonNegative("decay", decay);
        }

        public String name() {
            return "adam";
        }

        public Map<String, Object> toMap() {
            return ConfigMaps.of("name", "adam", "learning_rate", learningRate, "beta_1", beta1, "beta_2", beta2, "epsilon", epsilon, "decay", decay);
        }
    }

    /**
     * Keras {@code SGD(learning_rate=0.01, momentum=0.0, nesterov=False)}: plain SGD, classical (heavy-ball) momentum
     * ({@code momentum > 0}, {@code nesterov: false}; DL4J has none, the mapper brings its own updater) or Nesterov
     * momentum ({@code nesterov: true}).
     */
    record Sgd(double learningRate, double momentum, boolean nesterov, double decay) implements OptimizerConfig {
        public Sgd {
            positive("learning_rate", learningRate);
            if (!(momentum >= 0.0 && momentum < 1.0)) {
                throw new ConfigException("momentum", "expected a number in [0, 1), got " + momentum);
            }
            if (nesterov && momentum == 0.0) {
                throw new ConfigException("nesterov", "Nesterov momentum needs momentum > 0");
            }
            nonNegative("decay", decay);
        }

        public String name() {
            return "sgd";
        }

        public Map<String, Object> toMap() {
            return ConfigMaps.of("name", "sgd", "learning_rate", learningRate, "momentum", momentum, "nesterov", nesterov, "decay", decay);
        }
    }

    private static void positive(String key, double v) {
        if (!(v > 0.0) || Double.isInfinite(v)) {
            throw new ConfigException(key, "expected a positive number, got " + v);
        }
    }

    private static void nonNegative(String key, double v) {
        if (!(v >= 0.0) || Double.isInfinite(v)) {
            throw new ConfigException(key, "expected a number >= 0, got " + v);
        }
    }

    private static void unit(String key, double v) {
        if (!(v > 0.0 && v < 1.0)) {
            throw new ConfigException(key, "expected a number between 0 and 1 (exclusive), got " + v);
        }
    }

}
