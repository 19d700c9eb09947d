package dev.lethe.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** GPT-2 through the architecture seam: its roles and its activation hooks. */
class Gpt2Test {
    private static final GptConfig CONFIG = new GptConfig(17, 2, 16, 2, 8, 0f);
    private static final long[] TOKENS = {2, 5, 9, 4, 11, 3, 8, 1, 0, 7};

    @Test
    void theRolesOfGpt2NameTheRightParametersWithTheRightShapes() {
        try (CausalLm model = CausalLm.initialize(CONFIG, 1, Device.cpu())) {
            Architecture gpt2 = model.architecture();
            assertEquals(2, gpt2.blocks());
            assertModule(model, gpt2.find(Role.TOKEN_EMBEDDING), "wte", false, new Shape(17, 16));
            assertModule(model, gpt2.find(Role.POSITION_EMBEDDING), "wpe", false, new Shape(8, 16));
            assertModule(model, gpt2.find(Role.FINAL_NORM), "ln_f", true, new Shape(16));
            assertModule(model, gpt2.find(Role.LM_HEAD), "wte", false, new Shape(17, 16));
            for (int l = 0; l < 2; l++) {
                String h = "h." + l + ".";
                assertModule(model, gpt2.find(Role.ATTENTION_NORM, l), h + "ln_1", true, new Shape(16));
                assertModule(model, gpt2.find(Role.ATTENTION_QKV, l), h + "attn.c_attn", true, new Shape(16, 48));
                assertModule(model, gpt2.find(Role.ATTENTION_OUT, l), h + "attn.c_proj", true, new Shape(16, 16));
                assertModule(model, gpt2.find(Role.MLP_NORM, l), h + "ln_2", true, new Shape(16));
                assertModule(model, gpt2.find(Role.MLP_UP, l), h + "mlp.c_fc", true, new Shape(16, 64));
                assertModule(model, gpt2.find(Role.MLP_DOWN, l), h + "mlp.c_proj", true, new Shape(64, 16));
                for (Role absent : List.of(Role.ATTENTION_Q, Role.ATTENTION_K, Role.ATTENTION_V, Role.MLP_GATE)) {
                    assertEquals(Optional.empty(), gpt2.find(absent, l), absent + ": GPT-2 fuses q, k, v and has no gate");
                }
            }
            Set<String> owned = new HashSet<>();
            for (RoleModule m : gpt2.roles()) {
                owned.add(m.weight());
                if (m.bias() != null) {
                    owned.add(m.bias());
                }
                assertEquals(m.role().perBlock(), m.block() >= 0, m.toString());
            }
            assertEquals(model.weights().names(), owned, "every parameter plays a role, and only parameters do");
            assertEquals(List.of(Role.TOKEN_EMBEDDING, Role.LM_HEAD),
                    model.weights().rolesOf("wte.weight").stream().map(RoleModule::role).toList(), "the tied head");
            assertThrows(IllegalArgumentException.class, () -> gpt2.find(Role.MLP_UP, 2), "out of range");
            assertThrows(IllegalArgumentException.class, () -> gpt2.find(Role.MLP_UP), "per-block role without a block");
            assertThrows(IllegalArgumentException.class, () -> gpt2.find(Role.FINAL_NORM, 0), "model-wide role with one");
        }
    }

    private static void assertModule(CausalLm model, Optional<RoleModule> found, String name, boolean bias, Shape shape) {
        RoleModule m = found.orElseThrow(() -> new AssertionError(name + " has no role"));
        assertEquals(name, m.name());
        assertEquals(name + ".weight", m.weight());
        assertEquals(shape, model.weights().get(m.weight()).getShape(), name);
        assertEquals(bias ? name + ".bias" : null, m.bias());
        if (bias) {
            assertEquals(new Shape(shape.get(shape.dimension() - 1)), model.weights().get(m.bias()).getShape(), name);
        }
    }

    @Test
    void anIdentityHookLeavesTheLogitsBitIdenticalAndRunsAtEveryBlockBoundaryInOrder() {
        try (CausalLm model = CausalLm.initialize(CONFIG, 2, Device.cpu());
                NDManager m = NDManager.newBaseManager();
                NDScope scope = new NDScope()) {
            NDArray tokens = m.create(TOKENS, new Shape(2, 5));
            float[] plain = model.forward(tokens).logits().toFloatArray();
            List<String> seen = new ArrayList<>();
            ActivationHook identity = (block, position, hidden) -> {
                seen.add(block + " " + position);
                return hidden;
            };
            float[] hooked = model.forward(tokens, false, false, List.of(identity)).logits().toFloatArray();
            assertArrayEquals(plain, hooked, 0f);
            assertEquals(List.of("0 ENTERING", "0 LEAVING", "1 ENTERING", "1 LEAVING"), seen);
        }
    }

