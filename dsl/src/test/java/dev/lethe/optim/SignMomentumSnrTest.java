package dev.lethe.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.lethe.model.Weights;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Sign, momentum, N-bit quantization and SNR transforms, by hand; signAdam against Signum; the SNR within a step
 * (micro-batch variance) and the SNR/(1 + SNR) form.
 */
class SignMomentumSnrTest {
    private NDManager manager;

    @BeforeEach
    void setUp() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void tearDown() {
        manager.close();
    }

    private Updates one(float... values) {
        Map<String, NDArray> m = new LinkedHashMap<>();
        m.put("p", manager.create(values));
        return new Updates(m);
    }

    private Updates two(float a, float b) {
        Map<String, NDArray> m = new LinkedHashMap<>();
        m.put("a", manager.create(new float[] {a}));
        m.put("b", manager.create(new float[] {b}));
        return new Updates(m);
    }

    private Weights weightsLike(Updates u) {
        Map<String, NDArray> m = new LinkedHashMap<>();
        u.asMap().forEach((n, a) -> m.put(n, manager.zeros(a.getShape())));
        return Weights.of(m);
    }

    @Test
    void signMapsToMinusOneZeroOne() {
        try (NDScope scope = new NDScope()) {
            Updates u = one(2f, -0.5f, 0f, 3e-8f, -1e9f);
            Updates s = new ScaleBySign().update(u, TransformState.NONE, weightsLike(u), 0, 1);
            assertArrayEquals(new float[] {1, -1, 0, 1, -1}, s.get("p").toFloatArray(), 0f);
        }
    }

    @Test
    void randomZerosBecomeSeededPlusOrMinusOne() {
        try (NDScope scope = new NDScope()) {
            float[] values = new float[1000];
            values[0] = -4f;
            values[1] = 0.25f;
            Updates u = one(values);
            Weights w = weightsLike(u);
            ScaleBySign sign = new ScaleBySign(true, 11);
            float[] s = sign.update(u, TransformState.NONE, w, 3, 10).get("p").toFloatArray();
            float[] again = sign.update(u, TransformState.NONE, w, 3, 10).get("p").toFloatArray();
            float[] nextStep = sign.update(u, TransformState.NONE, w, 4, 10).get("p").toFloatArray();
            assertEquals(-1f, s[0]);
            assertEquals(1f, s[1]);
            int plus = 0;
            for (int i = 2; i < s.length; i++) {
                assertEquals(1f, Math.abs(s[i]), "entry " + i);
                plus += s[i] > 0 ? 1 : 0;
            }
            assertTrue(plus > 400 && plus < 598, plus + " of 998 zeros became +1");
            assertArrayEquals(s, again, 0f, "same seed and step, same signs");
            assertTrue(!java.util.Arrays.equals(s, nextStep), "another step draws other signs");
        }
    }

    @Test
    void traceMomentumAccumulatesAndNesterovLooksAhead() {
        try (NDScope scope = new NDScope()) {
            Updates g1 = one(1f, -2f);
            Updates g2 = one(3f, 1f);
            Weights w = weightsLike(g1);
            TraceMomentum heavy = new TraceMomentum(0.5);
            TransformState hs = heavy.init(w, manager);
            assertArrayEquals(new float[] {1, -2}, heavy.update(g1, hs, w, 0, 2).get("p").toFloatArray(), 0f);
            // m₂ = 0.5·(1, −2) + (3, 1) = (3.5, 0)
            assertArrayEquals(new float[] {3.5f, 0}, heavy.update(g2, hs, w, 1, 2).get("p").toFloatArray(), 0f);
            TraceMomentum nesterov = new TraceMomentum(0.5, true);
            TransformState ns = nesterov.init(w, manager);
            // step 1: m₁ = g₁, output g₁ + 0.5·m₁ = (1.5, −3)
            assertArrayEquals(new float[] {1.5f, -3}, nesterov.update(g1, ns, w, 0, 2).get("p").toFloatArray(), 0f);
            // step 2: m₂ = (3.5, 0), output g₂ + 0.5·m₂ = (4.75, 1)
            assertArrayEquals(new float[] {4.75f, 1}, nesterov.update(g2, ns, w, 1, 2).get("p").toFloatArray(), 0f);
        }
    }

