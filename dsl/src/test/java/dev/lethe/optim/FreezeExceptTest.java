package dev.lethe.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.lethe.model.CausalLm;
import dev.lethe.model.GptConfig;
import dev.lethe.model.Weights;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Only chosen parameters trainable (as RMU, Li et al. 2024, "The WMDP Benchmark", §5): one AdamW step on a
 * small GPT changes the matching weights and leaves every other one bit-identical, weight decay included.
 */
class FreezeExceptTest {
    /** Weights without roles: only name patterns can match. */
    private static final Weights NAMES_ONLY = Weights.of(Map.of());

    @Test
    void globsMatchWholeGpt2Names() {
        FreezeExcept f = new FreezeExcept(List.of("h.1.mlp.*", "*.bias", "h.?.ln_1.weight"));
        assertTrue(f.trains("h.1.mlp.c_fc.weight", NAMES_ONLY));
        assertTrue(f.trains("h.1.mlp.c_proj.weight", NAMES_ONLY));
        assertFalse(f.trains("h.11.mlp.c_fc.weight", NAMES_ONLY), "dots and digits are literal");
        assertFalse(f.trains("xh.1.mlp.c_fc.weight", NAMES_ONLY), "the whole name must match");
        assertTrue(f.trains("h.0.attn.c_attn.bias", NAMES_ONLY));
        assertTrue(f.trains("h.3.ln_1.weight", NAMES_ONLY));
        assertFalse(f.trains("h.12.ln_1.weight", NAMES_ONLY));
        assertFalse(f.trains("wte.weight", NAMES_ONLY));
        FreezeExcept r = new FreezeExcept(List.of("regex:h\\.[0-1]\\.mlp\\.c_proj\\..*"));
        assertTrue(r.trains("h.0.mlp.c_proj.weight", NAMES_ONLY));
        assertFalse(r.trains("h.2.mlp.c_proj.weight", NAMES_ONLY));
        assertThrows(IllegalArgumentException.class, () -> new FreezeExcept(List.of()));
    }

    @Test
    void rolePatternsChooseTheArraysTheArchitectureGivesARole() {
        GptConfig config = new GptConfig(13, 3, 16, 2, 8, 0f);
        try (CausalLm model = CausalLm.initialize(config, 3, Device.cpu())) {
            Weights w = model.weights();
            FreezeExcept down = new FreezeExcept(List.of("role:mlp_down@1.weight"));
            assertTrue(down.trains("h.1.mlp.c_proj.weight", w));
            assertFalse(down.trains("h.1.mlp.c_proj.bias", w), ".weight leaves the bias out");
            assertFalse(down.trains("h.0.mlp.c_proj.weight", w), "another block");
            assertFalse(down.trains("h.1.mlp.c_proj.weight", NAMES_ONLY), "weights without roles match no role");
            FreezeExcept up = new FreezeExcept(List.of("role:mlp_up@*"));
            for (int l = 0; l < 3; l++) {
                assertTrue(up.trains("h." + l + ".mlp.c_fc.weight", w) && up.trains("h." + l + ".mlp.c_fc.bias", w));
            }
            assertFalse(up.trains("h.0.mlp.c_proj.weight", w));
            FreezeExcept head = new FreezeExcept(List.of("role:lm_head", "role:final_norm.bias"));
            assertTrue(head.trains("wte.weight", w), "GPT-2's head is tied to the token embedding");
            assertTrue(head.trains("ln_f.bias", w));
            assertFalse(head.trains("ln_f.weight", w));
            assertFalse(head.trains("wpe.weight", w));
        }
        for (String bad : List.of("role:mlp_down@x", "role:nonsense@1", "role:final_norm@1", "role:mlp_down@1.gain")) {
            assertThrows(IllegalArgumentException.class, () -> new FreezeExcept(List.of(bad)), bad);
        }
    }

    static Stream<Arguments> sameChoice() {
        return Stream.of(Arguments.of("names", List.of("h.1.mlp.*", "h.2.mlp.c_proj.weight")),
                Arguments.of("roles", List.of("role:mlp_up@1", "role:mlp_down@1", "role:mlp_down@2.weight")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sameChoice")
    void aStepChangesOnlyTheMatchingWeights(String how, List<String> patterns) {
        GptConfig config = new GptConfig(13, 3, 16, 2, 8, 0f);
        try (CausalLm model = CausalLm.initialize(config, 3, Device.cpu())) {
            Map<String, float[]> before = snapshot(model);
            Optimizer optimizer = Optimizers.onlyLayers(Optimizers.adamW(Schedules.constant(1e-2), 0.1), patterns);
            try (NDScope scope = new NDScope(); Optimizer.State state = optimizer.init(model.weights(), model.manager())) {
                NDArray tokens = model.manager().arange(0, 12).reshape(new Shape(2, 6)).toType(
                        ai.djl.ndarray.types.DataType.INT64, false);
                LossOracle oracle = new LossOracle() {
                    @Override
                    public NDArray loss() {
                        return model.forward(tokens).logits().square().mean();
                    }

                    @Override
                    public Evaluation lossAndGradients() {
                        model.weights().zeroGradients();
                        NDArray loss;
                        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                            loss = model.forward(tokens, true, false).logits().square().mean();
                            gc.backward(loss);
                        }
                        LinkedHashMap<String, NDArray> g = new LinkedHashMap<>();
                        model.weights().forEach((n, w) -> g.put(n, w.getGradient()));
                        return new Evaluation(loss, new Updates(g));
                    }
                };
                assertTrue(optimizer.step(oracle, model.weights(), state, 0, 1, 0).applied());
            }
            int changed = 0;
            for (String name : model.weights().names()) {
                float[] now = model.weights().get(name).toFloatArray();
                boolean trains = name.startsWith("h.1.mlp.") || name.equals("h.2.mlp.c_proj.weight");
                if (trains) {
                    assertFalse(java.util.Arrays.equals(before.get(name), now), name + " should have moved");
                    changed++;
                } else {
                    assertArrayEquals(before.get(name), now, 0f, name + " is frozen");
                    for (int i = 0; i < now.length; i++) {
                        assertEquals(Float.floatToRawIntBits(before.get(name)[i]), Float.floatToRawIntBits(now[i]),
                                name + " bit-identical at " + i);
                    }
                }
            }
            assertEquals(5, changed, "c_fc weight and bias, c_proj weight and bias of h.1, c_proj weight of h.2");
        }
    }

    @Test
    void onlyLayersWrapsTheInnerChainFirstAndLast() {
        Optimizer inner = Optimizers.adamW(1e-3);
        Optimizer only = Optimizers.onlyLayers(inner, "h.0.*");
        assertEquals(inner.estimator(), only.estimator());
        assertEquals(inner.transforms().size() + 2, only.transforms().size());
        assertEquals(new FreezeExcept(List.of("h.0.*")), only.transforms().get(0));
        assertEquals(inner.transforms(), only.transforms().subList(1, only.transforms().size() - 1));
        assertEquals(new FreezeExcept(List.of("h.0.*")), only.transforms().get(only.transforms().size() - 1));
    }

    private static Map<String, float[]> snapshot(CausalLm model) {
        Map<String, float[]> out = new LinkedHashMap<>();
        model.weights().forEach((n, w) -> out.put(n, w.toFloatArray()));
        return out;
    }
}
