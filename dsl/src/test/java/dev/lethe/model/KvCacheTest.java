package dev.lethe.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** GPT-2's cached forward pass against its full one, and the cache's own bookkeeping. */
class KvCacheTest {
    private static final GptConfig CONFIG = new GptConfig(37, 2, 16, 2, 24, 0f);
    private static final long[] TOKENS = {2, 5, 9, 4, 11, 3, 8, 1, 0, 7, 30, 22, 17, 36};

    /** Logits of the full pass at position {@code t} of {@code tokens} (one row). */
    private static float[] fullLogits(CausalLm model, long[] tokens, int t) {
        NDManager m = model.manager();
        NDArray logits = model.forward(m.create(tokens, new Shape(1, tokens.length))).logits();
        return logits.get(new NDIndex().addIndices(0).addIndices(t)).toFloatArray();
    }

    private static float maxAbsDiff(float[] a, float[] b) {
        assertEquals(a.length, b.length);
        float d = 0;
        for (int i = 0; i < a.length; i++) {
            d = Math.max(d, Math.abs(a[i] - b[i]));
        }
        return d;
    }

    @Test
    void aPromptThenOneTokenAtATimeGivesTheFullPassLogitsAtEveryPosition() {
        try (CausalLm model = TinyGpt2.peaked(CONFIG, 3); NDScope scope = new NDScope();
                KvCache cache = KvCache.create(model.manager(), 2, 1, 8)) {
            NDManager m = model.manager();
            Architecture a = model.architecture();
            int prompt = 5;
            long[] first = java.util.Arrays.copyOf(TOKENS, prompt);
            long[] positions = {0, 1, 2, 3, 4};
            NDArray logits = a.forward(model.baseWeights(), m.create(first, new Shape(1, prompt)),
                    m.create(positions, new Shape(1, prompt)), m.ones(new Shape(1, prompt), DataType.INT64), cache,
                    Map.of());
            assertEquals(new Shape(1, 37), logits.getShape());
            float worst = maxAbsDiff(fullLogits(model, TOKENS, prompt - 1), logits.toFloatArray());
            assertTrue(worst < 1e-5, "prompt: max |Δlogit| " + worst);
            for (int t = prompt; t < TOKENS.length; t++) {
                NDArray step = a.forward(model.baseWeights(), m.create(new long[] {TOKENS[t]}, new Shape(1, 1)),
                        m.create(new long[] {t}, new Shape(1, 1)), m.ones(new Shape(1, t + 1), DataType.INT64),
                        cache, Map.of());
                float d = maxAbsDiff(fullLogits(model, TOKENS, t), step.toFloatArray());
                assertTrue(d < 1e-5, "position " + t + ": max |Δlogit| " + d);
                worst = Math.max(worst, d);
                assertEquals(t + 1, cache.length());
            }
            assertTrue(cache.capacity() >= TOKENS.length, "the cache grew past its first 8 positions");
            System.out.println("cached vs full forward, 14 positions: max |Δlogit| " + worst);
        }
    }

    @Test
    void leftPaddingChangesNoRowsLogits() {
        try (CausalLm model = TinyGpt2.peaked(CONFIG, 4); NDScope scope = new NDScope();
                KvCache cache = KvCache.create(model.manager(), 2, 2, 12)) {
            NDManager m = model.manager();
            // row 0: 6 real tokens; row 1: 3 padding positions (token 0, mask 0), then 3 real tokens
            long[] tokens = {2, 5, 9, 4, 11, 3, 0, 0, 0, 8, 1, 7};
            long[] mask = {1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 1, 1};
            long[] positions = {0, 1, 2, 3, 4, 5, 0, 0, 0, 0, 1, 2};
            NDArray logits = model.architecture().forward(model.baseWeights(), m.create(tokens, new Shape(2, 6)),
                    m.create(positions, new Shape(2, 6)), m.create(mask, new Shape(2, 6)), cache, Map.of());
            float[] row0 = logits.get(0).toFloatArray();
            float[] row1 = logits.get(1).toFloatArray();
            assertTrue(maxAbsDiff(fullLogits(model, new long[] {2, 5, 9, 4, 11, 3}, 5), row0) < 1e-5);
            assertTrue(maxAbsDiff(fullLogits(model, new long[] {8, 1, 7}, 2), row1) < 1e-5);
            NDArray next = model.architecture().forward(model.baseWeights(),
                    m.create(new long[] {6, 12}, new Shape(2, 1)), m.create(new long[] {6, 3}, new Shape(2, 1)),
                    m.create(new long[] {1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 1, 1, 1}, new Shape(2, 7)), cache,
                    Map.of());
            assertTrue(maxAbsDiff(fullLogits(model, new long[] {2, 5, 9, 4, 11, 3, 6}, 6), next.get(0).toFloatArray())
                    < 1e-5);
            assertTrue(maxAbsDiff(fullLogits(model, new long[] {8, 1, 7, 12}, 3), next.get(1).toFloatArray()) < 1e-5);
        }
    }

    @Test
    void aFloat16ModelDecodesWithItsCacheInFloat16AndPaddingStaysFinite() {
        try (CausalLm full = TinyGpt2.peaked(CONFIG, 5); CausalLm half = full.castCopy(Precision.FLOAT16)) {
            Generator generator = new Generator(half);
            List<int[]> prompts = List.of(new int[] {2, 5, 9, 4, 11, 3}, new int[] {8, 1});
            List<int[]> cached = generator.generate(prompts, Generation.greedy(10));
            List<int[]> recomputed = generator.generate(prompts, Generation.greedy(10).withCache(false));
            for (int r = 0; r < prompts.size(); r++) {
                assertArrayEquals(recomputed.get(r), cached.get(r), "prompt " + r);
            }
        }
    }

    @Test
    void aMaskOfTheWrongLengthIsRefusedWithTheShapesItNeeds() {
        try (CausalLm model = CausalLm.initialize(CONFIG, 1, Device.cpu()); NDScope scope = new NDScope();
                KvCache cache = KvCache.create(model.manager(), 2, 1, 4)) {
            NDManager m = model.manager();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> model.architecture().forward(model.baseWeights(), m.create(new long[] {1, 2}, new Shape(1, 2)),
                            m.create(new long[] {0, 1}, new Shape(1, 2)), m.ones(new Shape(1, 3)), cache, Map.of()));
            assertTrue(e.getMessage().contains("key mask (1, 3)"), e.getMessage());
        }
    }
}
