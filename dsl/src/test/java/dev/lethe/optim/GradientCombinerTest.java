package dev.lethe.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.training.GradientCollector;
import dev.lethe.model.Weights;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The gradient combiners on hand-computed vectors: the plain sum, PCGrad's conflict projection (Yu et al.
 * 2020) in the conflicting and the non-conflicting case and over all parameters together, and StableUN's
 * neighbourhood feedback (Wu et al. 2025) on quadratics whose gradients are known in closed form.
 */
class GradientCombinerTest {
    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    @Test
    void conflictingForgetGradientLosesItsComponentAgainstRetain() {
        // g_f = (1, 2), g_r = (1, −1): g_f·g_r = −1 < 0, ‖g_r‖² = 2, g_f' = (1, 2) + ½(1, −1) = (1.5, 1.5);
        // g_f'·g_r = 0; direction g_f' + g_r = (2.5, 0.5)
        GradientCombiner.Parts parts = parts(Map.of("forget", one(1, 2), "retain", one(1, -1)));
        assertArrayEquals(new float[] {2.5f, 0.5f}, flat(GradientCombiner.conflictProjection().combine(parts)), 1e-6f);
        Updates projected = ConflictProjection.project(one(1, 2), one(1, -1));
        assertArrayEquals(new float[] {1.5f, 1.5f}, flat(projected), 1e-6f);
        assertEquals(0.0, projected.dot(one(1, -1)), 1e-6);
    }

    @Test
    void agreeingGradientsAreSimplyAdded() {
        // g_f·g_r = 1 + 2 = 3 ≥ 0: no projection, (1, 2) + (1, 1) = (2, 3)
        GradientCombiner.Parts parts = parts(Map.of("forget", one(1, 2), "retain", one(1, 1)));
        assertArrayEquals(new float[] {2, 3}, flat(GradientCombiner.conflictProjection().combine(parts)), 0f);
        Updates g = one(1, 2);
        assertSame(g, ConflictProjection.project(g, one(1, 1)), "an agreeing gradient is returned as it is");
        assertSame(g, ConflictProjection.project(g, one(0, 0)), "a zero retain gradient conflicts with nothing");
    }

    @Test
    void theProjectionUsesTheDotProductOverAllParameters() {
        // the vectors above split into parameters a and b: globally g_f·g_r = 1·1 + 2·(−1) = −1 < 0, so
        // (2.5, 0.5) again; per parameter, a (1·1 > 0) would stay and b would become 2 − 2 = 0, giving (2, −1)
        Updates gf = two(1, 2);
        Updates gr = two(1, -1);
        Updates d = GradientCombiner.conflictProjection().combine(parts(Map.of("forget", gf, "retain", gr)));
        assertEquals(2.5f, d.get("a").getFloat(0), 1e-6f);
        assertEquals(0.5f, d.get("b").getFloat(0), 1e-6f);
    }

    @Test
    void sumAddsEveryPartAndProjectionAddsTheOthersUnchanged() {
        Map<String, Updates> g = new LinkedHashMap<>();
        g.put("forget", one(1, 2));
        g.put("retain", one(1, -1));
        g.put("extra", one(10, 20));
        assertArrayEquals(new float[] {12, 21}, flat(GradientCombiner.sum().combine(parts(g))), 0f);
        assertArrayEquals(new float[] {12.5f, 20.5f}, flat(GradientCombiner.conflictProjection().combine(parts(g))),
                1e-6f);
    }