    @Test
    void aHookThatHandsABlocksInputOnGivesTheModelWithoutThatBlock() {
        try (CausalLm model = CausalLm.initialize(CONFIG, 3, Device.cpu());
                NDManager m = NDManager.newBaseManager();
                NDScope scope = new NDScope()) {
            randomize(model.weights(), 5); // norms and biases too, so that leaving out a block shows
            NDArray tokens = m.create(TOKENS, new Shape(2, 5));
            GptConfig oneBlock = new GptConfig(17, 1, 16, 2, 8, 0f);
            for (int skipped = 0; skipped < 2; skipped++) {
                int skip = skipped;
                int kept = 1 - skipped;
                Map<Integer, NDArray> inputs = new HashMap<>();
                ActivationHook bypass = (block, position, hidden) -> {
                    if (block != skip) {
                        return hidden;
                    }
                    if (position == ActivationHook.Position.ENTERING) {
                        inputs.put(block, hidden);
                        return hidden;
                    }
                    return inputs.get(block);
                };
                float[] bypassed = model.forward(tokens, false, false, List.of(bypass)).logits().toFloatArray();
                try (CausalLm without = CausalLm.initialize(oneBlock, 9, Device.cpu())) {
                    Map<String, NDArray> values = new HashMap<>();
                    for (String name : without.weights().names()) {
                        values.put(name, model.weights().get(name.replace("h.0.", "h." + kept + ".")));
                    }
                    without.weights().assign(values, "the two-block model");
                    assertArrayEquals(without.forward(tokens).logits().toFloatArray(), bypassed, 0f,
                            "block " + skip + " bypassed");
                }
                assertFalse(java.util.Arrays.equals(model.forward(tokens).logits().toFloatArray(), bypassed));
            }
        }
    }

    @Test
    void zeroingTheLastBlocksOutputLeavesTheFinalNormsShiftTimesTheTiedHead() {
        try (CausalLm model = CausalLm.initialize(CONFIG, 4, Device.cpu());
                NDManager m = NDManager.newBaseManager();
                NDScope scope = new NDScope()) {
            randomize(model.weights(), 6);
            NDArray tokens = m.create(TOKENS, new Shape(2, 5));
            ActivationHook zero = (block, position, hidden) ->
                    block == 1 && position == ActivationHook.Position.LEAVING ? hidden.zerosLike() : hidden;
            float[] logits = model.forward(tokens, false, false, List.of(zero)).logits().toFloatArray();
            // layer norm of a zero vector is its shift b (x − mean = 0), so every position's logits are b·wteᵀ
            float[] b = model.weights().get("ln_f.bias").toFloatArray();
            float[] wte = model.weights().get("wte.weight").toFloatArray();
            for (int position = 0; position < 10; position++) {
                for (int v = 0; v < 17; v++) {
                    double expected = 0;
                    for (int d = 0; d < 16; d++) {
                        expected += b[d] * (double) wte[v * 16 + d];
                    }
                    assertEquals(expected, logits[position * 17 + v], 1e-5, "position " + position + ", token " + v);
                }
            }
            ModelOutput kept = model.forward(tokens, false, true, List.of(zero));
            assertArrayEquals(new float[2 * 5 * 16], kept.hidden(2).toFloatArray(), 0f, "kept: what flowed on");
            assertArrayEquals(logits, kept.logits().toFloatArray(), 0f);
        }
    }

    @Test
    void aReadingHookSeesTheSameStatesAsKeepHiddenStates() {
        try (CausalLm model = CausalLm.initialize(CONFIG, 5, Device.cpu());
                NDManager m = NDManager.newBaseManager();
                NDScope scope = new NDScope()) {
            NDArray tokens = m.create(TOKENS, new Shape(2, 5));
            List<NDArray> read = new ArrayList<>();
            ActivationHook reader = (block, position, hidden) -> {
                if (block == 0 && position == ActivationHook.Position.ENTERING
                        || position == ActivationHook.Position.LEAVING) {
                    read.add(hidden);
                }
                return hidden;
            };
            ModelOutput read1 = model.forward(tokens, false, false, List.of(reader));
            ModelOutput kept = model.forward(tokens, false, true);
            assertEquals(3, read.size());
            assertEquals(kept.hiddenStates().size(), read.size());
            for (int i = 0; i < read.size(); i++) {
                assertArrayEquals(kept.hidden(i).toFloatArray(), read.get(i).toFloatArray(), 0f, "state " + i);
            }
            assertArrayEquals(kept.logits().toFloatArray(), read1.logits().toFloatArray(), 0f);
            assertTrue(read1.hiddenStates().isEmpty(), "hidden states only when asked for");
        }
    }

    /** Replaces every array with N(0, 0.3²) values (norm gains around 1), from {@code seed}. */
    private static void randomize(Weights weights, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        weights.forEach((name, a) -> {
            float[] v = new float[Math.toIntExact(a.getShape().size())];
            boolean gain = a.getShape().dimension() == 1 && name.endsWith(".weight");
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) ((gain ? 1 : 0) + 0.3 * random.nextGaussian());
            }
            try (NDArray values = a.getManager().create(v, a.getShape())) {
                Weights.assign(a, values, name);
            }
        });
    }
}
