package dev.lethe.run;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;

/**
 * How many CPU threads libtorch may use inside one operation. Lethe uses one by default, because libtorch's
 * multi-threaded CPU kernels split work differently from run to run when other processes compete for the
 * cores, and the last bits of the results then differ between otherwise identical runs (measured: two
 * concurrent runs of the quickstart's learn stage first differed at step 4 with two threads, and were
 * identical over 200 steps with one; one thread cost 12 % more time on the quickstart model). Set the
 * system property {@code lethe.threads} to trade bit-reproducibility for speed on larger models.
 */
public final class Threads {
    /** The system property that overrides the default of one thread. */
    public static final String PROPERTY = "lethe.threads";

    private Threads() {}

    /** The configured intra-op thread count: {@code lethe.threads}, or 1. */
    public static int configured() {
        String v = System.getProperty(PROPERTY, "1");
        try {
            int n = Integer.parseInt(v.trim());
            if (n < 1) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("system property " + PROPERTY + " must be a positive integer, was '"
                    + v + "'", e);
        }
    }

    /** Applies {@link #configured()} to libtorch, when the engine is PyTorch. */
    static void apply() {
        if ("PyTorch".equals(Engine.getInstance().getEngineName())) {
            int n = configured();
            if (JniUtils.getNumThreads() != n) {
                JniUtils.setNumThreads(n);
            }
        }
    }
}