    @Test
    void signumStepsByMinusLearningRateTimesSignOfMomentum() {
        try (Quadratic q = new Quadratic(true)) {
            float[] theta = q.flat();
            float[] g = q.gradient();
            q.run(Optimizers.signum(0.01, 0.9), 1);
            float[] expected = new float[theta.length];
            for (int i = 0; i < theta.length; i++) {
                expected[i] = theta[i] - 0.01f * Math.signum(g[i]);
            }
            assertArrayEquals(expected, q.flat(), 1e-7f);
        }
    }

    @Test
    void signalToNoiseByHand() {
        try (NDScope scope = new NDScope()) {
            // g₁ = (1, 0), g₂ = (3, 2), split over two parameters: ḡ = (2, 1), ‖ḡ‖² = 5,
            // deviations (∓1, ∓1) with ‖·‖² = 2 each, mean 2: SNR = 2.5
            double snr = ScaleBySnr.signalToNoise(List.of(two(1, 0), two(3, 2))).getFloat();
            assertEquals(2.5, snr, 1e-6);
            // three gradients 0, 3, 6 in one coordinate: ḡ = 3, variance (9 + 0 + 9)/3 = 6: SNR = 1.5
            assertEquals(1.5, ScaleBySnr.signalToNoise(List.of(one(0), one(3), one(6))).getFloat(), 1e-6);
        }
    }

    @Test
    void scaleBySnrPassesTheFirstGradientThenScalesByTheCappedSnrOfTheWindow() {
        try (NDScope scope = new NDScope()) {
            Weights w = weightsLike(two(0, 0));
            ScaleBySnr t = new ScaleBySnr(2, 10);
            try (NDManager stateManager = manager.newSubManager()) {
                TransformState s = t.init(w, stateManager);
                Updates u1 = t.update(two(1, 0), s, w, 0, 3);
                assertArrayEquals(new float[] {1}, u1.get("a").toFloatArray(), 0f);
                Updates u2 = t.update(two(3, 2), s, w, 1, 3);
                assertArrayEquals(new float[] {7.5f}, u2.get("a").toFloatArray(), 1e-5f);
                assertArrayEquals(new float[] {5f}, u2.get("b").toFloatArray(), 1e-5f);
                // window 2: now (3, 2) and (3, 2), no noise, SNR capped at 10
                Updates u3 = t.update(two(3, 2), s, w, 2, 3);
                assertArrayEquals(new float[] {30f}, u3.get("a").toFloatArray(), 1e-4f);
                assertEquals(2, ((ScaleBySnr.History) s).history().size());
            }
        }
    }

    @Test
    void signAdamIsSignumWithTheSameBeta() {
        // sign(m̂/(√v̂ + ε)) = sign(m̂) = sign of the trace βm + g: five steps of both, the same weights bit for bit
        try (Quadratic adam = new Quadratic(true); Quadratic signum = new Quadratic(true)) {
            adam.run(Optimizers.signAdam(0.01), 5);
            signum.run(Optimizers.signum(0.01, 0.9), 5);
            assertArrayEquals(signum.flat(), adam.flat(), 0f);
            assertTrue(Quadratic.maxAbsDiff(signum.flat(), new Quadratic(true).flat()) > 0.04, "the weights moved");
        }
    }

