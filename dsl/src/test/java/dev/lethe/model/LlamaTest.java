package dev.lethe.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A whole tiny Llama-family model: causality, gradients, adapters, roles and the cached pass. */
class LlamaTest {
    /** Qwen3-shaped (q/k norms, head width 12 ≠ 32 / 4, biases), grouped 4 → 2, untied. */
    private static final LlamaConfig QWEN3 = LlamaConfig.of("qwen3", 50, 32, 48, 2, 4, 2).withHeadDim(12)
            .withBiases(true, true, false).withNormAndInit(1e-6, 0.3);
    /** Llama-shaped, tied, with a sliding window of 3 on both layers (as Mistral). */
    private static final LlamaConfig MISTRAL = LlamaConfig.of("mistral", 50, 32, 48, 2, 4, 2).withTiedHead(true)
            .withSlidingWindow(3, 0).withNormAndInit(1e-6, 0.3);
    private static final long[] TOKENS = {3, 17, 9, 44, 1, 28, 5, 12, 40, 7, 33, 2};

    private static float[] logits(CausalLm model, long[] tokens) {
        return model.forward(model.manager().create(tokens, new Shape(1, tokens.length))).logits().toFloatArray();
    }

    @Test
    void changingALaterTokenLeavesEveryEarlierLogitAlone() {
        for (LlamaConfig config : List.of(QWEN3, MISTRAL)) {
            try (CausalLm model = CausalLm.initialize(config, 1, Device.cpu()); NDScope scope = new NDScope()) {
                float[] before = logits(model, TOKENS);
                long[] changed = TOKENS.clone();
                changed[8] = 11;
                float[] after = logits(model, changed);
                int prefix = 8 * config.vocabSize();
                assertArrayEquals(Arrays.copyOf(before, prefix), Arrays.copyOf(after, prefix), 0f, config.modelType());
                assertFalse(Arrays.equals(Arrays.copyOfRange(before, prefix, prefix + 50),
                        Arrays.copyOfRange(after, prefix, prefix + 50)), "position 8 itself changes");
            }
        }
    }

    @Test
    void anIdentityHookLeavesLogitsBitIdenticalAndHiddenStatesAreEmbeddingsThenEachBlock() {
        try (CausalLm model = CausalLm.initialize(QWEN3, 8, Device.cpu()); NDScope scope = new NDScope()) {
            NDArray tokens = model.manager().create(TOKENS, new Shape(1, TOKENS.length));
            float[] plain = model.forward(tokens).logits().toFloatArray();
            List<String> seen = new ArrayList<>();
            ModelOutput hooked = model.forward(tokens, false, true, List.of((block, position, hidden) -> {
                seen.add(block + ":" + position);
                return hidden;
            }));
            assertArrayEquals(plain, hooked.logits().toFloatArray(), 0f);
            assertEquals(List.of("0:ENTERING", "0:LEAVING", "1:ENTERING", "1:LEAVING"), seen);
            assertEquals(3, hooked.hiddenStates().size());
            assertEquals(new Shape(1, TOKENS.length, 32), hooked.hidden(2).getShape());
        }
    }

    @Test
    void everyParameterGetsAGradient() {
        try (CausalLm model = CausalLm.initialize(QWEN3, 2, Device.cpu()); NDScope scope = new NDScope()) {
            NDArray tokens = model.manager().create(TOKENS, new Shape(2, 6));
            try (GradientCollector g = Engine.getInstance().newGradientCollector()) {
                NDArray logits = model.forward(tokens, true, false).logits();
                g.backward(logits.square().mean());
            }
            model.weights().forEach((name, a) -> {
                float norm = a.getGradient().abs().sum().getFloat();
                assertTrue(norm > 0, name + " has no gradient");
            });
            assertEquals(3 + 2 * (4 * 2 + 2 + 3 + 2), model.weights().names().size(),
                    "embedding, head, final norm; per layer q/k/v/o (+ q/k/v/o biases), q/k norms, gate/up/down, 2 norms");
        }
    }

    @Test
    void aLowRankAdapterOnTheQueryProjectionChangesLogitsAndIsInertAtBZero() {
        try (CausalLm model = CausalLm.initialize(QWEN3, 3, Device.cpu()); NDScope scope = new NDScope()) {
            float[] base = logits(model, TOKENS);
            RoleModule q = model.architecture().find(Role.ATTENTION_Q, 1).orElseThrow();
            assertEquals("model.layers.1.self_attn.q_proj", q.name());
            try (NDManager am = model.manager().newSubManager()) {
                NDArray a = am.ones(new Shape(32, 2));
                CausalLm zero = model.withAdapters(Map.of(q.name(), new LowRank(a, am.zeros(new Shape(2, 48)), 1)), am);
                assertArrayEquals(base, logits(zero, TOKENS), 0f);
                CausalLm some = model.withAdapters(Map.of(q.name(), new LowRank(a, am.ones(new Shape(2, 48)), 0.1)),
                        am);
                assertFalse(Arrays.equals(base, logits(some, TOKENS)));
            }
        }
    }

    @Test
    void rolesNameEveryParameterAndTheTiedHeadIsTheEmbedding() {
        Architecture qwen = QWEN3.architecture();
        List<String> owned = new ArrayList<>();
        for (RoleModule m : qwen.roles()) {
            owned.add(m.weight());
            if (m.hasBias()) {
                owned.add(m.bias());
            }
        }
        for (ParameterSpec p : qwen.parameters()) {
            assertTrue(owned.contains(p.name()), p.name() + " has no role");
        }
        assertEquals("model.layers.0.self_attn.k_norm", qwen.find(Role.KEY_NORM, 0).orElseThrow().name());
        assertEquals(new Shape(32, 24), qwen.parameters().stream()
                .filter(p -> p.name().equals("model.layers.0.self_attn.k_proj.weight")).findFirst().orElseThrow()
                .shape(), "stored (in, out): 2 kv heads of 12");
        Architecture mistral = MISTRAL.architecture();
        assertEquals("model.embed_tokens", mistral.find(Role.LM_HEAD).orElseThrow().name());
        assertTrue(mistral.find(Role.QUERY_NORM, 0).isEmpty());
    }

