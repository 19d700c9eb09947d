package dev.lethe.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDScope;
import org.junit.jupiter.api.Test;

/** Hybrid first/zeroth order ("Downgrade to Upgrade", 2025). */
class HybridTest {

    @Test
    void mixIsTheConvexCombinationOfBothEstimates() {
        try (Quadratic q = new Quadratic(true); NDScope scope = new NDScope()) {
            float[] g = q.gradient();
            long seed = 42;
            Spsa spsa = new Spsa(1e-3, 1, false);
            float[] zo = Quadratic.flat(spsa.estimate(q.oracle(), q.weights, Rng.derive(seed, 1)).direction());
            double lambda = 0.3;
            float[] expected = new float[g.length];
            for (int i = 0; i < g.length; i++) {
                expected[i] = (float) ((1 - lambda) * g[i] + lambda * zo[i]);
            }
            double lossBefore = q.loss();
            Estimator.Estimate e = Hybrid.mix(new FirstOrder(), spsa, lambda).estimate(q.oracle(), q.weights, 0, seed);
            assertArrayEquals(expected, Quadratic.flat(e.direction()), 1e-5f);
            assertEquals(lossBefore, e.loss().getFloat(), 0, "the first-order loss, at the unperturbed weights");
        }
    }

    @Test
    void alternatingUsesZerothOrderOnEveryKthStep() {
        Hybrid h = Hybrid.alternate(new FirstOrder(), new Spsa(), 3);
        assertFalse(h.zerothOrderAt(0));
        assertFalse(h.zerothOrderAt(1));
        assertTrue(h.zerothOrderAt(2));
        assertTrue(h.zerothOrderAt(5));
        try (Quadratic q = new Quadratic(true)) {
            q.run(Optimizers.chain(h, new ScaleByLearningRate(Schedules.constant(0.1))), 6);
            assertEquals(4, q.gradientCalls, "steps 0, 1, 3, 4 are first order");
            assertEquals(2 * 3, q.lossCalls, "steps 2 and 5: L+, L−, L(θ)");
        }
    }
}
