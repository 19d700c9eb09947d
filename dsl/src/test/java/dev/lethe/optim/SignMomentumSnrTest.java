package dev.lethe.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
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

/** Sign, momentum and SNR transforms, by hand. */
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
}
