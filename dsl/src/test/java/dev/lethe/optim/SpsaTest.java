package dev.lethe.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** SPSA / MeZO (Malladi et al. 2023) on the quadratic of {@link OptimizerTest}. */
class SpsaTest {

    @Test
    void meanEstimateOverManySeedsPointsAlongTheTrueGradient() {
        int seeds = 2000;
        try (Quadratic q = new Quadratic(false)) {
            float[] truth = q.gradient();
            double[] mean = new double[truth.length];
            Spsa spsa = new Spsa();
            for (int s = 0; s < seeds; s++) {
                try (NDScope scope = new NDScope()) {
                    float[] d = Quadratic.flat(spsa.estimate(q.oracle(), q.weights, s).direction());
                    for (int i = 0; i < d.length; i++) {
                        mean[i] += d[i] / seeds;
                    }
                }
            }
            double cosine = Quadratic.cosine(mean, truth);
            // a single estimate is far less aligned: E[cos] for one rank-one estimate in 6 dimensions
            double single;
            try (NDScope scope = new NDScope()) {
                float[] d = Quadratic.flat(spsa.estimate(q.oracle(), q.weights, 12345).direction());
                double[] dd = new double[d.length];
                for (int i = 0; i < d.length; i++) {
                    dd[i] = d[i];
                }
                single = Math.abs(Quadratic.cosine(dd, truth));
            }
            System.out.printf("SPSA: cosine(mean of %d estimates, true gradient) = %.5f (one estimate: %.3f)%n",
                    seeds, cosine, single);
            assertTrue(cosine >= 0.9, "cosine " + cosine);
        }
    }

    @Test
    void directionIsTheProjectedGradientTimesTheRegeneratedNoise() {
        try (Quadratic q = new Quadratic(false); NDScope scope = new NDScope()) {
            float[] g = q.gradient();
            long seed = 99;
            double lossBefore = q.loss();
            Spsa spsa = new Spsa(1e-3, 1, true);
            Estimator.Estimate e = spsa.estimate(q.oracle(), q.weights, seed);
            long qs = Spsa.querySeed(seed, 0);
            float[] zw = spsa.perturbation(q.weights.get("w"), qs, 0).toFloatArray();
            float[] zb = spsa.perturbation(q.weights.get("b"), qs, 1).toFloatArray();
            float[] z = {zw[0], zw[1], zw[2], zw[3], zb[0], zb[1]};
            // for a quadratic (L(θ+εz) − L(θ−εz)) / 2ε = gᵀz exactly, up to float rounding of the losses
            double proj = 0;
            for (int i = 0; i < z.length; i++) {
                proj += g[i] * z[i];
            }
            float[] expected = new float[z.length];
            for (int i = 0; i < z.length; i++) {
                expected[i] = (float) (proj * z[i]);
            }
            assertArrayEquals(expected, Quadratic.flat(e.direction()), 2e-2f);
            assertEquals(lossBefore, e.loss().getFloat(), 0, "exact loss at θ");
        }
    }

    @Test
    void averagedLossIsTheMeanOfThePerturbedLosses() {
        try (Quadratic q = new Quadratic(false); NDScope scope = new NDScope()) {
            double eps = 0.1;
            double lossBefore = q.loss();
            Spsa spsa = new Spsa(eps, 2, false);
            Estimator.Estimate e = spsa.estimate(q.oracle(), q.weights, 5);
            // Hessian I: mean of L(θ ± εz_q) = L(θ) + ε²·mean‖z_q‖²/2
            double zz = 0;
            for (int k = 0; k < 2; k++) {
                long qs = Spsa.querySeed(5, k);
                zz += spsa.perturbation(q.weights.get("w"), qs, 0).square().sum().getFloat()
                        + spsa.perturbation(q.weights.get("b"), qs, 1).square().sum().getFloat();
            }
            double expected = lossBefore + eps * eps * (zz / 2) / 2;
            assertEquals(expected, e.loss().getFloat(), 1e-4);
            assertEquals(4, q.lossCalls, "2q evaluations, none at θ");
        }
    }

    @ParameterizedTest
    @EnumSource(Spsa.Noise.class)
    void sameSeedRegeneratesBitIdenticalNoise(Spsa.Noise source) {
        Spsa spsa = new Spsa().withNoise(source);
        try (Quadratic q = new Quadratic(false); NDScope scope = new NDScope()) {
            NDArray w = q.weights.get("w");
            float[] a = spsa.perturbation(w, Spsa.querySeed(7, 0), 0).toFloatArray();
            float[] b = spsa.perturbation(w, Spsa.querySeed(7, 0), 0).toFloatArray();
            float[] other = spsa.perturbation(w, Spsa.querySeed(7, 1), 0).toFloatArray();
            assertArrayEquals(a, b, 0f);
            assertFalse(java.util.Arrays.equals(a, other), "another query gets other noise");
        }
    }

