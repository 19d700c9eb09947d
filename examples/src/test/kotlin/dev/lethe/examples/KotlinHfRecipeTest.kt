package dev.lethe.examples

import dev.lethe.Lethe
import dev.lethe.data.FictitiousFacts
import dev.lethe.data.Split
import dev.lethe.eval.Suites
import dev.lethe.model.HfFolder
import dev.lethe.model.HfModel
import dev.lethe.objective.Objectives.npo
import dev.lethe.run.BaseModel
import dev.lethe.spec.Evaluation
import dev.lethe.spec.Training
import dev.lethe.spec.Unlearning
import ai.djl.Device
import java.nio.file.Files
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertTrue

/** A recipe that starts from a Hugging Face model folder, from Kotlin: finetune, unlearn, evaluate, save a folder. */
class KotlinHfRecipeTest {

    @Test
    fun `a recipe starts from a model folder and saves one`() {
        val work = Files.createTempDirectory("kotlin-hf-recipe")
        val facts = FictitiousFacts.of(4, 0.25).withFactsPerPerson(1)
        val base = BaseModel.pretrain(work.resolve("base"),
            BaseModel.Options.defaults().withCorpus(facts, 10).withShape(280, 16, 1).withSteps(2))

        val recipe = Lethe.recipe("from-a-folder")
            .model(HfModel.at(base))                     // weights, architecture and tokenizer from the folder
            .data(facts)
            .finetune(Training.of(4).batchSize(4), Split.FORGET, Split.RETAIN)
            .unlearn(Unlearning.of(npo()).steps(2).batchSize(2))
            .evaluate(Evaluation(listOf(Suites.answers()), listOf(Split.FORGET, Split.RETAIN)))
            .save("unlearned")                           // no extension: a Hugging Face folder
            .build()
        assertTrue(recipe.toString().contains("hf: $base"), recipe.toString())

        val result = dev.lethe.run.Runner.of(recipe).noCache().saveTo(work.resolve("out")).run()
        assertTrue(result.value("unlearned", Split.FORGET, "nll").isFinite())
        HfFolder.load(work.resolve("out/unlearned"), Device.cpu()).use { saved ->
            assertEquals(HfModel.at(base).spec(), saved.model().spec())
        }
        work.toFile().deleteRecursively()
    }
}
