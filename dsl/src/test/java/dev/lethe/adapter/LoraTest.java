package dev.lethe.adapter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import dev.lethe.model.CausalLm;
import dev.lethe.optim.LossOracle;
import dev.lethe.optim.Optimizer;
import dev.lethe.optim.Optimizers;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LoraTest {
    private final Toy toy = new Toy();

    @Test
    void zeroBLeavesTheForwardPassExactlyAsItWas() {
        try (CausalLm model = toy.model(1)) {
            float[] before = toy.logits(model);
            List<float[]> seen = new ArrayList<>();
            Adapters.train(model, Lora.rank(4).alpha(8), toy.data, toy.tokenizer, 4, 11, view -> seen.add(toy.logits(view)));
            assertArrayEquals(before, seen.get(0), 0f);
            assertArrayEquals(before, toy.logits(model), 0f, "merging B = 0 changes nothing");
        }
    }

    @Test
    void theInitialisationIsAFunctionOfTheSeed() {
        try (CausalLm model = toy.model(1)) {
            float[] a = initialA(model, 11);
            assertArrayEquals(a, initialA(model, 11), 0f);
            assertFalse(java.util.Arrays.equals(a, initialA(model, 12)));
            double bound = 1 / Math.sqrt(16); // Kaiming-uniform on a width-16 input
            for (float v : a) {
                assertTrue(Math.abs(v) <= bound, v + " within ±1/√in");
            }
        }
    }

    private float[] initialA(CausalLm model, long seed) {
        float[][] a = new float[1][];
        Adapters.train(model, Lora.rank(4), toy.data, toy.tokenizer, 4, seed,
                view -> a[0] = view.weights().get("h.0.attn.c_attn.lora_A").toFloatArray());
        return a[0];
    }

    @Test
    void onlyTheAdaptersTrainAndMergingKeepsTheAdaptedFunction() {
        int r = 2;
        try (CausalLm model = toy.model(2)) {
            Map<String, float[]> base = Toy.snapshot(model.weights());
            float[][] adaptedLogits = new float[1][];
            Adapters.train(model, Lora.rank(r).alpha(4), toy.data, toy.tokenizer, 4, 12, view -> {
                // width 16, 2 blocks: r·(16+48) + r·(16+16) + r·(16+64) + r·(64+16) = 256·r per block
                assertEquals(2 * 256L * r, view.weights().size());
                assertTrue(view.weights().names().stream().allMatch(n -> n.endsWith(".lora_A") || n.endsWith(".lora_B")));
                step(view, 5);
                assertFalse(allZero(view.weights().get("h.1.mlp.c_proj.lora_B")), "B moved");
                Map<String, float[]> during = Toy.snapshot(view.baseWeights());
                base.forEach((n, v) -> assertArrayEquals(v, during.get(n), 0f, n + " is frozen during the stage"));
                adaptedLogits[0] = toy.logits(view);
            });
            assertArrayEquals(adaptedLogits[0], toy.logits(model), 1e-5f, "merged = adapted");
            assertEquals(base.keySet(), model.weights().names(), "a plain model again");
            model.weights().forEach((n, w) -> {
                assertTrue(w.hasGradient(), n + " is trainable again");
                boolean target = n.endsWith("c_attn.weight") || n.endsWith("c_proj.weight") || n.endsWith("c_fc.weight");
                float[] now = w.toFloatArray();
                if (!target) {
                    assertArrayEquals(base.get(n), now, 0f, n + " has no adapter");
                    return;
                }
                assertNotEquals(0.0, maxAbsDifference(base.get(n), now), n);
                int in = (int) w.getShape().get(0);
                int out = (int) w.getShape().get(1);
                double[][] delta = new double[in][out];
                for (int i = 0; i < in * out; i++) {
                    delta[i / out][i % out] = now[i] - base.get(n)[i];
                }
                TruncatedSvd svd = TruncatedSvd.of(delta, r + 1);
                assertTrue(svd.s()[r] < 1e-3 * svd.s()[0], n + ": the merged update has rank " + r + ", σ = "
                        + java.util.Arrays.toString(svd.s()));
            });
        }
    }

    @Test
    void theAdapterGradientMatchesFiniteDifferences() {
        try (CausalLm model = toy.model(3)) {
            Adapters.train(model, Lora.rank(2).alpha(2), toy.data, toy.tokenizer, 4, 13, view -> {
                NDArray b = view.weights().get("h.0.attn.c_attn.lora_B");
                SplittableRandom random = new SplittableRandom(5);
                float[] values = new float[(int) b.getShape().size()];
                for (int i = 0; i < values.length; i++) {
                    values[i] = (float) (0.5 * random.nextGaussian());
                }
                b.set(values);
                LossOracle oracle = toy.nll(view);
                for (String name : List.of("h.0.attn.c_attn.lora_A", "h.0.attn.c_attn.lora_B")) {
                    NDArray p = view.weights().get(name);
                    float[] grad;
                    try (NDScope scope = new NDScope()) {
                        grad = oracle.lossAndGradients().gradients().get(name).toFloatArray();
                    }
                    float[] at = p.toFloatArray();
                    for (int k : largest(grad, 3)) {
                        double h = 1e-2;
                        double up = lossWith(oracle, p, at, k, h);
                        double down = lossWith(oracle, p, at, k, -h);
                        p.set(at);
                        double fd = (up - down) / (2 * h);
                        assertEquals(fd, grad[k], 2e-3 + 0.02 * Math.abs(fd), name + "[" + k + "]");
                    }
                }
            });
        }
    }

    @Test
    void badSettingsAreRejectedWithTheReason() {
        assertThrows(IllegalArgumentException.class, () -> Lora.rank(0));
        assertThrows(IllegalArgumentException.class, () -> Lora.rank(4).alpha(0));
        assertThrows(IllegalArgumentException.class, () -> Lora.rank(4).only());
        try (CausalLm model = toy.model(4)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Adapters.train(model,
                    Lora.rank(17), toy.data, toy.tokenizer, 4, 1, view -> {}));
            assertTrue(e.getMessage().contains("exceeds"), e.getMessage());
            model.weights().forEach((n, w) -> assertTrue(w.hasGradient(), n + " unfrozen after the failure"));
            try (CausalLm frozen = model.frozenCopy()) {
                assertThrows(IllegalArgumentException.class, () -> Adapters.train(frozen, Lora.rank(2), toy.data,
                        toy.tokenizer, 4, 1, view -> {}));
            }
            Adapters.train(model, Lora.rank(2).only(LoraTarget.MLP_IN), toy.data, toy.tokenizer, 4, 1, view -> {
                assertEquals(List.of("h.0.mlp.c_fc.lora_A", "h.0.mlp.c_fc.lora_B", "h.1.mlp.c_fc.lora_A",
                        "h.1.mlp.c_fc.lora_B"), List.copyOf(view.weights().names()));
                assertThrows(IllegalStateException.class, view::copy);
            });
        }
    }

    /** {@code steps} AdamW steps on the oracle's loss, as the runner would take them. */
    private void step(CausalLm view, int steps) {
        Optimizer adam = Optimizers.adamW(1e-2);
        try (Optimizer.State state = adam.init(view.weights(), view.manager())) {
            for (int s = 0; s < steps; s++) {
                try (NDScope scope = new NDScope()) {
                    assertTrue(adam.step(toy.nll(view), view.weights(), state, s, steps, s).applied());
                }
            }
        }
    }

    private static double lossWith(LossOracle oracle, NDArray p, float[] at, int k, double h) {
        float[] moved = at.clone();
        moved[k] = (float) (at[k] + h);
        p.set(moved);
        try (NDScope scope = new NDScope()) {
            return oracle.loss().toType(DataType.FLOAT64, false).getDouble();
        }
    }

    private static int[] largest(float[] g, int n) {
        return java.util.stream.IntStream.range(0, g.length).boxed()
                .sorted((a, b) -> Float.compare(Math.abs(g[b]), Math.abs(g[a]))).limit(n).mapToInt(i -> i).toArray();
    }

    private static boolean allZero(NDArray a) {
        for (float v : a.toFloatArray()) {
            if (v != 0) {
                return false;
            }
        }
        return true;
    }

    private static double maxAbsDifference(float[] a, float[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }
}
