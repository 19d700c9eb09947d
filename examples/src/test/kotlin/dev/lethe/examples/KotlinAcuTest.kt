package dev.lethe.examples

import dev.lethe.Lethe
import dev.lethe.data.Split
import dev.lethe.eval.Suites
import dev.lethe.kotlin.fictitiousFacts
import dev.lethe.kotlin.gptConfig
import dev.lethe.model.RecursiveRidge
import dev.lethe.result.RunEvent
import dev.lethe.run.Runner
import dev.lethe.spec.AcuLearning
import dev.lethe.spec.Evaluation
import dev.lethe.spec.Training
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertTrue

/** ACU (arXiv 2505.12239) from Kotlin: the closed-form ridge, and the acu_learn / acu_unlearn stages in a recipe. */
class KotlinAcuTest {

    private val answers = Evaluation.of(Suites.answers()).withSplits(Split.FORGET, Split.RETAIN)

    @Test
    fun `the recursive ridge learns and forgets in closed form`() {
        // x = 1 and x = 2 with target token 5, γ = 0.1: W = 3/5.1; forgetting x = 2 leaves W = 1/1.1
        val learned = RecursiveRidge.start(1, 0.1).learn(doubleArrayOf(1.0, 2.0), intArrayOf(5, 5))
        assertEquals(3 / 5.1, learned.w()[0], 1e-12)
        assertEquals(1 / 1.1, learned.forget(doubleArrayOf(2.0), intArrayOf(5)).w()[0], 1e-12)
    }

    @Test
    fun `an analytic head is learned, then forgets the forget split in two exact requests`() {
        val recipe = Lethe.recipe("kotlin-acu")
            .model(gptConfig(layers = 2, width = 32, heads = 2))
            .data(fictitiousFacts(people = 8, forgetFraction = 0.25))
            .learn(Training.of(300).batchSize(8))
            .acuLearn(AcuLearning.defaults().withExpansion(512))
            .evaluate(answers)
            .acuUnlearn(2)
            .evaluate(answers)
            .build()
        assertEquals(recipe, Lethe.fromYaml(Lethe.toYaml(recipe)))
        val stages = mutableListOf<String>()
        val result = Runner.of(recipe).noCache().listener { e -> if (e is RunEvent.StageFinished) stages += e.stage() }.run()
        assertEquals(listOf("learn", "acu_learn", "evaluate", "acu_unlearn.request1", "acu_unlearn.request2", "evaluate-2"),
            stages)
        val before = result.value("learned-2", Split.FORGET, "token_accuracy")
        val after = result.value("unlearned", Split.FORGET, "token_accuracy")
        val retainBefore = result.value("learned-2", Split.RETAIN, "token_accuracy")
        val retainAfter = result.value("unlearned", Split.RETAIN, "token_accuracy")
        assertTrue(after < before, "forget accuracy $before -> $after")
        assertTrue(retainAfter >= retainBefore - 0.05, "retain accuracy $retainBefore -> $retainAfter")
    }
}
