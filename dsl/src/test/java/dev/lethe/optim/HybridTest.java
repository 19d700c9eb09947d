package dev.lethe.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDScope;
import org.junit.jupiter.api.Test;

/**
 * Hybrid first/zeroth order (Lang et al. 2025, "Downgrade to Upgrade"): the convex mix, the alternation schedule
 * (the default since issue 16), each branch's own rate scale and the normalised mix, by hand.
 */
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

    @Test
    void theDefaultIsThePapersAlternationWithPeriodTwo() {
        Hybrid h = Hybrid.KIND.defaults();
        assertEquals(Hybrid.Mode.ALTERNATE, h.mode());
        assertEquals(2, h.period());
        assertFalse(h.zerothOrderAt(0));
        assertTrue(h.zerothOrderAt(1));
        assertFalse(h.zerothOrderAt(2));
        try (Quadratic q = new Quadratic(true)) {
            q.run(Optimizers.chain(h, new ScaleByLearningRate(Schedules.constant(0.1))), 4);
            assertEquals(2, q.gradientCalls, "steps 0 and 2 are first order");
            assertEquals(2 * 2, q.lossCalls, "steps 1 and 3: L+, L− (the default SPSA has no exact loss)");
        }
    }

    @Test
    void eachBranchHasItsOwnRateScale() {
        // each estimate on a fresh quadratic: SPSA restores the weights only up to rounding, and its loss differences
        // magnify that, so every zeroth-order estimate here starts from the same θ₀, bit for bit
        long seed = 7;
        Spsa spsa = new Spsa(1e-3, 1, false);
        Hybrid h = new Hybrid(new FirstOrder(), spsa, Hybrid.Mode.ALTERNATE, 0.5, 2, 0.5, 0.01, false);
        float[] zo = zerothOrder(spsa, 0, seed);
        float[] second = zerothOrder(h, 1, seed);
        float[] plain = zerothOrder(Hybrid.alternate(new FirstOrder(), spsa, 2), 1, seed);
        try (Quadratic q = new Quadratic(true); NDScope scope = new NDScope()) {
            float[] g = q.gradient();
            float[] first = Quadratic.flat(h.estimate(q.oracle(), q.weights, 0, seed).direction());
            for (int i = 0; i < g.length; i++) {
                assertEquals(0.5f * g[i], first[i], 1e-6f, "first-order step at s_FO = 0.5");
                assertEquals(0.01f * zo[i], second[i], 1e-6f, "zeroth-order step at s_ZO = 0.01");
            }
        }
        assertArrayEquals(zo, plain, 0f, "a scale of 1 leaves the branch's direction as it is, bit for bit");
    }

    /** {@code e}'s direction at step {@code step} on a fresh quadratic. */
    private static float[] zerothOrder(Estimator e, long step, long seed) {
        try (Quadratic q = new Quadratic(true); NDScope scope = new NDScope()) {
            return Quadratic.flat(e.estimate(q.oracle(), q.weights, step, seed).direction());
        }
    }

    @Test
    void theNormalizedMixRescalesTheZerothOrderEstimateToTheGradientsNorm() {
        long seed = 42;
        Spsa spsa = new Spsa(1e-3, 1, false);
        float[] zo = zerothOrder(spsa, 0, Rng.derive(seed, 1));
        float[] d = zerothOrder(Hybrid.normalizedMix(new FirstOrder(), spsa, 0.3), 0, seed);
        try (Quadratic q = new Quadratic(true)) {
            float[] g = q.gradient();
            double gNorm = 0;
            double zoNorm = 0;
            for (int i = 0; i < g.length; i++) {
                gNorm += g[i] * (double) g[i];
                zoNorm += zo[i] * (double) zo[i];
            }
            double ratio = Math.sqrt(gNorm / zoNorm);
            double lambda = 0.3;
            for (int i = 0; i < g.length; i++) {
                assertEquals((1 - lambda) * g[i] + lambda * ratio * zo[i], d[i], 1e-5);
            }
        }
    }
}
