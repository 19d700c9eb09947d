package dev.lethe.examples

import ai.djl.Device
import dev.lethe.model.CausalLm
import dev.lethe.model.Generation
import dev.lethe.model.Generator
import dev.lethe.model.GptConfig
import dev.lethe.model.WordTokenizer
import kotlin.test.Test
import kotlin.test.assertContentEquals
import kotlin.test.assertEquals
import kotlin.test.assertTrue

/** Generation options as a Kotlin user chains them, and a batch generated with them. */
class KotlinGenerationTest {

    @Test
    fun `options chain fluently and a batch generates with and without the cache alike`() {
        val tokenizer = WordTokenizer.fit(listOf("the cat sat on the mat and the dog ran off"))
        val options = Generation.sampling(12, 42)
            .withTemperature(0.8)
            .withTopK(5)
            .withTopP(0.9)
            .withEos(tokenizer.eosId())
            .withStopStrings("mat")
        assertEquals(listOf(tokenizer.eosId()), options.eosIds())
        assertEquals(Generation.greedy(12).withSeed(42), Generation.greedy(12).withSeed(42))
        CausalLm.initialize(GptConfig(tokenizer.vocabSize(), 1, 16, 2, 32, 0f), 3, Device.cpu()).use { model ->
            val generator = Generator(model, tokenizer)
            val prompts = listOf("the cat", "the dog ran off and").map { intArrayOf(tokenizer.bosId()) + tokenizer.encode(it) }
            val cached = generator.generate(prompts, options)
            val recomputed = generator.generate(prompts, options.withCache(false))
            cached.zip(recomputed).forEach { (a, b) -> assertContentEquals(b, a) }
            cached.forEach { assertTrue(it.size <= 12) }
            val greedy = generator.generate(prompts, Generation.greedy(6))
            assertEquals(listOf(6, 6), greedy.map { it.size })
        }
    }
}
