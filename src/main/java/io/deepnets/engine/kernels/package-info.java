/**
 * The engine's kernels: each layer's forward and backward computation, written once per way of computing it. oneDNN's
 * primitives made once per shape and kept ({@link io.deepnets.engine.kernels.OneDnnConvolution}, {@link
 * io.deepnets.engine.kernels.OneDnnBatchNorm}, {@link io.deepnets.engine.kernels.OneDnnRelu}, {@link
 * io.deepnets.engine.kernels.OneDnnMaxPooling}, {@link io.deepnets.engine.kernels.OneDnnAdd}, {@link
 * io.deepnets.engine.kernels.OneDnnInnerProduct}, over {@link io.deepnets.engine.kernels.OneDnnPrimitives}); plain
 * Java loops where a layer is too small for a native call to pay ({@link io.deepnets.engine.kernels.RowKernels}, the
 * digits net); the activations both compute ({@link io.deepnets.engine.kernels.ActivationKind}); and {@link
 * io.deepnets.engine.kernels.FastBackpropRelu}, DL4J's ReLU with a cheaper backward pass for the networks DL4J's own
 * layers compute. Kernels read and write arrays they are given; which kernel runs where, and on which arrays, is the
 * plans' business (the {@code engine} package).
 *
 * <p>May not import the engine's steps ({@code io.deepnets.engine}) or its update ({@code engine.update}), nor any
 * package the engine may not import ({@code ArchitectureTest}).
 */
package io.deepnets.engine.kernels;
