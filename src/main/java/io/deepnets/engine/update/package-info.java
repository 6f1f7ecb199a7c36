/**
 * The engine's update: {@link io.deepnets.engine.update.FlatUpdate}, every optimizer the configs offer written once,
 * as DL4J's updater computes it, over a network's flattened parameters, gradient and updater state. Every step but
 * DL4J's own {@code fit} ends with it.
 *
 * <p>May not import the engine's steps ({@code io.deepnets.engine}) or its kernels ({@code engine.kernels}), nor any
 * package the engine may not import ({@code ArchitectureTest}).
 */
package io.deepnets.engine.update;