    @Test
    void aFloat16CopyGivesFloat32LogitsCloseToTheFloat32Ones() {
        try (CausalLm model = CausalLm.initialize(MISTRAL, 4, Device.cpu());
                CausalLm half = model.castCopy(Precision.FLOAT16); NDScope scope = new NDScope()) {
            NDArray tokens = model.manager().create(TOKENS, new Shape(1, TOKENS.length));
            NDArray wide = model.forward(tokens).logits();
            NDArray narrow = half.forward(tokens).logits();
            assertEquals(DataType.FLOAT32, narrow.getDataType());
            float d = wide.sub(narrow).abs().max().getFloat();
            assertTrue(d < 0.05, "max |Δlogit| " + d);
        }
    }

    @Test
    void cachedAndUncachedGreedyDecodingChooseTheSameTokens() {
        for (LlamaConfig config : List.of(QWEN3, MISTRAL)) {
            try (CausalLm model = CausalLm.initialize(config, 5, Device.cpu()); NDScope scope = new NDScope();
                    KvCache cache = KvCache.create(model.manager(), 2, 1, 4)) {
                NDManager m = model.manager();
                long[] uncached = Arrays.copyOf(TOKENS, 4);
                List<Long> cachedTokens = new ArrayList<>();
                for (long t : uncached) {
                    cachedTokens.add(t);
                }
                NDArray next = model.architecture().forward(model.baseWeights(), m.create(uncached, new Shape(1, 4)),
                        m.create(new long[] {0, 1, 2, 3}, new Shape(1, 4)), m.ones(new Shape(1, 4), DataType.INT64),
                        cache, Map.of());
                for (int step = 0; step < 12; step++) {
                    float[] full = logits(model, uncached);
                    float[] lastFull = Arrays.copyOfRange(full, full.length - config.vocabSize(), full.length);
                    float[] lastCached = next.toFloatArray();
                    assertArrayEquals(lastFull, lastCached, 1e-4f, config.modelType() + " step " + step);
                    long chosen = argmax(lastFull);
                    assertEquals(chosen, argmax(lastCached), config.modelType() + " step " + step);
                    uncached = Arrays.copyOf(uncached, uncached.length + 1);
                    uncached[uncached.length - 1] = chosen;
                    int position = uncached.length - 1;
                    next = model.architecture().forward(model.baseWeights(), m.create(new long[] {chosen}, new Shape(1, 1)),
                            m.create(new long[] {position}, new Shape(1, 1)),
                            m.ones(new Shape(1, position + 1), DataType.INT64), cache, Map.of());
                }
            }
        }
    }

    @Test
    void leftPaddedRowsGetTheLogitsOfTheirUnpaddedSequences() {
        try (CausalLm model = CausalLm.initialize(MISTRAL, 6, Device.cpu()); NDScope scope = new NDScope();
                KvCache cache = KvCache.create(model.manager(), 2, 2, 8)) {
            NDManager m = model.manager();
            long[] tokens = {3, 17, 9, 44, 1, 28, 0, 0, 0, 5, 12, 40};
            long[] mask = {1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 1, 1};
            long[] positions = {0, 1, 2, 3, 4, 5, 0, 0, 0, 0, 1, 2};
            NDArray out = model.architecture().forward(model.baseWeights(), m.create(tokens, new Shape(2, 6)),
                    m.create(positions, new Shape(2, 6)), m.create(mask, new Shape(2, 6)), cache, Map.of());
            assertArrayEquals(last(logits(model, new long[] {3, 17, 9, 44, 1, 28})), out.get(0).toFloatArray(), 1e-5f);
            assertArrayEquals(last(logits(model, new long[] {5, 12, 40})), out.get(1).toFloatArray(), 1e-5f);
            NDArray next = model.architecture().forward(model.baseWeights(), m.create(new long[] {7, 33}, new Shape(2, 1)),
                    m.create(new long[] {6, 3}, new Shape(2, 1)),
                    m.create(new long[] {1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 1, 1, 1}, new Shape(2, 7)), cache, Map.of());
            assertArrayEquals(last(logits(model, new long[] {3, 17, 9, 44, 1, 28, 7})), next.get(0).toFloatArray(),
                    1e-5f);
            assertArrayEquals(last(logits(model, new long[] {5, 12, 40, 33})), next.get(1).toFloatArray(), 1e-5f);
        }
    }

    @Test
    void aShapeThatItsModelTypeCannotSaveIsRefusedWithTheReason() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LlamaConfig.llama(50, 32, 48, 2, 4, 3));
        assertTrue(e.getMessage().contains("kvHeads must divide heads (4)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> MISTRAL.withBiases(true, true, false));
        assertTrue(e.getMessage().contains("mistral has no biases"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> LlamaConfig.of("gemma", 50, 32, 48, 2, 4, 2));
        assertTrue(e.getMessage().contains("[llama, mistral, qwen2, qwen3]"), e.getMessage());
    }

    private static float[] last(float[] logits) {
        return Arrays.copyOfRange(logits, logits.length - 50, logits.length);
    }

    private static long argmax(float[] values) {
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            if (values[i] > values[best]) {
                best = i;
            }
        }
        return best;
    }
}
