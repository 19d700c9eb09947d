package dev.lethe.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What Phi, Phi-3 and GPT-NeoX add to the shared blocks, against hand-computed values. */
class RotaryDecoderBlocksTest {

    @Test
    void layerNormCentresDividesByTheRootOfTheBiasedVarianceThenScalesAndShifts() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(new float[] {1, 2, 3, 4});
            NDArray gain = m.create(new float[] {1, 1, 2, 0.5f});
            NDArray bias = m.create(new float[] {0, 1, 0, -1});
            // mean 2.5, biased variance (2.25 + 0.25 + 0.25 + 2.25) / 4 = 1.25; ε = 0.75 makes the root √2
            float r = (float) Math.sqrt(2);
            float[] expected = {-1.5f / r, -0.5f / r + 1, 2 * 0.5f / r, 0.5f * 1.5f / r - 1};
            assertArrayEquals(expected, LayerNormalization.apply(x, gain, bias, 0.75).toFloatArray(), 1e-6f);
        }
    }

    @Test
    void neoXsFusedProjectionIsSplitHeadByHeadIntoQueryKeyAndValue() {
        try (NDManager m = NDManager.newBaseManager()) {
            // 2 heads of width 2, one token: columns 0..11 are [q₀ k₀ v₀ | q₁ k₁ v₁], two columns each
            NDArray qkv = m.arange(0f, 12f, 1f, DataType.FLOAT32).reshape(1, 1, 12);
            NDList parts = GptNeoX.splitQkv(qkv, 2, 2);
            assertEquals(new Shape(1, 2, 1, 2), parts.get(0).getShape(), "(batch, heads, time, head width)");
            assertArrayEquals(new float[] {0, 1, 6, 7}, parts.get(0).toFloatArray());
            assertArrayEquals(new float[] {2, 3, 8, 9}, parts.get(1).toFloatArray());
            assertArrayEquals(new float[] {4, 5, 10, 11}, parts.get(2).toFloatArray());
        }
    }

    @Test
    void aQuarterRotaryRotatesOnlyTheFirstPairOfAnEightWideHead() {
        try (NDManager m = NDManager.newBaseManager()) {
            // head 8 × 0.25 = 2 rotated entries, one frequency θ = 1/10000^0 = 1: at position 2 the pair (x₀, x₁)
            // turns by 2 radians (rotate-half of a 2-entry part is (−x₁, x₀)); x₂…x₇ pass unchanged
            Rotary rotary = new Rotary(8, 0.25, 10000, RopeScaling.none(), 16);
            assertEquals(2, rotary.dims());
            NDArray x = m.create(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, new Shape(1, 8));
            NDList table = rotary.table(m.create(new long[] {2}), 3, DataType.FLOAT32);
            float c = (float) Math.cos(2);
            float s = (float) Math.sin(2);
            float[] expected = {1 * c - 2 * s, 2 * c + 1 * s, 3, 4, 5, 6, 7, 8};
            assertArrayEquals(expected, rotary.apply(x, table.get(0), table.get(1)).toFloatArray(), 1e-6f);
        }
    }

    @Test
    void withTheParallelResidualAShiftOfTheAttentionOutputShiftsTheBlockOutputByItselfAlone() {
        // parallel: x' = x + attn(ln₁(x)) + mlp(ln₂(x)), so adding δ to attention.dense's bias adds exactly δ to
        // x'; sequential: the MLP reads x + attn + δ, so x' moves by δ plus a change of the MLP's output
        for (boolean parallel : new boolean[] {true, false}) {
            GptNeoXConfig config = new GptNeoXConfig(40, 16, 32, 1, 2, 1e-5, 10000, 0.5, parallel, true,
                    GptConfig.Activation.GELU, 64, 0.3);
            try (CausalLm model = CausalLm.initialize(config, 7, Device.cpu()); NDScope scope = new NDScope()) {
                NDArray tokens = model.manager().create(new long[] {3, 9, 27, 1, 30}, new Shape(1, 5));
                NDArray before = leaving(model, model.baseWeights(), tokens);
                Map<String, NDArray> shifted = new HashMap<>(model.baseWeights().asMap());
                String bias = "gpt_neox.layers.0.attention.dense.bias";
                NDArray delta = model.manager().arange(0f, 16f, 1f, DataType.FLOAT32).div(10);
                shifted.put(bias, shifted.get(bias).add(delta));
                NDArray after = leaving(model, Weights.of(shifted), tokens);
                float off = after.sub(before).sub(delta).abs().max().getFloat();
                if (parallel) {
                    assertTrue(off < 1e-5, "parallel: moved by δ and " + off + " more");
                } else {
                    assertTrue(off > 1e-2, "sequential: the MLP sees the shift, yet only " + off + " more");
                }
            }
        }
    }

    /** The residual stream leaving block 0. */
    private static NDArray leaving(CausalLm model, Weights weights, NDArray tokens) {
        List<NDArray> seen = new ArrayList<>();
        ActivationHook capture = (block, position, x) -> {
            if (position == ActivationHook.Position.LEAVING) {
                seen.add(x);
            }
            return x;
        };
        model.architecture().forward(weights, tokens, false, Map.of(), List.of(capture));
        return seen.get(0);
    }
}
