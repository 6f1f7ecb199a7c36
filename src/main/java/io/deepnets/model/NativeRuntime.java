package io.deepnets.model;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Sets ND4J / DL4J up for speed before the first network is built, and reports what is in use.
 *
 * <p>DL4J M2.1 creates no layer helpers unless the system property
 * {@code org.eclipse.deeplearning4j.helpers.disable} is {@code false} and the native environment allows
 * helpers; with both (and the {@code org.nd4j.nativeblas.Nd4jCpu} bridge) convolution and pooling run on
 * oneDNN instead of im2col + GEMM, several times faster. {@code DEEPNETS_HELPERS=off} turns them off; they are
 * only on with an onednn native build.
 */
public final class NativeRuntime {
    private static boolean configured;

    private NativeRuntime() {
    }

    /** Idempotent; call before building a network. */
    public static synchronized void configure() {
        if (configured) {
            return;
        }
        // Without oneDNN in the native build, DL4J's "MKLDNN" helpers call libnd4j's generic conv2d op, which
        // measured 10x slower than DL4J's own im2col path (76 vs 761 samples/s on the CIFAR-10 net): off then.
        // The CUDA build (mvn -Pcuda, classifier ...-cudnn) keeps them for cuDNN.
        String classifier = loadedClassifier();
        boolean helpers = !"off".equalsIgnoreCase(System.getenv("DEEPNETS_HELPERS"))
                && (classifier.contains("onednn") || classifier.contains("cudnn"));
        if (System.getProperty("org.eclipse.deeplearning4j.helpers.disable") == null) {
            System.setProperty("org.eclipse.deeplearning4j.helpers.disable", String.valueOf(!helpers));
        }
        Nd4j.getEnvironment().allowHelpers(helpers);
        Nd4j.setDefaultDataTypes(org.nd4j.linalg.api.buffer.DataType.FLOAT, org.nd4j.linalg.api.buffer.DataType.FLOAT);
        configured = true;
    }

    /** Whether libnd4j's oneDNN switch is on (it reads true on builds without oneDNN too: check the classifier). */
    public static boolean oneDnnEnabled() {
        try {
            return org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu.Environment.getInstance().isUseONEDNN();
        } catch (Throwable t) {
            return false;
        }
    }

    private static final java.util.List<String> CLASSIFIERS = java.util.List.of("linux-x86_64-onednn-avx512", "linux-x86_64-onednn-avx2",
            "linux-x86_64-onednn", "linux-x86_64-avx512", "linux-x86_64-avx2", "linux-x86_64");

    /** The native build on the class path (its libnd4jcpu resource), else the one the build selected. */
    static String loadedClassifier() {
        for (String c : CLASSIFIERS) {
            if (NativeRuntime.class.getResource("/org/nd4j/linalg/cpu/nativecpu/bindings/" + c + "/libnd4jcpu.so") != null) {
                return c;
            }
        }
        return BuildInfo.get("nd4j.classifier");
    }

    /** Backend facts for provenance and the benchmark. */
    public static Map<String, Object> describe() {
        configure();
        Map<String, Object> m = new LinkedHashMap<>();
        Properties env = Nd4j.getExecutioner().getEnvironmentInformation();
        m.put("nd4j_backend", Nd4j.getBackend().getClass().getSimpleName());
        m.put("native_classifier", loadedClassifier());
        m.put("onednn", loadedClassifier().contains("onednn") && oneDnnEnabled());
        m.put("layer_helpers", "false".equals(System.getProperty("org.eclipse.deeplearning4j.helpers.disable"))
                && Nd4j.getEnvironment().helpersAllowed());
        m.put("blas_vendor", String.valueOf(env.getOrDefault("blas.vendor", "unknown")));
        m.put("omp_threads", String.valueOf(env.getOrDefault("omp.threads", "unknown")));
        m.put("OMP_NUM_THREADS", String.valueOf(System.getenv("OMP_NUM_THREADS")));
        m.put("OMP_WAIT_POLICY", String.valueOf(System.getenv("OMP_WAIT_POLICY")));
        m.put("OMP_PROC_BIND", String.valueOf(System.getenv("OMP_PROC_BIND")));
        return m;
    }
}
