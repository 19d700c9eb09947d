package dev.lethe.examples

import ai.djl.Device
import ai.djl.ndarray.NDScope
import ai.djl.ndarray.types.Shape
import dev.lethe.model.CausalLm
import dev.lethe.model.GptNeoXConfig
import dev.lethe.model.Phi3Config
import dev.lethe.model.PhiConfig
import dev.lethe.model.Role
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertTrue

/** Tiny Phi, Phi-3 and Pythia shapes built from Kotlin, as a notebook would, run from scratch, roles by name. */
class KotlinPhiNeoXTest {

    @Test
    fun `a tiny phi-2, Phi-3 and Pythia shape run and name their fused and parallel modules`() {
        val phi = PhiConfig.of(64, 32, 64, 2, 4).withRotaryFraction(0.25).withQkLayerNorm(true)
        val phi3 = Phi3Config.of(64, 32, 64, 2, 4, 2).withTiedHead(true).withSlidingWindow(3)
        val pythia = GptNeoXConfig.of(64, 32, 64, 2, 4).withParallelResidual(false)
        for (spec in listOf(phi, phi3, pythia)) {
            CausalLm.initialize(spec, 1, Device.cpu()).use { model ->
                NDScope().use {
                    val tokens = model.manager().create(longArrayOf(1, 5, 9, 2, 7), Shape(1, 5))
                    assertEquals(Shape(1, 5, 64), model.forward(tokens).logits().shape)
                }
                assertTrue(model.architecture().supportsKvCache())
            }
        }
        assertEquals("model.layers.1.self_attn.k_layernorm", phi.architecture().find(Role.KEY_NORM, 1).get().name())
        assertTrue(phi.architecture().find(Role.MLP_NORM, 0).isEmpty, "phi's MLP reads the attention's norm")
        assertEquals("model.layers.0.self_attn.qkv_proj", phi3.architecture().find(Role.ATTENTION_QKV, 0).get().name())
        assertEquals("model.layers.0.mlp.gate_up_proj", phi3.architecture().find(Role.MLP_UP, 0).get().name())
        assertEquals("model.embed_tokens", phi3.architecture().find(Role.LM_HEAD).get().name())
        assertEquals("gpt_neox.layers.1.attention.query_key_value",
            pythia.architecture().find(Role.ATTENTION_QKV, 1).get().name())
        assertEquals("embed_out", pythia.architecture().find(Role.LM_HEAD).get().name())
    }
}
