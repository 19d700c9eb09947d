package dev.lethe.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The fused MeZO-SGD step ({@link Spsa#stepInPlace}, Malladi et al. 2023, Algorithm 1) against the
 * materialised SPSA → (weight decay) → learning-rate chain, on the quadratic of {@link OptimizerTest}.
 */
class MezoTest {

    @Test
    void whichChainsAreFused() {
        assertTrue(Optimizers.zerothOrder(0.1, 1e-3, 2).inPlace());
        assertTrue(Optimizers.mezo(Schedules.constant(0.1), 1e-3, 2, 0.01).inPlace());
        assertFalse(Optimizers.chain(new Spsa(), new ScaleByAdam(0.9, 0.999, 1e-8),
                new ScaleByLearningRate(Schedules.constant(0.1))).inPlace(), "Adam needs the direction");
        assertFalse(Optimizers.onlyLayers(Optimizers.zerothOrder(0.1, 1e-3, 1), "w").inPlace(), "a filter");
        assertFalse(Optimizers.sgd(0.1).inPlace(), "first order");
        assertFalse(Optimizers.chain(Sam.of(new Spsa(), 0.05), new ScaleByLearningRate(Schedules.constant(0.1)))
                .inPlace(), "SAM around SPSA");
    }

    @Test
    void fusedStepsEqualTheMaterialisedChain() {
        for (int queries : new int[] {1, 3}) {
            for (double decay : new double[] {0, 0.1}) {
                Schedule lr = Schedules.warmupLinearDecay(0.1, 2);
                Optimizer fused = Optimizers.mezo(lr, 1e-3, queries, decay);
                List<Transform> chain = List.of(new AddDecayedWeights(decay), new ScaleByLearningRate(lr));
                Spsa spsa = (Spsa) fused.estimator();
                try (Quadratic a = new Quadratic(false); Quadratic b = new Quadratic(false);
                        Optimizer.State state = fused.init(a.weights, a.manager)) {
                    double maxDiff = 0;
                    for (int s = 0; s < 10; s++) {
                        long seed = 500 + s;
                        // one step from the same θ: over several steps the paths drift apart, since a float
                        // rounding difference δ in θ changes the projected gradient by about ‖∇L‖·δ/ε
                        a.weights.forEach((name, w) -> w.copyTo(b.weights.get(name)));
                        try (NDScope scope = new NDScope()) {
                            Optimizer.Outcome o = fused.step(a.oracle(), a.weights, state, s, 10, seed);
                            assertTrue(o.applied(), o.problem());
                            Estimator.Estimate e = spsa.estimate(b.oracle(), b.weights, seed);
                            Updates u = e.direction();
                            for (Transform t : chain) {
                                u = t.update(u, TransformState.NONE, b.weights, s, 10);
                            }
                            u.asMap().forEach((name, d) -> b.weights.get(name).addi(d));
                            assertEquals(e.loss().getFloat(), o.loss(), 0, "the same loss at the same θ");
                        }
                        maxDiff = Math.max(maxDiff, Quadratic.maxAbsDiff(a.flat(), b.flat()));
                        assertArrayEquals(b.flat(), a.flat(), 1e-6f, "step " + s);
                    }
                    System.out.printf("MeZO fused vs materialised, q=%d, λ=%.1f: max |Δθ| after one step, over 10"
                            + " steps: %.3g%n", queries, decay, maxDiff);
                    assertEquals(10 * (2 * queries + 1), a.lossCalls, "2q perturbed + 1 exact loss per step");
                    assertEquals(0, a.gradientCalls);
                }
            }
        }
    }

    @Test
    void fusedStepsReduceTheLossAndAreReproducible() {
        float[][] runs = new float[2][];
        for (int r = 0; r < 2; r++) {
            try (Quadratic q = new Quadratic(false)) {
                double before = q.loss();
                double after = q.run(Optimizers.mezo(Schedules.constant(0.1), 1e-3, 2, 0.01), 100);
                assertTrue(after < before / 10, before + " -> " + after);
                runs[r] = q.flat();
            }
        }
        assertArrayEquals(runs[0], runs[1], 0f, "the same seeds give bit-identical weights");
    }

    @Test
    void aNonFiniteLossSkipsTheStepAndRestoresTheWeights() {
        // call 1 is the exact loss at θ, call 2 is L(θ + εz): infinite there only
        for (int bad : new int[] {1, 2}) {
            try (Quadratic q = new Quadratic(false)) {
                float[] before = q.flat();
                Optimizer fused = Optimizers.zerothOrder(0.1, 1e-3, 1);
                Optimizer.Outcome o;
                try (Optimizer.State state = fused.init(q.weights, q.manager); NDScope scope = new NDScope()) {
                    o = fused.step(failingAt(q.oracle(), bad), q.weights, state, 0, 1, 7);
                }
                assertFalse(o.applied());
                assertEquals(bad == 1 ? "loss became Infinity" : "the update has NaN or infinite entries", o.problem());
                float[] now = q.flat();
                int identical = 0;
                for (int i = 0; i < now.length; i++) {
                    identical += Float.floatToIntBits(now[i]) == Float.floatToIntBits(before[i]) ? 1 : 0;
                    // restoration rounds three additions: within 1.5 ulp of |θ|
                    assertEquals(before[i], now[i], 1.5 * Math.ulp(before[i]), "weight " + i);
                }
                System.out.printf("MeZO step skipped at loss call %d: %d of %d weights bit-identical%n", bad,
                        identical, now.length);
                // the exact loss is read back with the perturbed ones (one transfer per step), so even a
                // non-finite loss at θ leaves the weights restored within rounding, not bit for bit
                // the materialised chain reports the same problem
                try (Quadratic m = new Quadratic(false)) {
                    Optimizer chain = Optimizers.chain(new Spsa(), new ScaleByAdam(0.9, 0.999, 1e-8),
                            new ScaleByLearningRate(Schedules.constant(0.1)));
                    try (Optimizer.State state = chain.init(m.weights, m.manager); NDScope scope = new NDScope()) {
                        assertEquals(o.problem(), chain.step(failingAt(m.oracle(), bad), m.weights, state, 0, 1, 7)
                                .problem());
                    }
                }
            }
        }
    }

    @Test
    void javaNoiseAddedInBlocksEqualsTheWholeNoise() {
        try (NDManager m = NDManager.newBaseManager(); NDScope scope = new NDScope()) {
            // (3, 400000): rows larger than a block, one row per block; (1500000): blocks of 2^18 and the
            // rest; (600, 1000): blocks of 262 rows; (4, 5): one block
            for (Shape shape : new Shape[] {new Shape(3, 400_000), new Shape(1_500_000), new Shape(600, 1000),
                    new Shape(4, 5)}) {
                NDArray w = m.randomUniform(-1, 1, shape).duplicate();
                float[] expected = w.add(Rng.gaussian(w, 42).mul(0.3f)).toFloatArray();
                Spsa.addJavaNoise(w, 42, 0.3f);
                assertArrayEquals(expected, w.toFloatArray(), 0f, shape.toString());
            }
        }
    }

    @Test
    void aFusedStepLeavesNothingAliveButItsLosses() {
        try (Quadratic q = new Quadratic(false)) {
            int perLoss;
            try (NDScope scope = new NDScope()) {
                int before = q.manager.getManagedArrays().size();
                q.oracle().loss();
                perLoss = q.manager.getManagedArrays().size() - before;
            }
            for (int queries : new int[] {1, 4}) {
                Optimizer fused = Optimizers.zerothOrder(0.1, 1e-3, queries);
                Optimizer materialised = Optimizers.onlyLayers(fused, "*");
                int[] grown = new int[2];
                for (int k = 0; k < 2; k++) {
                    Optimizer o = k == 0 ? fused : materialised;
                    try (Optimizer.State state = o.init(q.weights, q.manager); NDScope scope = new NDScope()) {
                        int before = q.manager.getManagedArrays().size();
                        assertTrue(o.step(q.oracle(), q.weights, state, 0, 1, 3).applied());
                        grown[k] = q.manager.getManagedArrays().size() - before;
                    }
                }
                System.out.printf("q=%d: arrays alive at the end of a fused step %d (%d per loss), materialised %d%n",
                        queries, grown[0], perLoss, grown[1]);
                // every block of noise was freed as soon as it was added: no direction, no update arrays
                assertEquals((2 * queries + 1) * perLoss, grown[0]);
                assertTrue(grown[1] > grown[0], "the materialised chain holds its direction");
            }
        }
    }

    private static LossOracle failingAt(LossOracle inner, int call) {
        int[] calls = {0};
        return new LossOracle() {
            @Override
            public NDArray loss() {
                NDArray l = inner.loss();
                return ++calls[0] == call ? l.add(Float.POSITIVE_INFINITY) : l;
            }

            @Override
            public Evaluation lossAndGradients() {
                throw new AssertionError("no gradients");
            }
        };
    }
}