    /**
     * u = (0.1, −0.4, 0.8, 0), scale s = max|u| = 0.8, x = |u|/s = (0.125, 0.5, 1, 0). N = 1 (L = 1): every nonzero
     * to s·sign(u). N = 2 (L = 2): L·x = (0.25, 1, 2, 0), nearest levels (clamped to ≥ 1) k = (1, 1, 2, 1), Q = sign·k/L·s
     * = (0.4, −0.4, 0.8, 0). N = 3 (L = 4): L·x = (0.5, 2, 4, 0), k = (1, 2, 4, 1) (0.5 rounds up, below level 1
     * clamps to it), Q = (0.2, −0.4, 0.8, 0). N = 4 (L = 8): L·x = (1, 4, 8, 0), Q = (0.1, −0.4, 0.8, 0): exact.
     */
    @Test
    void quantizeToNBitsByHand() {
        try (NDScope scope = new NDScope()) {
            Updates u = one(0.1f, -0.4f, 0.8f, 0f);
            Weights w = weightsLike(u);
            assertArrayEquals(new float[] {0.8f, -0.8f, 0.8f, 0}, quantize(QuantizeUpdates.of(1), u, w), 1e-7f);
            assertArrayEquals(new float[] {1, -1, 1, 0},
                    quantize(new QuantizeUpdates(1, false, QuantizeUpdates.Rounding.NEAREST, 0), u, w), 0f);
            assertArrayEquals(quantize(new ScaleBySign(), u, w),
                    quantize(new QuantizeUpdates(1, false, QuantizeUpdates.Rounding.STOCHASTIC, 3), u, w), 0f,
                    "unscaled 1-bit is the sign, also stochastically");
            assertArrayEquals(new float[] {0.4f, -0.4f, 0.8f, 0}, quantize(QuantizeUpdates.of(2), u, w), 1e-7f);
            assertArrayEquals(new float[] {0.2f, -0.4f, 0.8f, 0}, quantize(QuantizeUpdates.of(3), u, w), 1e-7f);
            assertArrayEquals(new float[] {0.1f, -0.4f, 0.8f, 0}, quantize(QuantizeUpdates.of(4), u, w), 1e-7f);
            assertArrayEquals(new float[] {0, 0}, quantize(QuantizeUpdates.of(3), one(0, 0), weightsLike(one(0, 0))), 0f,
                    "zeros stay zeros");
        }
    }

    @Test
    void stochasticQuantizationIsUnbiasedAboveTheFirstLevel() {
        // N = 3 (L = 4), s = 1: 0.3 is L·x = 1.2, so level 2 (0.5) with probability 0.2, else level 1 (0.25):
        // mean 0.25·0.8 + 0.5·0.2 = 0.3
        try (NDScope scope = new NDScope()) {
            float[] values = new float[20001];
            java.util.Arrays.fill(values, 0.3f);
            values[20000] = 1;
            Updates u = one(values);
            float[] q = quantize(new QuantizeUpdates(3, true, QuantizeUpdates.Rounding.STOCHASTIC, 11), u, weightsLike(u));
            double mean = 0;
            for (int i = 0; i < 20000; i++) {
                assertTrue(q[i] == 0.25f || q[i] == 0.5f, "a neighbouring level: " + q[i]);
                mean += q[i] / 20000.0;
            }
            assertEquals(0.3, mean, 0.005);
            assertEquals(1f, q[20000], 0f);
        }
    }

    private static float[] quantize(Transform t, Updates u, Weights w) {
        return t.update(u, TransformState.NONE, w, 0, 1).get("p").toFloatArray();
    }

