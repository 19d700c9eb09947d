package dev.lethe.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import dev.lethe.model.Weights;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** AdamW's chain tail as libtorch's fused kernel: hand-computed steps, agreement with the chain, refusal. */
class FusedAdamWTest {

    private static Optimizer adamW(double lr, double decay, Transform... before) {
        List<Transform> chain = new java.util.ArrayList<>(List.of(before));
        chain.addAll(List.of(new ScaleByAdam(0.9, 0.999, 1e-8), new AddDecayedWeights(decay),
                new ScaleByLearningRate(Schedules.constant(lr))));
        return new Optimizer(new FirstOrder(), chain);
    }

    @Test
    void findsTheAdamWTailOfAChain() {
        ScaleByAdam adam = new ScaleByAdam(0.9, 0.999, 1e-8);
        ScaleByLearningRate lr = new ScaleByLearningRate(Schedules.constant(0.1));
        AddDecayedWeights decay = new AddDecayedWeights(0.01);
        ClipByGlobalNorm clip = new ClipByGlobalNorm(1.0);
        FirstOrder fo = new FirstOrder();
        assertEquals(0, new Optimizer(fo, List.of(adam, decay, lr)).fusedAdamW());
        assertEquals(0, new Optimizer(fo, List.of(adam, lr)).fusedAdamW());
        assertEquals(1, new Optimizer(fo, List.of(clip, adam, decay, lr)).fusedAdamW());
        assertEquals(-1, new Optimizer(fo, List.of(decay, lr)).fusedAdamW(), "SGD with decay");
        assertEquals(-1, new Optimizer(fo, List.of(adam, lr, clip)).fusedAdamW(), "a transform after the rate");
        assertEquals(-1, new Optimizer(fo, List.of(adam, clip, lr)).fusedAdamW(), "a transform in between");
    }

