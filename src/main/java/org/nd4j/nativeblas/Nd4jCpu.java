package org.nd4j.nativeblas;

/**
 * Compatibility bridge so DL4J 1.0.0-M2.1's oneDNN layer helpers can engage.
 *
 * <p>{@code BaseMKLDNNHelper.mklDnnEnabled()} looks up {@code org.nd4j.nativeblas.Nd4jCpu$Environment} by
 * reflection and calls {@code isUseMKLDNN()}; nd4j-native M2.1 ships that class as
 * {@code org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu$Environment} with {@code isUseONEDNN()}. The failed
 * lookup leaves every ConvolutionLayer / SubsamplingLayer on the slow im2col path. This class answers the
 * lookup by forwarding to the real environment.
 */
public final class Nd4jCpu {
    private Nd4jCpu() {
    }

    /** The environment view {@code BaseMKLDNNHelper} expects. */
    public static final class Environment {
        private static final Environment INSTANCE = new Environment();

        private Environment() {
        }

        public static Environment getInstance() {
            return INSTANCE;
        }

        /** Whether libnd4j was built with oneDNN and has it switched on. */
        public boolean isUseMKLDNN() {
            return org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu.Environment.getInstance().isUseONEDNN();
        }
    }
}
