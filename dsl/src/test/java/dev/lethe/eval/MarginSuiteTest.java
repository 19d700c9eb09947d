package dev.lethe.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

/** The per-example answer margins that KLoM compares ({@link MarginSuite}). */
class MarginSuiteTest {
    /**
     * Logits (2, 3, 4), targets [[1, 3, 0], [3, 0, 0]], mask [[1, 1, 0], [0, 1, 1]]; numpy:
     * {@code mean over masked t of z[b,t,y] − scipy.special.logsumexp(np.delete(z[b,t], y))}.
     */
    @Test
    void marginsMatchNumpy() {
        try (NDManager m = NDManager.newBaseManager()) {
            float[] z = {1, 2, 0, -1, 0.5f, 0.5f, 1.5f, 3, 9, -9, 4, 0, 0.2f, -1, 0.3f, 2, 1, 0, -1, 0, 30, 0, 1, 2};
            double[] margins = MarginSuite.meanMargins(m.create(z, new Shape(2, 3, 4)),
                    m.create(new long[] {1, 3, 0, 3, 0, 0}, new Shape(2, 3)),
                    m.create(new float[] {1, 1, 0, 0, 1, 1}, new Shape(2, 3)));
            // float32 logits: 1e-5
            assertArrayEquals(new double[] {0.7704746608117842, 13.865199615748685}, margins, 1e-5);
        }
    }
}
