package io.deepnets.runs;

/**
 * Named points in the writing of a run folder where the crash-safety tests stop the process dead, as
 * {@code kill -9} would: no finally blocks, no shutdown hooks, files as they are at that instant. Inactive unless
 * the JVM is started with {@code -Ddeepnets.fault=POINT:N} (halt the N-th time POINT is reached, exit code 137);
 * the check is one comparison of a constant.
 */
public final class FaultInjection {
    private static final String[] SPEC = parse(System.getProperty("deepnets.fault"));
    private static int reached;

    private FaultInjection() {
    }

    private static String[] parse(String value) {
        if (value == null || !value.matches("[a-z.-]+:\\d+")) {
            return null;
        }
        return value.split(":");
    }

    /** Marks that the writer reached {@code point}; halts the JVM there when a test asked for it. */
    public static void reach(String point) {
        if (SPEC == null || !SPEC[0].equals(point)) {
            return;
        }
        synchronized (FaultInjection.class) {
            if (++reached == Integer.parseInt(SPEC[1])) {
                System.out.flush();
                Runtime.getRuntime().halt(137);
            }
        }
    }
}
