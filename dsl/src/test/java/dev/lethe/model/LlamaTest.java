package dev.lethe.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

/**
 * What only the Llama family has: Qwen3's q/k norms, per-model-type bias rules, the tied head's role. The passes
 * of whole tiny Llama-family models (causality, gradients, adapters, F16, cached and left-padded decoding) are
 * tested with the other rotary families in {@link RotaryDecoderModelsTest}.
 */
class LlamaTest {
    /** Qwen3-shaped (q/k norms, head width 12 ≠ 32 / 4, biases), grouped 4 → 2, untied. */
    private static final LlamaConfig QWEN3 = LlamaConfig.of("qwen3", 50, 32, 48, 2, 4, 2).withHeadDim(12)
            .withBiases(true, true, false).withNormAndInit(1e-6, 0.3);
    /** Llama-shaped, tied, with a sliding window of 3 on both layers (as Mistral). */
    private static final LlamaConfig MISTRAL = LlamaConfig.of("mistral", 50, 32, 48, 2, 4, 2).withTiedHead(true)
            .withSlidingWindow(3, 0).withNormAndInit(1e-6, 0.3);

    @Test
    void rolesNameTheQwen3ModulesAndTheTiedHeadIsTheEmbedding() {
        Architecture qwen = QWEN3.architecture();
        assertEquals(3 + 2 * (4 * 2 + 2 + 3 + 2), qwen.parameters().size(),
                "embedding, head, final norm; per layer q/k/v/o (+ q/k/v/o biases), q/k norms, gate/up/down, 2 norms");
        assertEquals("model.layers.1.self_attn.q_proj", qwen.find(Role.ATTENTION_Q, 1).orElseThrow().name());
        assertEquals("model.layers.0.self_attn.k_norm", qwen.find(Role.KEY_NORM, 0).orElseThrow().name());
        assertEquals(new Shape(32, 24), qwen.parameters().stream()
                .filter(p -> p.name().equals("model.layers.0.self_attn.k_proj.weight")).findFirst().orElseThrow()
                .shape(), "stored (in, out): 2 kv heads of 12");
        Architecture mistral = MISTRAL.architecture();
        assertEquals("model.embed_tokens", mistral.find(Role.LM_HEAD).orElseThrow().name());
        assertTrue(mistral.find(Role.QUERY_NORM, 0).isEmpty());
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
}
