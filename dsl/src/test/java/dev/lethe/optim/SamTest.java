package dev.lethe.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDScope;
import org.junit.jupiter.api.Test;

/** SAM (Foret et al. 2021) and ASAM (Kwon et al. 2021) on the quadratic, where ∇L(θ + ε) = g + ε. */
class SamTest {

    @Test
    void samDirectionIsTheGradientAtThePerturbedPoint() {
        try (Quadratic q = new Quadratic(true); NDScope scope = new NDScope()) {
            float[] g = q.gradient();
            double norm = 0;
            for (float v : g) {
                norm += v * v;
            }
            norm = Math.sqrt(norm);
            double rho = 0.3;
            float[] expected = new float[g.length];
            for (int i = 0; i < g.length; i++) {
                expected[i] = (float) (g[i] + rho * g[i] / norm);
            }
            double lossBefore = q.loss();
            Estimator.Estimate e = Sam.of(new FirstOrder(), rho).estimate(q.oracle(), q.weights, 0);
            assertArrayEquals(expected, Quadratic.flat(e.direction()), 1e-5f);
            assertEquals(lossBefore, e.loss().getFloat(), 0, "the loss is at the unperturbed weights");
            assertEquals(2, q.gradientCalls);
        }
    }

    @Test
    void asamScalesThePerturbationByTheWeights() {
        try (Quadratic q = new Quadratic(true); NDScope scope = new NDScope()) {
            float[] g = q.gradient();
            float[] theta = q.flat();
            double rho = 0.5;
            double eta = 0.01;
            double norm = 0;
            for (int i = 0; i < g.length; i++) {
                double t = Math.abs(theta[i]) + eta;
                norm += (t * g[i]) * (t * g[i]);
            }
            norm = Math.sqrt(norm);
            float[] expected = new float[g.length];
            for (int i = 0; i < g.length; i++) {
                double t = Math.abs(theta[i]) + eta;
                expected[i] = (float) (g[i] + rho * t * t * g[i] / norm);
            }
            Estimator.Estimate e = Sam.adaptive(new FirstOrder(), rho, eta).estimate(q.oracle(), q.weights, 0);
            assertArrayEquals(expected, Quadratic.flat(e.direction()), 1e-5f);
        }
    }

    @Test
    void samAndAsamRestoreTheWeights() {
        for (Sam sam : new Sam[] {Sam.of(new FirstOrder(), 0.05), Sam.adaptive(new FirstOrder(), 1.0, 0.01),
                Sam.of(new Spsa(), 0.05)}) {
            try (Quadratic q = new Quadratic(true)) {
                float[] before = q.flat();
                try (NDScope scope = new NDScope()) {
                    sam.estimate(q.oracle(), q.weights, 3);
                }
                double deviation = Quadratic.maxAbsDiff(before, q.flat());
                System.out.printf("%s restore: max |Δθ| = %.3g%n",
                        sam.adaptive() ? "ASAM" : sam.inner() instanceof Spsa ? "ZO-SAM" : "SAM", deviation);
                assertTrue(deviation <= 1e-6, "deviation " + deviation);
            }
        }
    }

    @Test
    void weightsAreRestoredWhenTheSecondEstimateFails() {
        try (Quadratic q = new Quadratic(true)) {
            float[] before = q.flat();
            int[] calls = {0};
            Estimator failingSecond = (oracle, weights, seed) -> {
                if (calls[0]++ == 1) {
                    throw new IllegalStateException("boom");
                }
                return new FirstOrder().estimate(oracle, weights, seed);
            };
            try (NDScope scope = new NDScope()) {
                Sam.of(failingSecond, 0.5).estimate(q.oracle(), q.weights, 0);
            } catch (IllegalStateException expected) {
                // the weights must be back regardless
            }
            assertEquals(2, calls[0]);
            assertTrue(Quadratic.maxAbsDiff(before, q.flat()) <= 1e-6);
        }
    }
}
