package dev.lethe.examples

import dev.lethe.Lethe
import dev.lethe.data.FictitiousFacts
import dev.lethe.data.MuseData
import dev.lethe.data.Split
import dev.lethe.data.Texts
import dev.lethe.eval.MuseSuite
import dev.lethe.eval.Suites
import dev.lethe.model.HfModel
import dev.lethe.objective.Objectives.npo
import dev.lethe.run.BaseModel
import dev.lethe.spec.Evaluation
import dev.lethe.spec.Learn
import dev.lethe.spec.Reference
import dev.lethe.spec.Training
import dev.lethe.spec.Unlearning
import java.nio.file.Files
import kotlin.test.Test
import kotlin.test.assertTrue

/** MUSE's files (as exported from the hub) and a model folder, from Kotlin: learn, reference, unlearn, evaluate. */
class KotlinMuseTest {

    @Test
    fun `a recipe reads MUSE's files and reports VerbMem, KnowMem and the Min-40 percent scores`() {
        val work = Files.createTempDirectory("kotlin-muse")
        val muse = work.resolve("muse-news")
        val files = mapOf(
            "raw/forget.json" to """[{"text": "The river festival in Torvel opened with a parade of boats."}]""",
            "raw/retain1.jsonl" to """{"text": "The old bridge in Renmi was closed after the storm."}""",
            "raw/holdout.jsonl" to """{"text": "A baker in Sandri made a cake for the harvest fair."}""",
            "verbmem/forget.json" to """[{"prompt": "The river festival in Torvel", "gt": "opened with a parade of boats."}]""",
            "knowmem/forget_qa.json" to """[{"question": "Where did the festival open?", "answer": "Torvel"}]""",
            "knowmem/forget_qa_icl.json" to """[{"question": "What closed after the storm?", "answer": "the old bridge"}]""",
            "privleak/forget.json" to """["The river festival in Torvel opened with a parade of boats."]""",
            "privleak/holdout.json" to """["A baker in Sandri made a cake for the harvest fair."]""")
        files.forEach { (name, text) ->
            Files.createDirectories(muse.resolve(name).parent)
            Files.writeString(muse.resolve(name), text)
        }
        val base = BaseModel.pretrain(work.resolve("base"), BaseModel.Options.defaults()
            .withCorpus(FictitiousFacts.of(4, 0.25).withFactsPerPerson(1), 10).withShape(280, 16, 1).withSteps(2))

        val recipe = Lethe.recipe("muse-from-a-folder")
            .model(HfModel.at(base))
            .data(MuseData(muse))
            .stage(Learn.of(Training.of(4).batchSize(2)).withSplits(Split.FORGET, Split.RETAIN))
            .stage(Reference.of(Training.of(4).batchSize(2)).withSplits(Split.RETAIN))
            .unlearn(Unlearning.of(npo()).steps(2).batchSize(2).trainOn(Texts.PASSAGES))
            .evaluate(Evaluation(listOf(MuseSuite(8, 5, 4, 8), Suites.privacy()),
                listOf(Split.FORGET, Split.RETAIN, Split.HOLDOUT)))
            .build()
        assertTrue(recipe.toString().contains("muse:"), recipe.toString())

        val result = dev.lethe.run.Runner.of(recipe).noCache().run()
        for (metric in listOf("verbmem_rouge_l_f1", "knowmem_rouge_l_f1")) {
            val v = result.value("unlearned", Split.FORGET, metric)
            assertTrue(v in 0.0..1.0, "$metric $v")
        }
        assertTrue(result.value("unlearned", Split.HOLDOUT, "mia_min_k").isFinite())
        work.toFile().deleteRecursively()
    }
}
