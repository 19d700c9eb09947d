package dev.lethe.examples

import ai.djl.Device
import ai.djl.ndarray.NDScope
import ai.djl.ndarray.types.Shape
import dev.lethe.model.CausalLm
import dev.lethe.model.LlamaConfig
import dev.lethe.model.Role
import dev.lethe.model.RopeScaling
import kotlin.test.Test
import kotlin.test.assertEquals

/** A tiny Llama-family shape built from Kotlin, as a notebook would, and run from scratch. */
class KotlinLlamaTest {

    @Test
    fun `a tiny Llama 3 shape with grouped heads and llama3 rope runs and names its roles`() {
        val config = LlamaConfig.llama(64, 32, 64, 2, 4, 2)
            .withTiedHead(true)
            .withRope(500000.0, RopeScaling.llama3(8.0, 1.0, 4.0, 16))
        assertEquals(8, config.headDim())
        CausalLm.initialize(config, 1, Device.cpu()).use { model ->
            NDScope().use {
                val tokens = model.manager().create(longArrayOf(1, 5, 9, 2, 7), Shape(1, 5))
                assertEquals(Shape(1, 5, 64), model.forward(tokens).logits().shape)
            }
            assertEquals("model.layers.1.self_attn.k_proj", model.architecture().find(Role.ATTENTION_K, 1).get().name())
            assertEquals("model.embed_tokens", model.architecture().find(Role.LM_HEAD).get().name())
        }
    }
}
