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

    /**
     * Applies {@link #configured()} to libtorch, when the engine is PyTorch, and switches autograd off on the
     * calling thread: libtorch's grad mode is per thread and on in every new thread, while DJL switches it off
     * only on the thread that started the engine. A run on another thread (a Jupyter kernel runs each cell on a
     * new one) would otherwise record its in-place weight updates and fail with "a leaf Variable that requires
     * grad is being used in an in-place operation".
     */
    static void apply() {
        if ("PyTorch".equals(Engine.getInstance().getEngineName())) {
            if (JniUtils.isGradMode()) {
                JniUtils.setGradMode(false);
            }
            int n = configured();
            if (JniUtils.getNumThreads() != n) {
                JniUtils.setNumThreads(n);
            }
        }
    }
}
