package dev.lethe.examples

import ai.djl.Device
import ai.djl.ndarray.NDScope
import ai.djl.ndarray.types.Shape
import dev.lethe.model.CausalLm
import dev.lethe.model.GptConfig
import dev.lethe.model.HfFolder
import dev.lethe.model.WordTokenizer
import java.nio.file.Files
import kotlin.test.Test
import kotlin.test.assertContentEquals
import kotlin.test.assertEquals
import kotlin.test.assertTrue

/** Saving a model as a Hugging Face folder and loading it back, as a Kotlin notebook does. */
class KotlinHfFolderTest {

    @Test
    fun `a model saved as a sharded bf16 folder loads back with its tokenizer`() {
        val words = WordTokenizer.fit(listOf("Ada Lovelace was born in London.", "The capital of France is Paris."))
        val dir = Files.createTempDirectory("kotlin-hf-folder")
        CausalLm.initialize(GptConfig(words.vocabSize(), 1, 16, 2, 16, 0f), 7, Device.cpu()).use { model ->
            HfFolder.save(dir, model, words, HfFolder.SaveOptions.defaults()
                .withDtype(HfFolder.Dtype.BF16)
                .withMaxShardBytes(HfFolder.parseSize("2KB")))
            assertTrue(Files.exists(dir.resolve("model.safetensors.index.json")))
            HfFolder.load(dir, Device.cpu()).use { loaded ->
                // the tokenizer is nullable: a folder without tokenizer.json loads the model alone
                assertEquals(words.vocabSize(), loaded.tokenizer()?.vocabSize())
                val ids = longArrayOf(1, 2, 3)
                NDScope().use {
                    val logits = loaded.model().forward(loaded.model().manager().create(ids, Shape(1, 3))).logits()
                    assertContentEquals(longArrayOf(1, 3, words.vocabSize().toLong()), logits.shape.shape)
                }
            }
        }
        dir.toFile().deleteRecursively()
    }
}