    /**
     * libtorch's noise is standard normal, also when drawn in blocks (a (300, 4000) matrix: 65 rows per
     * block): over 1.2 M draws the mean is within 5 standard errors of 0 and the variance within 1 % of 1,
     * and the blocks are not copies of one another.
     */
    @Test
    void libtorchNoiseIsStandardNormalInBlocks() {
        try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager(); NDScope scope = new NDScope()) {
            NDArray w = m.zeros(new ai.djl.ndarray.types.Shape(300, 4000));
            NDArray z = new Spsa().perturbation(w, 11, 0);
            double n = 1.2e6;
            double mean = z.mean().getFloat();
            double variance = z.sub(mean).square().mean().getFloat();
            assertTrue(Math.abs(mean) < 5 / Math.sqrt(n), "mean " + mean);
            assertEquals(1, variance, 0.01, "variance");
            float[] values = z.toFloatArray();
            assertFalse(java.util.Arrays.equals(java.util.Arrays.copyOfRange(values, 0, 4000),
                    java.util.Arrays.copyOfRange(values, 65 * 4000, 66 * 4000)), "the second block repeats the first");
        }
    }

    /** The libtorch noise of a seed is {@code torch.randn} with a generator seeded so, as Python's torch draws it. */
    @Test
    void libtorchNoiseIsTorchRandnOfTheDerivedSeed() {
        long seed = Rng.derive(Spsa.querySeed(3, 0), 0);
        String out = dev.lethe.model.ReferencePython.run("torch_randn.py", 120, Long.toString(seed), "5", "7");
        String[] fields = out.strip().split("\\s+");
        float[] expected = new float[fields.length];
        for (int i = 0; i < fields.length; i++) {
            expected[i] = Float.parseFloat(fields[i]);
        }
        try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager(); NDScope scope = new NDScope()) {
            float[] z = new Spsa().perturbation(m.zeros(new ai.djl.ndarray.types.Shape(5, 7)), Spsa.querySeed(3, 0), 0)
                    .toFloatArray();
            assertArrayEquals(expected, z, 0f);
        }
    }

    /**
     * The in-place perturbation, which scales z in Java while drawing, gives bit for bit libtorch's
     * w + z·scale with z = {@link Spsa#perturbation} of Java noise: whole (a small matrix) and in row blocks (more than
     * {@link Spsa#BLOCK} values).
     */
    @Test
    void addNoiseIsBitIdenticalToAddingTheScaledNoiseInLibtorch() {
        try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager(); NDScope scope = new NDScope()) {
            for (ai.djl.ndarray.types.Shape shape : java.util.List.of(new ai.djl.ndarray.types.Shape(37, 11),
                    new ai.djl.ndarray.types.Shape(3 * Spsa.BLOCK / 64 + 5, 64))) {
                NDArray w = m.randomNormal(shape);
                float scale = -2e-3f * (float) Math.PI;
                NDArray z = new Spsa().withNoise(Spsa.Noise.JAVA).perturbation(w, 42, 0);
                NDArray expected = w.add(z.mul(m.full(new ai.djl.ndarray.types.Shape(), scale)));
                Spsa.addJavaNoise(w, Rng.derive(42, 0), scale);
                assertArrayEquals(expected.toFloatArray(), w.toFloatArray(), 0f, shape.toString());
            }
        }
    }

    @Test
    void estimatesRestoreTheWeights() {
        try (Quadratic q = new Quadratic(false)) {
            float[] before = q.flat();
            double afterOne;
            try (NDScope scope = new NDScope()) {
                new Spsa().estimate(q.oracle(), q.weights, 1);
            }
            afterOne = Quadratic.maxAbsDiff(before, q.flat());
            for (int s = 0; s < 1000; s++) {
                try (NDScope scope = new NDScope()) {
                    new Spsa(1e-3, 4, false).estimate(q.oracle(), q.weights, s);
                }
            }
            double afterMany = Quadratic.maxAbsDiff(before, q.flat());
            int bitIdentical = 0;
            float[] now = q.flat();
            for (int i = 0; i < now.length; i++) {
                bitIdentical += Float.floatToIntBits(now[i]) == Float.floatToIntBits(before[i]) ? 1 : 0;
            }
            System.out.printf("SPSA restore: max |Δθ| after 1 estimate %.3g, after 1000 more estimates of 4 queries"
                    + " %.3g (%d of %d weights bit-identical; |θ| ≤ 3, ulp(2..4) = %.3g)%n",
                    afterOne, afterMany, bitIdentical, now.length, Math.ulp(3f));
            assertTrue(afterOne <= 1e-6, "deviation " + afterOne);
            // each query rounds three additions, at most ½ ulp(4) each: the worst case over 4000 queries
            double worstCase = 4000 * 3 * 0.5 * Math.ulp(4f);
            assertTrue(afterMany <= worstCase, "drift " + afterMany + " above the rounding bound " + worstCase);
        }
    }

    @Test
    void zerothOrderStepsNeverComputeGradients() {
        try (Quadratic q = new Quadratic(false)) {
            double before = q.loss();
            int steps = 50;
            double after = q.run(Optimizers.zerothOrder(0.1, 1e-3, 2), steps);
            assertEquals(0, q.gradientCalls, "lossAndGradients calls");
            assertEquals(steps * (2 * 2 + 1), q.lossCalls, "2q perturbed + 1 exact loss per step");
            q.weights.forEach((n, w) -> assertFalse(w.hasGradient(), n + " has a gradient"));
            assertTrue(after < before / 10, before + " -> " + after);
        }
    }

    @Test
    void zerothOrderRunsAreBitIdenticalForTheSameSeeds() {
        float[] a;
        float[] b;
        float[] other;
        try (Quadratic q = new Quadratic(false)) {
            q.run(Optimizers.zerothOrder(0.05, 1e-3, 2), 20);
            a = q.flat();
        }
        try (Quadratic q = new Quadratic(false)) {
            q.run(Optimizers.zerothOrder(0.05, 1e-3, 2), 20);
            b = q.flat();
        }
        try (Quadratic q = new Quadratic(false)) {
            q.run(Optimizers.zerothOrder(0.05, 1e-3, 1), 20);
            other = q.flat();
        }
        assertArrayEquals(a, b, 0f);
        assertFalse(java.util.Arrays.equals(a, other), "one query instead of two takes another path");
    }
}
