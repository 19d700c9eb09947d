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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Only chosen parameters trainable (as RMU, Li et al. 2024, "The WMDP Benchmark", §5): one AdamW step on a
 * small GPT changes the matching weights and leaves every other one bit-identical, weight decay included.
 */
class FreezeExceptTest {

    @Test
    void globsMatchWholeGpt2Names() {
        FreezeExcept f = new FreezeExcept(List.of("h.1.mlp.*", "*.bias", "h.?.ln_1.weight"));
        assertTrue(f.trains("h.1.mlp.c_fc.weight"));
        assertTrue(f.trains("h.1.mlp.c_proj.weight"));
        assertFalse(f.trains("h.11.mlp.c_fc.weight"), "dots and digits are literal");
        assertFalse(f.trains("xh.1.mlp.c_fc.weight"), "the whole name must match");
        assertTrue(f.trains("h.0.attn.c_attn.bias"));
        assertTrue(f.trains("h.3.ln_1.weight"));
        assertFalse(f.trains("h.12.ln_1.weight"));
        assertFalse(f.trains("wte.weight"));
        FreezeExcept r = new FreezeExcept(List.of("regex:h\\.[0-1]\\.mlp\\.c_proj\\..*"));
        assertTrue(r.trains("h.0.mlp.c_proj.weight"));
        assertFalse(r.trains("h.2.mlp.c_proj.weight"));
        assertThrows(IllegalArgumentException.class, () -> new FreezeExcept(List.of()));
    }

    @Test
    void aStepChangesOnlyTheMatchingWeights() {
        GptConfig config = new GptConfig(13, 3, 16, 2, 8, 0f);
        try (CausalLm model = CausalLm.initialize(config, 3, Device.cpu())) {
            Map<String, float[]> before = snapshot(model);
            Optimizer optimizer = Optimizers.onlyLayers(Optimizers.adamW(Schedules.constant(1e-2), 0.1),
                    "h.1.mlp.*", "h.2.mlp.c_proj.weight");
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
