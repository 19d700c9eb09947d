package dev.lethe.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Whole tiny Llama-family, Phi, Phi-3 and GPT-NeoX models: causality, gradients, roles, adapters, F16 and the
 * cached pass.
 */
class RotaryDecoderModelsTest {
    private static final int VOCAB = 50;
    private static final long[] TOKENS = {3, 17, 9, 44, 1, 28, 5, 12, 40, 7, 33, 2};

    /** The shapes under test, each exercising what its family adds. */
    static List<ModelSpec> specs() {
        return List.of(
                // Qwen3: q/k norms, head width 12 ≠ 32 / 4, biases, grouped 4 → 2, untied; Mistral: tied, a sliding
                // window of 3 on both layers
                LlamaConfig.of("qwen3", VOCAB, 32, 48, 2, 4, 2).withHeadDim(12).withBiases(true, true, false)
                        .withNormAndInit(1e-6, 0.3),
                LlamaConfig.of("mistral", VOCAB, 32, 48, 2, 4, 2).withTiedHead(true).withSlidingWindow(3, 0)
                        .withNormAndInit(1e-6, 0.3),
                // Phi: grouped 4 → 2 heads, q/k LayerNorms, half of each 8-wide head rotated; Phi-3: 3/4 rotated, a
                // window of 3, tied head; GPT-NeoX: parallel with biases, and sequential without attention biases
                new PhiConfig(VOCAB, 32, 48, 2, 4, 2, 1e-5, 10000, 0.5, GptConfig.Activation.GELU_TANH, true, 64,
                        0.3),
                new Phi3Config(VOCAB, 32, 48, 2, 4, 2, 8, 1e-5, 10000, 0.75, RopeScaling.none(), true, 3, 64, 0.3),
                new GptNeoXConfig(VOCAB, 32, 48, 2, 4, 1e-5, 10000, 0.25, true, true, GptConfig.Activation.GELU, 64,
                        0.3),
                new GptNeoXConfig(VOCAB, 32, 48, 2, 4, 1e-5, 10000, 0.5, false, false,
                        GptConfig.Activation.GELU_TANH, 64, 0.3));
    }

    private static float[] logits(CausalLm model, long[] tokens) {
        return model.forward(model.manager().create(tokens, new Shape(1, tokens.length))).logits().toFloatArray();
    }

    @ParameterizedTest
    @MethodSource("specs")
    void changingALaterTokenLeavesEveryEarlierLogitAlone(ModelSpec spec) {
        try (CausalLm model = CausalLm.initialize(spec, 1, Device.cpu()); NDScope scope = new NDScope()) {
            float[] before = logits(model, TOKENS);
            long[] changed = TOKENS.clone();
            changed[8] = 11;
            float[] after = logits(model, changed);
            int prefix = 8 * VOCAB;
            assertArrayEquals(Arrays.copyOf(before, prefix), Arrays.copyOf(after, prefix), 0f);
            assertFalse(Arrays.equals(Arrays.copyOfRange(before, prefix, prefix + VOCAB),
                    Arrays.copyOfRange(after, prefix, prefix + VOCAB)), "position 8 itself changes");
        }
    }

