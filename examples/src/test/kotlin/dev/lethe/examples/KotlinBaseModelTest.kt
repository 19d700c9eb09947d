package dev.lethe.examples

import ai.djl.Device
import dev.lethe.data.FictitiousFacts
import dev.lethe.model.BpeTrainer
import dev.lethe.model.HfFolder
import dev.lethe.model.HfTokenizer
import dev.lethe.model.QaFormatter
import dev.lethe.run.BaseModel
import java.nio.file.Files
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertTrue

/** The offline base model from Kotlin: train a tokenizer, pretrain a tiny model, load it and format a question. */
class KotlinBaseModelTest {

    @Test
    fun `a tiny base model is pretrained, loaded and asked through its chat template`() {
        val trained = BpeTrainer.chatMl(300).train(listOf("Ada Lovelace was born in London.", "Ada wrote a program."))
        assertEquals(listOf("<|endoftext|>", "<|im_start|>", "<|im_end|>"), trained.vocabulary().take(3))

        val dir = Files.createTempDirectory("kotlin-base-model").resolve("base")
        val options = BaseModel.Options.defaults()
            .withCorpus(FictitiousFacts.of(4, 0.25).withFactsPerPerson(1), 10)
            .withShape(280, 16, 1)
            .withSteps(2)
        BaseModel.pretrain(dir, options)
        HfFolder.load(dir, Device.cpu()).use { loaded ->
            HfTokenizer.fromFolder(dir).use { tokenizer ->
                assertEquals(loaded.model().spec().vocabSize(), tokenizer.vocabSize())
                val pair = QaFormatter.of(tokenizer).format("Where was Ada born?", "London")
                assertEquals("<|im_start|>user\nWhere was Ada born?<|im_end|>\n<|im_start|>assistant\n", pair.prompt())
                assertEquals("London<|im_end|>\n", pair.answer())
                assertTrue(tokenizer.encode(pair.prompt()).first() == 1, "<|im_start|> is one token, id 1")
            }
        }
        dir.parent.toFile().deleteRecursively()
    }
}
