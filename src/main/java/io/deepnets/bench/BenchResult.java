package io.deepnets.bench;

/**
 * Throughput of one config.
 *
 * @param trainSamplesPerSecond full training steps (forward, backward, update) after warm-up
 * @param trainMsPerStep milliseconds per training step of {@code batchSize} samples
 * @param inferenceSamplesPerSecond {@code output()} without dropout, batches of {@code batchSize}
 * @param helpers the layer helper classes DL4J uses (oneDNN), or "none"
 * @param step the training step implementation: DL4J's {@code fit}, or deepnets's dense step
 * @param declined why each faster step declined the network, by step kind (empty with {@code --dl4j-fit})
 */
public record BenchResult(String experiment, String data, int batchSize, int steps, double trainSamplesPerSecond, double trainMsPerStep,
        double inferenceSamplesPerSecond, String helpers, String step, java.util.Map<String, String> declined) {
}