    @Test
    void aCombinerNamesThePartsItMisses() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GradientCombiner.conflictProjection().combine(parts(Map.of("unlearn", one(1, 2)))));
        assertTrue(e.getMessage().contains("'forget'") && e.getMessage().contains("unlearn"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new StableUn("f", "r", 0, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new StableUn("f", "r", 0.1, 0, 0));
    }

    /**
     * L_f(θ) = ½·Σ a_i θ_i², a = (1, 3), so ∇L_f(θ) = a⊙θ; L_r(θ) = c·θ, c = (−1, −0.5), so ∇L_r = c. At
     * θ = (1, 2): g_f = (1, 6), ‖g_f‖ = √37, the adversarial point θ + ρ·g_f/√37 (ρ = 0.5) has forget
     * gradient (1 + 0.5/√37, 6 + 9/√37) = (1.0821995, 7.4795976); against c the dot product is
     * −1.0821995 − 3.7397988 = −4.8219983 < 0 and ‖c‖² = 1.25, so the feedback becomes
     * (1.0821995, 7.4795976) − 3.8575986·(1, 0.5) = (−2.7753991, 5.5507983), and the direction adds c:
     * (−3.7753991, 5.0507983).
     */
    @Test
    void stableUnProjectsTheForgetGradientAtTheAdversarialPoint() {
        try (Toy toy = new Toy(new float[] {1, 2}); NDScope scope = new NDScope()) {
            Updates d = new StableUn("forget", "retain", 0.5, 1, 7).combine(toy.parts(0));
            assertArrayEquals(new float[] {-3.7753991f, 5.0507983f}, flat(d), 1e-5f);
            assertArrayEquals(new float[] {1, 2}, toy.theta.toFloatArray(), 0f);
        }
    }

    @Test
    void stableUnAveragesTheFeedbackOfSeveralPointsOfRadiusRho() {
        double rho = 0.5;
        float[] theta = {1, 2};
        RecordingParts recording = new RecordingParts(theta, 3);
        Updates d = new StableUn("forget", "retain", rho, 3, 7).combine(recording);
        assertEquals(3, recording.shifts.size());
        double[] mean = new double[2];
        for (int k = 0; k < 3; k++) {
            float[] s = recording.shifts.get(k);
            assertEquals(rho, Math.hypot(s[0], s[1]), 1e-6, "point " + k + " lies at radius ρ");
            mean[0] += s[0] / 3;
            mean[1] += s[1] / 3;
        }
        assertEquals(1 / Math.sqrt(37) * rho, recording.shifts.get(0)[0], 1e-6, "the first point is the adversarial one");
        assertNotEquals(recording.shifts.get(1)[0], recording.shifts.get(2)[0], "distinct random points");
        // averaged feedback a⊙(θ + mean shift), then the projection against c, then + c
        double[] fb = {1 * (1 + mean[0]), 3 * (2 + mean[1])};
        double[] c = {-1, -0.5};
        double dot = fb[0] * c[0] + fb[1] * c[1];
        double[] expected = dot < 0
                ? new double[] {fb[0] - dot / 1.25 * c[0] + c[0], fb[1] - dot / 1.25 * c[1] + c[1]}
                : new double[] {fb[0] + c[0], fb[1] + c[1]};
        assertArrayEquals(new float[] {(float) expected[0], (float) expected[1]}, flat(d), 1e-5f);
        // the same step draws the same points, another step others
        RecordingParts again = new RecordingParts(theta, 3);
        new StableUn("forget", "retain", rho, 3, 7).combine(again);
        assertArrayEquals(recording.shifts.get(2), again.shifts.get(2), 0f);
        RecordingParts later = new RecordingParts(theta, 4);
        new StableUn("forget", "retain", rho, 3, 7).combine(later);
        assertNotEquals(recording.shifts.get(2)[0], later.shifts.get(2)[0]);
    }

    @Test
    void gradientAtRestoresTheWeightsBitForBit() {
        // values whose float sum and difference round: (w + s) − s ≠ w for most of them
        float[] theta = {0.1f, 1f / 3, -7.123457f, 1e-7f};
        try (Toy toy = new Toy(theta); NDScope scope = new NDScope()) {
            PartEvaluations parts = toy.parts(0);
            Updates shift = new Updates(Map.of("theta", manager.create(new float[] {0.3f, 1e3f, 0.7f, 0.2f})));
            float[] naive = toy.theta.add(shift.get("theta")).sub(shift.get("theta")).toFloatArray();
            assertNotEquals(toBits(theta), toBits(naive), "the toy's values do not survive an add and a subtract");
            for (int k = 0; k < 3; k++) {
                parts.gradientAt("forget", shift);
                assertArrayEquals(toBits(theta), toBits(toy.theta.toFloatArray()));
            }
            new StableUn("forget", "retain", 0.37, 4, 3).combine(parts);
            assertArrayEquals(toBits(theta), toBits(toy.theta.toFloatArray()));
            PartEvaluations throwing = toy.partsWithFailingForget();
            assertThrows(IllegalStateException.class, () -> throwing.gradientAt("forget", shift));
            assertArrayEquals(toBits(theta), toBits(toy.theta.toFloatArray()), "restored when the evaluation throws");
        }
    }

    @Test
    void partGradientsAreCopiesThatLaterBackwardPassesDoNotOverwrite() {
        try (Toy toy = new Toy(new float[] {1, 2}); NDScope scope = new NDScope()) {
            PartEvaluations parts = toy.parts(0);
            Updates gf = parts.gradient("forget");
            parts.gradient("retain");
            assertArrayEquals(new float[] {1, 6}, flat(gf), 0f);
            assertSame(gf, parts.gradient("forget"), "cached per step");
            // ½(1·1 + 3·4) + (−1·1 − 0.5·2) = 6.5 − 2 = 4.5
            assertEquals(4.5f, parts.totalLoss().getFloat(), 1e-6f);
        }
    }

    /**
     * SAM on the forget part only (Fan et al. 2025) on the toy of the StableUN test: g_f = (1, 6) at θ = (1, 2),
     * ‖g_f‖ = √37, so δ̂ = 0.5·(1, 6)/√37 = (0.0821995, 0.4931970) lies along the forget gradient alone (the
     * whole objective's gradient, g_f + c = (0, 5.5), would give (0, 0.5)); the forget gradient at θ + δ̂ is
     * a⊙(θ + δ̂) = (1.0821995, 7.4795909), and the retain gradient c = (−1, −0.5) is taken at θ:
     * d = (0.0821995, 6.9795909).
     */
    @Test
    void forgetSamPerturbsAlongTheForgetGradientOnly() {
        RecordingParts recording = new RecordingParts(new float[] {1, 2}, 0);
        Updates d = GradientCombiner.forgetSam(0.5).combine(recording);
        assertEquals(1, recording.shifts.size(), "one shifted gradient: the forget part's");
        assertArrayEquals(new float[] {0.0821995f, 0.4931970f}, recording.shifts.get(0), 1e-6f);
        assertArrayEquals(new float[] {0.0821995f, 6.9795909f}, flat(d), 1e-5f);
        try (Toy toy = new Toy(new float[] {1, 2}); NDScope scope = new NDScope()) {
            Updates real = new ForgetSam("forget", 0.5).combine(toy.parts(0));
            assertArrayEquals(new float[] {0.0821995f, 6.9795909f}, flat(real), 1e-5f);
            assertArrayEquals(new float[] {1, 2}, toy.theta.toFloatArray(), 0f, "θ restored");
        }
        // ρ = 0 is the plain sum of the parts' gradients at θ
        assertArrayEquals(new float[] {0, 5.5f}, flat(new ForgetSam("forget", 0).combine(
                new RecordingParts(new float[] {1, 2}, 0))), 1e-6f);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ForgetSam("unlearn", 0.1).combine(new RecordingParts(new float[] {1, 2}, 0)));
        assertTrue(e.getMessage().contains("'unlearn'"), e.getMessage());
    }

    private static int[] toBits(float[] values) {
        int[] out = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = Float.floatToIntBits(values[i]);
        }
        return out;
    }

    private Updates one(float x, float y) {
        return new Updates(Map.of("p", manager.create(new float[] {x, y})));
    }

    private Updates two(float a, float b) {
        Map<String, NDArray> m = new LinkedHashMap<>();
        m.put("a", manager.create(new float[] {a}));
        m.put("b", manager.create(new float[] {b}));
        return new Updates(m);
    }

    private static float[] flat(Updates u) {
        List<Float> values = new ArrayList<>();
        u.asMap().values().forEach(a -> {
            for (float v : a.toFloatArray()) {
                values.add(v);
            }
        });
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i);
        }
        return out;
    }

    private static GradientCombiner.Parts parts(Map<String, Updates> gradients) {
        Map<String, Updates> ordered = new LinkedHashMap<>(gradients);
        return new GradientCombiner.Parts() {
            @Override
            public Set<String> names() {
                return ordered.keySet();
            }

            @Override
            public Updates gradient(String part) {
                return ordered.get(part);
            }

            @Override
            public Updates gradientAt(String part, Updates shift) {
                throw new UnsupportedOperationException();
            }

            @Override
            public long step() {
                return 0;
            }
        };
    }

    /** The quadratic forget part and linear retain part of the StableUN test, as real autograd oracles. */
    private static final class Toy implements AutoCloseable {
        final NDManager m = NDManager.newBaseManager();
        final NDArray theta;
        final NDArray a;
        final NDArray c;
        final Weights weights;

        Toy(float[] values) {
            theta = m.create(values).duplicate();
            theta.setRequiresGradient(true);
            float[] av = new float[values.length];
            float[] cv = new float[values.length];
            for (int i = 0; i < values.length; i++) {
                av[i] = i % 2 == 0 ? 1 : 3;
                cv[i] = i % 2 == 0 ? -1 : -0.5f;
            }
            a = m.create(av).duplicate();
            c = m.create(cv).duplicate();
            weights = Weights.of(Map.of("theta", theta));
        }

        PartEvaluations parts(long step) {
            Map<String, LossOracle> oracles = new LinkedHashMap<>();
            oracles.put("forget", oracle(() -> theta.square().mul(a).sum().div(2f)));
            oracles.put("retain", oracle(() -> theta.mul(c).sum()));
            return new PartEvaluations(weights, step, oracles);
        }

        PartEvaluations partsWithFailingForget() {
            Map<String, LossOracle> oracles = new LinkedHashMap<>();
            oracles.put("forget", oracle(() -> {
                throw new IllegalStateException("boom");
            }));
            oracles.put("retain", oracle(() -> theta.mul(c).sum()));
            return new PartEvaluations(weights, 0, oracles);
        }

        private LossOracle oracle(Supplier<NDArray> loss) {
            return new LossOracle() {
                @Override
                public NDArray loss() {
                    return loss.get();
                }

                @Override
                public Evaluation lossAndGradients() {
                    weights.zeroGradients();
                    NDArray l;
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        l = loss.get();
                        gc.backward(l);
                    }
                    return new Evaluation(l, new Updates(Map.of("theta", theta.getGradient())));
                }
            };
        }

        @Override
        public void close() {
            m.close();
        }
    }

    /** Parts with the toy's closed-form gradients that record each shift StableUN asks for. */
    private final class RecordingParts implements GradientCombiner.Parts {
        final float[] theta;
        final long step;
        final List<float[]> shifts = new ArrayList<>();

        RecordingParts(float[] theta, long step) {
            this.theta = theta;
            this.step = step;
        }

        @Override
        public Set<String> names() {
            return new java.util.LinkedHashSet<>(List.of("forget", "retain"));
        }

        @Override
        public Updates gradient(String part) {
            return gradientAt(part, null);
        }

        @Override
        public Updates gradientAt(String part, @org.jspecify.annotations.Nullable Updates shift) {
            float[] s = shift == null ? new float[2] : shift.get("p").toFloatArray();
            if (shift != null) {
                shifts.add(s);
            }
            return part.equals("forget")
                    ? one(1 * (theta[0] + s[0]), 3 * (theta[1] + s[1]))
                    : one(-1, -0.5f);
        }

        @Override
        public long step() {
            return step;
        }
    }
}
