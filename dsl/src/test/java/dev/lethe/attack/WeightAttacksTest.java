package dev.lethe.attack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.lethe.data.Dataset;
import dev.lethe.data.FictitiousFacts;
import dev.lethe.model.CausalLm;
import dev.lethe.model.GptConfig;
import dev.lethe.model.Weights;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class WeightAttacksTest {
    private static final GptConfig CONFIG = new GptConfig(17, 2, 16, 2, 8, 0f);

    /** W (in 2, out 3); no entry falls on a rounding tie at 8 or 4 bits. */
    private static final float[] W = {0.5f, -1.2f, 0.03f, -0.2f, 0.7f, -0.09f};

    @Test
    void int8QuantizationOfATwoByThreeMatrixByHand() {
        // scales per output column: 0.5/127, 1.2/127, 0.09/127; W/scale = [127, -127, 42.33; -50.8, 74.08, -127]
        float[] expected = {
            127 * 0.5f / 127, -127 * 1.2f / 127, 42 * 0.09f / 127,
            -51 * 0.5f / 127, 74 * 1.2f / 127, -127 * 0.09f / 127};
        assertArrayEquals(expected, quantize(W, 8), 1e-6f);
    }

    @Test
    void int4QuantizationOfATwoByThreeMatrixByHand() {
        // scales 0.5/7, 1.2/7, 0.09/7; W/scale = [7, -7, 2.33; -2.8, 4.08, -7]
        float[] expected = {0.5f, -1.2f, 2 * 0.09f / 7, -3 * 0.5f / 7, 4 * 1.2f / 7, -0.09f};
        assertArrayEquals(expected, quantize(W, 4), 1e-6f);
    }

    @Test
    void embeddingsAreQuantizedPerRowAndAZeroChannelStaysZero() {
        try (NDManager m = NDManager.newBaseManager(); NDScope scope = new NDScope()) {
            NDArray e = m.create(new float[] {0.5f, -0.2f, 0f, 0f}, new Shape(2, 2));
            // row 0: scale 0.5/7, -0.2 -> -2.8 -> -3; row 1 all zero
            assertArrayEquals(new float[] {0.5f, -3 * 0.5f / 7, 0f, 0f},
                    Quantize.quantized(e, 4, 1).toFloatArray(), 1e-6f);
        }
    }

    private static float[] quantize(float[] w, int bits) {
        try (NDManager m = NDManager.newBaseManager(); NDScope scope = new NDScope()) {
            return Quantize.quantized(m.create(w, new Shape(2, 3)), bits, 0).toFloatArray();
        }
    }

    @Test
    void quantizingAModelLeavesBiasesAndNormsAndKeepsAtMostFifteenLevelsPerColumnAtFourBits() {
        try (CausalLm model = CausalLm.initialize(CONFIG, 3, Device.cpu())) {
            randomizeRankOne(model.weights());
            Map<String, float[]> before = snapshot(model.weights());
            Quantize.inPlace(model.weights(), 4);
            assertEquals(Set.of("wte.weight", "wpe.weight"), model.weights().names().stream()
                    .filter(n -> Quantize.isEmbedding(n, model.weights())).collect(java.util.stream.Collectors.toSet()),
                    "the embedding roles are quantized per row");
            model.weights().forEach((name, w) -> {
                float[] now = w.toFloatArray();
                if (Weights.isBiasOrNorm(name, w)) {
                    assertArrayEquals(before.get(name), now, 0f, name + " must be untouched");
                } else {
                    assertFalse(java.util.Arrays.equals(before.get(name), now), name + " must change");
                    long rows = w.getShape().get(0);
                    long cols = w.getShape().get(1);
                    boolean perRow = Quantize.isEmbedding(name, model.weights());
                    for (int c = 0; c < (perRow ? rows : cols); c++) {
                        Set<Float> levels = new HashSet<>();
                        for (int r = 0; r < (perRow ? cols : rows); r++) {
                            float x = perRow ? now[(int) (c * cols + r)] : now[(int) (r * cols + c)];
                            levels.add(x == 0f ? 0f : x); // -0.0 and 0.0 are one level
                        }
                        assertTrue(levels.size() <= 15, name + " channel " + c + " has " + levels.size() + " levels");
                    }
                }
            });
        }
    }

    @Test
    void int8BarelyMovesTheLogitsAndInt4MovesThemMore() {
        try (CausalLm model = CausalLm.initialize(CONFIG, 11, Device.cpu());
                CausalLm q8 = model.copy();
                CausalLm q4 = model.copy();
                NDManager m = NDManager.newBaseManager();
                NDScope scope = new NDScope()) {
            Quantize.inPlace(q8.weights(), 8);
            Quantize.inPlace(q4.weights(), 4);
            long[] tokens = new long[32];
            SplittableRandom random = new SplittableRandom(1);
            for (int i = 0; i < tokens.length; i++) {
                tokens[i] = random.nextInt(CONFIG.vocabSize());
            }
            NDArray input = m.create(tokens, new Shape(4, 8));
            NDArray logits = model.forward(input).logits();
            double norm = logits.norm().getFloat();
            double e8 = q8.forward(input).logits().sub(logits).norm().getFloat() / norm;
            double e4 = q4.forward(input).logits().sub(logits).norm().getFloat() / norm;
            System.out.printf("relative logit error: int8 %.5f, int4 %.5f%n", e8, e4);
            assertTrue(e8 < 0.01, "int8 relative logit error " + e8);
            assertTrue(e4 > 5 * e8, "int4 " + e4 + " vs int8 " + e8);
            assertTrue(e4 < 0.5, "int4 relative logit error " + e4);
        }
    }

    @Test
    void pruningZeroesExactlyTheSmallestFraction() {
        float[] v = {0.3f, -0.05f, 0.9f, -0.4f, 0.01f, 0.2f, -0.7f, 0.1f, -0.15f, 0.6f};
        float[] p = Prune.pruned(v, 0.5);
        assertArrayEquals(new float[] {0.3f, 0f, 0.9f, -0.4f, 0f, 0f, -0.7f, 0f, 0f, 0.6f}, p, 0f);
        assertArrayEquals(v, Prune.pruned(v, 0), 0f);
        float[] ties = {0.1f, -0.1f, 0.1f, 0.5f};
        assertArrayEquals(new float[] {0f, 0f, 0.1f, 0.5f}, Prune.pruned(ties, 0.5), 0f, "ties: earlier first");
    }

    @Test
    void pruningAModelZeroesFloorOfSparsityTimesSizeInEveryMatrixAndNothingElse() {
        try (CausalLm model = CausalLm.initialize(CONFIG, 5, Device.cpu())) {
            randomizeRankOne(model.weights());
            Map<String, float[]> before = snapshot(model.weights());
            Prune.inPlace(model.weights(), 0.3);
            model.weights().forEach((name, w) -> {
                float[] now = w.toFloatArray();
                float[] was = before.get(name);
                if (Weights.isBiasOrNorm(name, w)) {
                    assertArrayEquals(was, now, 0f, name);
                    return;
                }
                int zeros = 0;
                float largestZeroed = 0;
                float smallestKept = Float.MAX_VALUE;
                for (int i = 0; i < now.length; i++) {
                    if (now[i] == 0f) {
                        zeros++;
                        largestZeroed = Math.max(largestZeroed, Math.abs(was[i]));
                    } else {
                        assertEquals(was[i], now[i], 0f);
                        smallestKept = Math.min(smallestKept, Math.abs(was[i]));
                    }
                }
                assertEquals((int) Math.floor(0.3 * now.length), zeros, name);
                assertTrue(largestZeroed <= smallestKept, name);
            });
        }
    }

    @Test
    void modelAttacksNeverModifyTheModelTheyAreGiven() {
        Dataset data = new FictitiousFacts(8, 0.25, 2, 3, 2, 2).load(1);
        FineTuner shift = (model, examples, batchSize, steps, optimizer) -> {
            model.weights().forEach((name, w) -> w.addi(1f));
            return true;
        };
        AttackContext context = new AttackContext(data, data.fitTokenizer(), 9, shift);
        try (CausalLm model = CausalLm.initialize(CONFIG, 2, Device.cpu())) {
            randomizeRankOne(model.weights());
            Map<String, float[]> before = snapshot(model.weights());
            for (Attack a : List.of(Attacks.quantize(8), Attacks.quantize(4), Attacks.prune(0.5),
                    Attacks.relearn(3, 2, 1e-3))) {
                try (Attacked attacked = a.apply(model, context)) {
                    assertTrue(attacked.ownsModel(), a.name());
                    assertNotSame(model, attacked.model(), a.name());
                    assertFalse(java.util.Arrays.equals(before.get("h.0.mlp.c_fc.weight"),
                            attacked.model().weights().get("h.0.mlp.c_fc.weight").toFloatArray()), a.name() + " changed nothing");
                }
                Map<String, float[]> after = snapshot(model.weights());
                before.forEach((name, w) -> assertArrayEquals(w, after.get(name), 0f, a.name() + " modified " + name));
            }
        }
    }

    static Map<String, float[]> snapshot(Weights weights) {
        Map<String, float[]> out = new LinkedHashMap<>();
        weights.forEach((name, w) -> out.put(name, w.toFloatArray()));
        return out;
    }

    /** Biases start at 0 and gains at 1, which quantization would keep anyway; make them arbitrary. */
    private static void randomizeRankOne(Weights weights) {
        SplittableRandom random = new SplittableRandom(17);
        weights.forEach((name, w) -> {
            if (Weights.isBiasOrNorm(name, w)) {
                float[] v = new float[(int) w.getShape().size()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) random.nextGaussian() * 0.37f;
                }
                try (NDScope scope = new NDScope()) {
                    w.set(new NDIndex(":"), w.getManager().create(v, w.getShape()));
                }
            }
        });
    }
}