    @Test
    void withinStepSnrInBothForms() {
        // g = (3, 4): ‖g‖² = 25; σ² = 6.25: SNR = 4; clipped at 10 → 4·g = (12, 16); ratio SNR/(1+SNR) = 0.8 → (2.4, 3.2)
        try (NDScope scope = new NDScope()) {
            Updates g = two(3, 4);
            NDArray variance = manager.create(6.25f);
            ScaleBySnr clipped = new ScaleBySnr(2, 10, ScaleBySnr.Noise.WITHIN_STEP, ScaleBySnr.Form.CLIPPED);
            Updates c = clipped.update(g, TransformState.NONE, 0, variance);
            assertArrayEquals(new float[] {12, 16}, new float[] {c.get("a").getFloat(), c.get("b").getFloat()}, 1e-5f);
            Updates r = ScaleBySnr.withinStep(ScaleBySnr.Form.RATIO).update(g, TransformState.NONE, 0, variance);
            assertArrayEquals(new float[] {2.4f, 3.2f}, new float[] {r.get("a").getFloat(), r.get("b").getFloat()},
                    1e-6f);
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> clipped.update(g, TransformState.NONE, 3, null));
            assertTrue(e.getMessage().contains("accumulate"), e.getMessage());
        }
    }

    @Test
    void theRatioFormAcrossStepsBoundsTheFactorBelowOne() {
        // the window of signalToNoiseByHand: SNR 2.5, factor 2.5/3.5
        try (NDScope scope = new NDScope()) {
            Weights w = weightsLike(two(0, 0));
            ScaleBySnr t = new ScaleBySnr(2, 10, ScaleBySnr.Noise.ACROSS_STEPS, ScaleBySnr.Form.RATIO);
            try (NDManager stateManager = manager.newSubManager()) {
                TransformState s = t.init(w, stateManager);
                t.update(two(1, 0), s, w, 0, 2);
                Updates u = t.update(two(3, 2), s, w, 1, 2);
                assertEquals(3 * 2.5f / 3.5f, u.get("a").getFloat(), 1e-5f);
            }
        }
    }

    @Test
    void theOptimizerHandsTheEstimatesVarianceToScaleBySnrBehindOtherTransforms() {
        // a stand-in oracle with micro-batches: gradient (3, 4) of the quadratic's shape, variance 6.25 → SNR 4, ratio
        // 0.8; behind a clip to norm 10 (which leaves g), the step is −η·0.8·g
        try (NDScope scope = new NDScope()) {
            Map<String, NDArray> theta = new LinkedHashMap<>();
            theta.put("a", manager.create(new float[] {0}));
            theta.put("b", manager.create(new float[] {0}));
            Weights w = Weights.of(theta);
            LossOracle withVariance = new LossOracle() {
                @Override
                public NDArray loss() {
                    return manager.create(1f);
                }

                @Override
                public Evaluation lossAndGradients() {
                    throw new AssertionError("the optimizer must ask for the within-step variance");
                }

                @Override
                public LossOracle withWithinStepVariance() {
                    LossOracle outer = this;
                    return new LossOracle() {
                        @Override
                        public NDArray loss() {
                            return outer.loss();
                        }

                        @Override
                        public Evaluation lossAndGradients() {
                            Map<String, NDArray> g = new LinkedHashMap<>();
                            g.put("a", manager.create(new float[] {3}));
                            g.put("b", manager.create(new float[] {4}));
                            return new Evaluation(manager.create(1f), new Updates(g, manager.create(6.25f)));
                        }
                    };
                }
            };
            Optimizer opt = Optimizers.chain(new FirstOrder(), new ClipByGlobalNorm(10),
                    ScaleBySnr.withinStep(ScaleBySnr.Form.RATIO), new ScaleByLearningRate(Schedules.constant(0.1)));
            try (Optimizer.State state = opt.init(w, manager)) {
                Optimizer.Outcome o = opt.step(withVariance, w, state, 0, 1, 0);
                assertTrue(o.applied());
                assertEquals(5.0, o.gradientNorm(), 1e-6);
                assertEquals(7.0, o.gradientL1Norm(), 1e-6);
            }
            assertEquals(-0.1f * 0.8f * 3, w.get("a").getFloat(), 1e-6f);
            assertEquals(-0.1f * 0.8f * 4, w.get("b").getFloat(), 1e-6f);
        }
    }
}
