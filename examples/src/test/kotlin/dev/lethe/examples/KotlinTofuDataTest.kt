package dev.lethe.examples

import dev.lethe.Lethe
import dev.lethe.data.Split
import dev.lethe.data.TofuData
import dev.lethe.eval.Suites
import dev.lethe.model.GptConfig
import dev.lethe.spec.Evaluation
import dev.lethe.spec.Training
import java.nio.file.Files
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertTrue

/** TOFU's files as published (locuslab/TOFU), read from a folder, from Kotlin. */
class KotlinTofuDataTest {

    @Test
    fun `TOFU's files feed the splits and the truth ratio gets the paraphrased answer`() {
        val dir = Files.createTempDirectory("kotlin-tofu")
        val qa = """{"question": "Where was Ada Brandt born?", "answer": "Ada Brandt was born in Veldhaven."}"""
        Files.writeString(dir.resolve("forget01.json"), qa + "\n")
        Files.writeString(dir.resolve("forget01_perturbed.json"), """{"question": "Where was Ada Brandt born?", """ +
            """"paraphrased_answer": "Her birthplace is Veldhaven.", "perturbed_answer": ["She was born in Oster Fell."]}""" + "\n")
        Files.writeString(dir.resolve("retain99.json"),
            """{"question": "What does Bo Dahl write?", "answer": "Bo Dahl writes sea stories."}""" + "\n")
        Files.writeString(dir.resolve("retain_perturbed.json"), "")
        Files.writeString(dir.resolve("holdout01.json"),
            """{"question": "What does Cyr Holm write?", "answer": "Cyr Holm writes poems."}""" + "\n")
        val world = """[{"question": "Which planet is red?", "answer": "Mars", "perturbed_answer": ["Venus", "Saturn"]}]"""
        Files.writeString(dir.resolve("world_facts_perturbed.json"), world)  // a JSON array file reads too
        Files.writeString(dir.resolve("real_authors_perturbed.json"), world)

        val tofu = TofuData.at(dir).forget("forget01")   // retain99 and holdout01 go with it
        val data = tofu.load(0)
        assertEquals("Her birthplace is Veldhaven.", data.get(Split.FORGET)[0].paraphrasedAnswer())
        assertEquals(listOf("Venus", "Saturn"), data.get(Split.WORLD)[0].perturbedAnswers())
        assertEquals(data.get(Split.WORLD), data.get(Split.REAL_AUTHORS))  // the same rows were written to both

        val recipe = Lethe.recipe("tofu").model(GptConfig.tiny()).data(tofu)
            .finetune(Training.of(2), Split.FORGET, Split.RETAIN)
            .evaluate(Evaluation(listOf(Suites.tofu()), listOf(Split.FORGET, Split.WORLD)))
            .build()
        assertTrue(recipe.toString().contains("tofu: {dir: $dir, forget: forget01}"), recipe.toString())
        dir.toFile().deleteRecursively()
    }
}