    @ParameterizedTest
    @MethodSource("specs")
    void anIdentityHookLeavesLogitsBitIdenticalAndHiddenStatesAreEmbeddingsThenEachBlock(ModelSpec spec) {
        try (CausalLm model = CausalLm.initialize(spec, 8, Device.cpu()); NDScope scope = new NDScope()) {
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

    @ParameterizedTest
    @MethodSource("specs")
    void everyParameterGetsAGradientAndPlaysARole(ModelSpec spec) {
        List<String> owned = new ArrayList<>();
        for (RoleModule m : spec.architecture().roles()) {
            owned.add(m.weight());
            if (m.hasBias()) {
                owned.add(m.bias());
            }
        }
        try (CausalLm model = CausalLm.initialize(spec, 2, Device.cpu()); NDScope scope = new NDScope()) {
            assertEquals(owned.stream().distinct().sorted().toList(), model.weights().names().stream().sorted().toList(),
                    "the roles' modules own exactly the parameters (a tied head is the embedding)");
            NDArray tokens = model.manager().create(TOKENS, new Shape(2, 6));
            try (GradientCollector g = Engine.getInstance().newGradientCollector()) {
                NDArray logits = model.forward(tokens, true, false).logits();
                g.backward(logits.square().mean());
            }
            model.weights().forEach((name, a) -> {
                float norm = a.getGradient().abs().sum().getFloat();
                assertTrue(norm > 0, name + " has no gradient");
            });
        }
    }

    @ParameterizedTest
    @MethodSource("specs")
    void aLowRankAdapterOnTheAttentionInputChangesLogitsAndIsInertAtBZero(ModelSpec spec) {
        Architecture arch = spec.architecture();
        RoleModule input = arch.find(Role.ATTENTION_QKV, 1).or(() -> arch.find(Role.ATTENTION_Q, 1)).orElseThrow();
        long out = arch.parameters().stream().filter(p -> p.name().equals(input.weight())).findFirst().orElseThrow()
                .shape().get(1);
        try (CausalLm model = CausalLm.initialize(spec, 3, Device.cpu()); NDScope scope = new NDScope();
                NDManager am = model.manager().newSubManager()) {
            float[] base = logits(model, TOKENS);
            NDArray a = am.ones(new Shape(32, 2));
            CausalLm zero = model.withAdapters(Map.of(input.name(), new LowRank(a, am.zeros(new Shape(2, out)), 1)), am);
            assertArrayEquals(base, logits(zero, TOKENS), 0f);
            CausalLm some = model.withAdapters(Map.of(input.name(), new LowRank(a, am.ones(new Shape(2, out)), 0.1)),
                    am);
            assertFalse(Arrays.equals(base, logits(some, TOKENS)));
        }
    }

    @ParameterizedTest
    @MethodSource("specs")
    void aFloat16CopyGivesFloat32LogitsCloseToTheFloat32Ones(ModelSpec spec) {
        try (CausalLm model = CausalLm.initialize(spec, 4, Device.cpu());
                CausalLm half = model.castCopy(Precision.FLOAT16); NDScope scope = new NDScope()) {
            NDArray tokens = model.manager().create(TOKENS, new Shape(1, TOKENS.length));
            NDArray wide = model.forward(tokens).logits();
            NDArray narrow = half.forward(tokens).logits();
            assertEquals(DataType.FLOAT32, narrow.getDataType());
            float d = wide.sub(narrow).abs().max().getFloat();
            assertTrue(d < 0.05, "max |Δlogit| " + d);
        }
    }

    @ParameterizedTest
    @MethodSource("specs")
    void cachedAndUncachedGreedyDecodingChooseTheSameTokens(ModelSpec spec) {
        try (CausalLm model = CausalLm.initialize(spec, 5, Device.cpu()); NDScope scope = new NDScope();
                KvCache cache = KvCache.create(model.manager(), 2, 1, 4)) {
            assertTrue(model.architecture().supportsKvCache());
            NDManager m = model.manager();
            long[] uncached = Arrays.copyOf(TOKENS, 4);
            NDArray next = model.architecture().forward(model.baseWeights(), m.create(uncached, new Shape(1, 4)),
                    m.create(new long[] {0, 1, 2, 3}, new Shape(1, 4)), m.ones(new Shape(1, 4), DataType.INT64), cache,
                    Map.of());
            for (int step = 0; step < 12; step++) {
                float[] lastFull = last(logits(model, uncached));
                float[] lastCached = next.toFloatArray();
                assertArrayEquals(lastFull, lastCached, 1e-4f, "step " + step);
                long chosen = argmax(lastFull);
                assertEquals(chosen, argmax(lastCached), "step " + step);
                uncached = Arrays.copyOf(uncached, uncached.length + 1);
                uncached[uncached.length - 1] = chosen;
                int position = uncached.length - 1;
                next = model.architecture().forward(model.baseWeights(), m.create(new long[] {chosen}, new Shape(1, 1)),
                        m.create(new long[] {position}, new Shape(1, 1)),
                        m.ones(new Shape(1, position + 1), DataType.INT64), cache, Map.of());
            }
        }
    }

    @ParameterizedTest
    @MethodSource("specs")
    void leftPaddedRowsGetTheLogitsOfTheirUnpaddedSequences(ModelSpec spec) {
        try (CausalLm model = CausalLm.initialize(spec, 6, Device.cpu()); NDScope scope = new NDScope();
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

    private static float[] last(float[] logits) {
        return Arrays.copyOfRange(logits, logits.length - VOCAB, logits.length);
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
