package dev.lethe.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.lethe.model.Weights;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every optimizer on the same quadratic L(θ) = ½‖W − C‖² + ½‖b − d‖², as Optax's alias tests do. */
class OptimizerTest {
    private Quadratic quadratic;
    private NDManager manager;
    private Weights weights;

    @BeforeEach
    void setUp() {
        quadratic = new Quadratic(true);
        manager = quadratic.manager;
        weights = quadratic.weights;
    }

    @AfterEach
    void tearDown() {
        quadratic.close();
    }

    /** ½‖W − C‖² + ½‖b − d‖², its gradient is (W − C, b − d). */
    private LossOracle quadratic() {
        return quadratic.oracle();
    }

    private double run(Optimizer optimizer, int steps) {
        try (Optimizer.State state = optimizer.init(weights, manager)) {
            for (int s = 0; s < steps; s++) {
                try (NDScope scope = new NDScope()) {
                    optimizer.step(quadratic(), weights, state, s, steps, s);
                }
            }
        }
        try (NDScope scope = new NDScope()) {
            return quadratic().loss().getFloat();
        }
    }

    static Stream<Arguments> optimizers() {
        return Stream.of(
                Arguments.of("sgd", Optimizers.sgd(0.1), 200),
                Arguments.of("sgd, linear decay", Optimizers.sgd(Schedules.linearDecay(0.2)), 200),
                Arguments.of("adamW", Optimizers.adamW(Schedules.constant(0.05), 0.0), 400),
                Arguments.of("adamW, cosine", Optimizers.adamW(Schedules.warmupCosine(0.1, 10), 0.0), 400),
                Arguments.of("clipped sgd", Optimizers.chain(new FirstOrder(), new ClipByGlobalNorm(0.5),
                        new ScaleByLearningRate(Schedules.constant(0.1))), 300),
                Arguments.of("signSGD, linear decay", Optimizers.signSgd(Schedules.linearDecay(0.1)), 400),
                Arguments.of("signum, linear decay", Optimizers.signum(Schedules.linearDecay(0.1), 0.9), 400),
                Arguments.of("signAdam, linear decay", Optimizers.signAdam(Schedules.linearDecay(0.1)), 400),
                Arguments.of("signSGD, random signs for zeros", Optimizers.chain(new FirstOrder(),
                        new ScaleBySign(true, 7), new ScaleByLearningRate(Schedules.linearDecay(0.1))), 400),
                Arguments.of("heavy ball, nesterov", Optimizers.chain(new FirstOrder(), new TraceMomentum(0.5, true),
                        new ScaleByLearningRate(Schedules.constant(0.1))), 200),
                Arguments.of("zeroth order (SPSA, q=1)", Optimizers.zerothOrder(0.1, 1e-3, 1), 400),
                Arguments.of("zeroth order (SPSA, q=4)", Optimizers.zerothOrder(0.1, 1e-3, 4), 200),
                Arguments.of("SAM + adamW, linear decay", Optimizers.sam(Schedules.linearDecay(0.05), 0.05, 0.0), 400),
                Arguments.of("ASAM + sgd", Optimizers.chain(Sam.adaptive(new FirstOrder(), 0.5, 0.01),
                        new ScaleByLearningRate(Schedules.constant(0.1))), 200),
                Arguments.of("zeroth-order SAM + sgd, linear decay", Optimizers.chain(Sam.of(new Spsa(), 0.05),
                        new ScaleByLearningRate(Schedules.linearDecay(0.1))), 400),
                Arguments.of("hybrid mix, lambda 0.5", Optimizers.hybridMix(0.1, 0.5), 300),
                Arguments.of("hybrid alternating, every 2nd step ZO", Optimizers.hybridAlternating(0.1, 2), 300),
                Arguments.of("sgd, SNR-scaled", Optimizers.chain(new FirstOrder(), new ScaleBySnr(5, 1.0),
                        new ScaleByLearningRate(Schedules.constant(0.1))), 300),
                Arguments.of("sgd, re-warm 3 cycles", Optimizers.sgd(Schedules.rewarm(0.2, 5, 3)), 300),
                Arguments.of("sgd, refined schedule", Optimizers.sgd(
                        Schedules.refined(0.2, new double[] {5, 4, 3, 2, 1.5, 1, 1, 1}, 3)), 300));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("optimizers")
    void reducesTheQuadraticToNearZero(String name, Optimizer optimizer, int steps) {
        double before;
        try (NDScope scope = new NDScope()) {
            before = quadratic().loss().getFloat();
        }
        double after = run(optimizer, steps);
        System.out.printf("%-40s %4d steps: loss %.4g -> %.3g%n", name, steps, before, after);
        assertTrue(before > 5, "start " + before);
        assertTrue(after < 1e-3, name + " ended at " + after);
    }

    @Test
    void sgdStepIsMinusLearningRateTimesGradient() {
        run(Optimizers.sgd(0.1), 1);
        // θ1 = θ0 − 0.1·(θ0 − C)
        assertArrayEquals(new float[] {0.9f, -1.7f, 2.6f, 0.65f}, weights.get("w").toFloatArray(), 1e-6f);
        assertArrayEquals(new float[] {0.28f, -0.61f}, weights.get("b").toFloatArray(), 1e-6f);
    }

    @Test
    void firstAdamWStepIsSignLikeWithDecoupledDecayOnMatricesOnly() {
        // Step 1: m̂ = g, v̂ = g², so u = g/(|g| + ε) ≈ sign(g); AdamW adds λ·θ for the matrix only.
        run(Optimizers.adamW(Schedules.constant(0.01), 0.5), 1);
        float[] w0 = {1, -2, 3, 0.5f};
        float[] g = {1, -3, 4, -1.5f};
        float[] expected = new float[4];
        for (int i = 0; i < 4; i++) {
            expected[i] = w0[i] - 0.01f * (Math.signum(g[i]) + 0.5f * w0[i]);
        }
        assertArrayEquals(expected, weights.get("w").toFloatArray(), 1e-6f);
        assertArrayEquals(new float[] {0.3f - 0.01f, -0.7f + 0.01f}, weights.get("b").toFloatArray(), 1e-6f);
    }

    @Test
    void clipByGlobalNormRescalesAllArraysTogether() {
        try (NDScope scope = new NDScope()) {
            Map<String, NDArray> m = new LinkedHashMap<>();
            m.put("w", manager.create(new float[] {3, 0, 0, 0}, new ai.djl.ndarray.types.Shape(2, 2)));
            m.put("b", manager.create(new float[] {0, 4}));
            Updates clipped = new ClipByGlobalNorm(1.0).update(new Updates(m), TransformState.NONE, weights, 0, 1);
            assertArrayEquals(new float[] {0.6f, 0, 0, 0}, clipped.get("w").toFloatArray(), 1e-6f);
            assertArrayEquals(new float[] {0, 0.8f}, clipped.get("b").toFloatArray(), 1e-6f);
            Updates small = new ClipByGlobalNorm(10.0).update(new Updates(m), TransformState.NONE, weights, 0, 1);
            assertArrayEquals(new float[] {0, 4}, small.get("b").toFloatArray(), 1e-6f);
        }
    }

    @Test
    void schedulesGiveTheirFormulas() {
        assertEquals(0.3, Schedules.constant(0.3).at(17, 100), 0);
        assertEquals(1.0 * (1 - 25.0 / 100), Schedules.linearDecay(1.0).at(25, 100), 1e-12);
        Schedule warm = Schedules.warmupLinearDecay(1.0, 10);
        assertEquals(0.1, warm.at(0, 110), 1e-12);
        assertEquals(1.0, warm.at(10, 110), 1e-12);
        assertEquals(0.5, warm.at(60, 110), 1e-12);
        Schedule cos = Schedules.warmupCosine(2.0, 0);
        assertEquals(2.0, cos.at(0, 100), 1e-12);
        assertEquals(1.0, cos.at(50, 100), 1e-12);
        assertEquals(0.0, cos.at(100, 100), 1e-12);
    }

    @Test
    void aStepReportsItsGradientsL2AndL1Norms() {
        // at θ₀ the gradient θ − target is (1, −3, 4, −1.5, 0.2, −0.9): ‖·‖₂² = 1 + 9 + 16 + 2.25 + 0.04 + 0.81 = 29.1,
        // ‖·‖₁ = 1 + 3 + 4 + 1.5 + 0.2 + 0.9 = 10.6; the fused MeZO step materialises no gradient and reports NaN
        try (Quadratic q = new Quadratic(true); NDScope scope = new NDScope()) {
            for (Optimizer opt : java.util.List.of(Optimizers.sgd(0.1), Optimizers.adamW(0.1))) {
                try (Quadratic fresh = new Quadratic(true); Optimizer.State state = opt.init(fresh.weights, fresh.manager)) {
                    Optimizer.Outcome o = opt.step(fresh.oracle(), fresh.weights, state, 0, 1, 0);
                    assertEquals(Math.sqrt(29.1), o.gradientNorm(), 1e-5, opt.toString());
                    assertEquals(10.6, o.gradientL1Norm(), 1e-5, opt.toString());
                }
            }
            try (Optimizer.State state = Optimizers.zerothOrder(0.1, 1e-3, 1).init(q.weights, q.manager)) {
                Optimizer.Outcome o = Optimizers.zerothOrder(0.1, 1e-3, 1).step(q.oracle(), q.weights, state, 0, 1, 0);
                assertTrue(Double.isNaN(o.gradientNorm()) && Double.isNaN(o.gradientL1Norm()));
            }
        }
    }
}
