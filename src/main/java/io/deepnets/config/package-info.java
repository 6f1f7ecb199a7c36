/**
 * Experiment configs: safe YAML parsing, immutable records that validate themselves with key-path messages,
 * {@code --set} overrides, and the resolved config written into each run folder. Knows nothing of DL4J.
 */
package io.deepnets.config;