    /**
     * Two steps by hand (Loshchilov &amp; Hutter 2019, Algorithm 2): θ = (1, −2) as a 1×2 matrix (so it is decayed), g₁ = (0.5, 0.25), g₂ = (−1, 0.5), η = 0.1, λ = 0.01, β = (0.9, 0.999), ε = 1e-8.
     */
    @Test
    void twoStepsEqualTheHandComputedAdamW() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray w = manager.create(new float[] {1, -2}, new Shape(1, 2));
            Weights weights = Weights.of(Map.of("w", w));
            FusedAdamW fused = FusedAdamW.of(adamW(0.1, 0.01).transforms(), 0);
            TransformState state = new ScaleByAdam(0.9, 0.999, 1e-8).init(weights, manager);
            double[][] g = {{0.5, 0.25}, {-1, 0.5}};
            double[] theta = {1, -2};
            double[] m = new double[2];
            double[] v = new double[2];
            for (int t = 1; t <= 2; t++) {
                try (NDScope scope = new NDScope()) {
                    float[] gt = {(float) g[t - 1][0], (float) g[t - 1][1]};
                    Updates u = new Updates(Map.of("w", manager.create(gt, new Shape(1, 2))));
                    assertTrue(fused.apply(u, weights, state, t - 1, 2));
                }
                for (int i = 0; i < 2; i++) {
                    theta[i] *= 1 - 0.1 * 0.01;
                    m[i] = 0.9 * m[i] + 0.1 * g[t - 1][i];
                    v[i] = 0.999 * v[i] + 0.001 * g[t - 1][i] * g[t - 1][i];
                    double mHat = m[i] / (1 - Math.pow(0.9, t));
                    double vHat = v[i] / (1 - Math.pow(0.999, t));
                    theta[i] -= 0.1 * mHat / (Math.sqrt(vHat) + 1e-8);
                }
                float[] got = w.toFloatArray();
                if (t == 1) {
                    // m̂ = g, v̂ = g²: the first step is 1·0.999 − 0.1 and −2·0.999 − 0.1
                    assertArrayEquals(new float[] {0.899f, -2.098f}, got, 1e-6f);
                }
                assertEquals(theta[0], got[0], 1e-6, "step " + t);
                assertEquals(theta[1], got[1], 1e-6, "step " + t);
            }
        }
    }

    /** The fused tail and the materialised chain agree over several steps, with clipping before and decay. */
    @Test
    void agreesWithTheChainUpToRounding() {
        Optimizer optimizer = adamW(0.05, 0.1, new ClipByGlobalNorm(2.0));
        float[] fused = runSteps(optimizer, true);
        float[] chain = runSteps(optimizer, false);
        double worst = 0;
        for (int i = 0; i < fused.length; i++) {
            worst = Math.max(worst, Math.abs(fused[i] - chain[i]));
        }
        assertTrue(worst < 2e-6, "max |fused − chain| = " + worst);
    }

    private static float[] runSteps(Optimizer optimizer, boolean fused) {
        try (NDManager manager = NDManager.newBaseManager()) {
            SplittableRandom random = new SplittableRandom(3);
            Map<String, NDArray> arrays = new LinkedHashMap<>();
            arrays.put("h.0.mlp.weight", randomArray(manager, random, new Shape(8, 5)));
            arrays.put("h.0.mlp.bias", randomArray(manager, random, new Shape(5)));
            Weights weights = Weights.of(arrays);
            Optimizer.State state = optimizer.init(weights, manager);
            for (int s = 0; s < 6; s++) {
                try (NDScope scope = new NDScope()) {
                    Map<String, NDArray> g = new LinkedHashMap<>();
                    arrays.forEach((name, a) -> g.put(name, randomArray(manager, random, a.getShape())));
                    Updates u = new Updates(g);
                    int tail = optimizer.fusedAdamW();
                    for (int i = 0; i < tail; i++) {
                        u = optimizer.transforms().get(i).update(u, state.get(i), weights, s, 6);
                    }
                    if (fused) {
                        assertTrue(FusedAdamW.fits(u, weights));
                        assertTrue(FusedAdamW.of(optimizer.transforms(), tail).apply(u, weights, state.get(tail), s, 6));
                    } else {
                        for (int i = tail; i < optimizer.transforms().size(); i++) {
                            u = optimizer.transforms().get(i).update(u, state.get(i), weights, s, 6);
                        }
                        u.asMap().forEach((name, delta) -> weights.get(name).addi(delta));
                    }
                }
            }
            float[] w = arrays.get("h.0.mlp.weight").toFloatArray();
            float[] b = arrays.get("h.0.mlp.bias").toFloatArray();
            float[] out = java.util.Arrays.copyOf(w, w.length + b.length);
            System.arraycopy(b, 0, out, w.length, b.length);
            return out;
        }
    }

    private static NDArray randomArray(NDManager manager, SplittableRandom random, Shape shape) {
        float[] values = new float[(int) shape.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (random.nextDouble() * 2 - 1);
        }
        return manager.create(values, shape);
    }

    @Test
    void aNonFiniteUpdateChangesNeitherWeightsNorMoments() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray w = manager.create(new float[] {1, -2, 3, 4}, new Shape(2, 2));
            Weights weights = Weights.of(Map.of("w", w));
            ScaleByAdam.Moments state = (ScaleByAdam.Moments) new ScaleByAdam(0.9, 0.999, 1e-8).init(weights, manager);
            FusedAdamW fused = FusedAdamW.of(adamW(0.1, 0.01).transforms(), 0);
            for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, 3e30f}) {
                try (NDScope scope = new NDScope()) {
                    Updates u = new Updates(Map.of("w", manager.create(new float[] {0.1f, bad, 0.2f, 0.3f},
                            new Shape(2, 2))));
                    assertFalse(fused.apply(u, weights, state, 0, 1), "gradient entry " + bad);
                }
                assertArrayEquals(new float[] {1, -2, 3, 4}, w.toFloatArray());
                assertArrayEquals(new float[4], state.first().get("w").toFloatArray());
                assertArrayEquals(new float[4], state.second().get("w").toFloatArray());
            }
        }
    }

    /** Through {@link Optimizer#step}: the quadratic of {@link OptimizerTest} is minimised on the fused path. */
    @Test
    void optimizerStepTakesTheFusedPathAndConverges() {
        try (Quadratic q = new Quadratic(true)) {
            double loss = q.run(adamW(0.05, 0.0), 400);
            assertTrue(loss < 1e-3, "loss " + loss);
        }
    }
}
