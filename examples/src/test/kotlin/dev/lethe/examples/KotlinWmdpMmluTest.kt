package dev.lethe.examples

import dev.lethe.Lethe
import dev.lethe.data.FictitiousFacts
import dev.lethe.data.Split
import dev.lethe.data.WithChoices
import dev.lethe.eval.MultipleChoiceSuite
import dev.lethe.eval.Suites
import dev.lethe.io.parquet.Parquet
import dev.lethe.model.HfModel
import dev.lethe.objective.Objectives.npo
import dev.lethe.run.BaseModel
import dev.lethe.spec.Evaluation
import dev.lethe.spec.Unlearning
import java.nio.file.Files
import java.nio.file.Path
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertTrue

/**
 * WMDP's questions as forget-domain knowledge and MMLU's as general knowledge, from Kotlin: the files as users
 * download them attached to a data source's splits, scored in lm-evaluation-harness's lettered format.
 */
class KotlinWmdpMmluTest {

    @Test
    fun `WMDP on forget and MMLU on world are scored by letter before and after unlearning`() {
        val work = Files.createTempDirectory("kotlin-wmdp")
        // cais/wmdp, config wmdp-bio, exported with datasets' to_json (JSON lines)
        val bio = work.resolve("wmdp/wmdp-bio.jsonl")
        Files.createDirectories(bio.parent)
        Files.writeString(bio, listOf(
            """{"answer": 2, "question": "Which organelle makes most of a cell's ATP?", "choices": ["Nucleus", "Ribosome", "Mitochondrion", "Golgi apparatus"]}""",
            """{"answer": 0, "question": "What carries genetic information?", "choices": ["DNA", "Lipids", "Starch", "Keratin"]}""",
            """{"answer": 3, "question": "Which of these is a virus?", "choices": ["E. coli", "Yeast", "Plasmodium", "Influenza A"]}""",
        ).joinToString("\n", postfix = "\n"))
        // Hendrycks' MMLU: data/test/<subject>_test.csv, no header, the answer as a letter
        val test = work.resolve("mmlu/data/test")
        Files.createDirectories(test)
        Files.writeString(test.resolve("astronomy_test.csv"),
            "What is the closest star to Earth?,Proxima Centauri,The Sun,Sirius,Betelgeuse,B\n" +
                "\"How many planets orbit the Sun, counting Earth?\",7,8,9,10,B\n")

        val base = BaseModel.pretrain(work.resolve("base"), BaseModel.Options.defaults()
            .withCorpus(FictitiousFacts.of(4, 0.25).withFactsPerPerson(1), 10).withShape(280, 16, 1).withSteps(2))
        val data = WithChoices.on(FictitiousFacts.of(4, 0.25).withFactsPerPerson(1)).forget(bio).world(test)
        val lettered = Evaluation(listOf(Suites.multipleChoiceLettered(), Suites.multipleChoice()),
            listOf(Split.FORGET, Split.WORLD))

        val recipe = Lethe.recipe("wmdp-mmlu")
            .model(HfModel.at(base))
            .data(data)
            .evaluate(lettered)
            .unlearn(Unlearning.of(npo()).steps(2).batchSize(2))
            .evaluate(lettered)
            .build()
        assertTrue(recipe.toString().contains("with_choices:"), recipe.toString())
        assertTrue(recipe.toString().contains("format: lettered"), recipe.toString())

        val result = dev.lethe.run.Runner.of(recipe).noCache().run()
        for (model in listOf("initial", "unlearned")) {
            val wmdp = result.value(model, Split.FORGET, MultipleChoiceSuite.ACCURACY_LETTERED.name())
            val mmlu = result.value(model, Split.WORLD, MultipleChoiceSuite.ACCURACY_LETTERED.name())
            // 3 WMDP questions on forget, 2 MMLU questions on world: the attached files, not the built-in questions
            assertEquals(Math.rint(wmdp * 3), wmdp * 3, 1e-9, "$model wmdp $wmdp")
            assertEquals(Math.rint(mmlu * 2), mmlu * 2, 1e-9, "$model mmlu $mmlu")
            assertTrue(result.value(model, Split.FORGET, MultipleChoiceSuite.ACCURACY.name()) in 0.0..1.0)
        }
        work.toFile().deleteRecursively()
    }

    @Test
    fun `the hub's Parquet folders of WMDP and MMLU attach to splits as downloaded`() {
        // cais/wmdp's wmdp-bio/ and cais/mmlu's high_school_biology/ as the hub holds them (dsl's test fixtures)
        val hub = Path.of("../dsl/src/test/resources/parquet/hub")
        val data = WithChoices.on(FictitiousFacts.of(4, 0.25).withFactsPerPerson(1))
            .forget(hub.resolve("wmdp/wmdp-bio"))
            .world(hub.resolve("mmlu/high_school_biology"))
        val loaded = data.load(0)
        assertEquals(listOf("biology", "biology", "biology"), loaded.choices(Split.FORGET).map { it.subject() })
        // the folder's test split only, not its dev and validation files
        assertEquals(listOf("Red cells", "Mitochondrion"), loaded.choices(Split.WORLD).map { it.correct() })
        // the reader itself: columns by name, lists as lists
        val rows = Parquet.read(hub.resolve("wmdp/wmdp-bio/test-00000-of-00001.parquet"), listOf("answer", "choices"))
            .rows()
        assertEquals(2L, rows[0]["answer"])
        assertEquals(listOf("DNA", "Proteins", "Lipids", "Sugars"), rows[1]["choices"])
    }
}
