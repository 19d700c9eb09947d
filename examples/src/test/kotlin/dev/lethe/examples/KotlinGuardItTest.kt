package dev.lethe.examples

import dev.lethe.Lethe
import dev.lethe.data.FictitiousFacts
import dev.lethe.data.Split
import dev.lethe.eval.Suites
import dev.lethe.model.GptConfig
import dev.lethe.result.RunEvent
import dev.lethe.spec.Evaluation
import dev.lethe.spec.GuardIt
import dev.lethe.spec.Training
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertTrue

/**
 * GUARD-IT (arXiv 2605.12765) from Kotlin: the guard_it stage with its withers, its recipe text, and a tiny run in
 * which two sequential requests add to one steering bank without any training.
 */
class KotlinGuardItTest {

    @Test
    fun `a guard_it stage builds from Kotlin, reads back from its recipe text and steers without training`() {
        val stage = GuardIt.defaults().withLayer(1).withThreshold(0.9).withStrength(-10.0).withRequests(2)
        assertEquals(1, stage.layerIn(4))
        assertEquals(1, GuardIt.defaults().layerIn(4), "a quarter of the depth, the paper's 4 of 16")
        val recipe = Lethe.recipe("k-guard-it").model(GptConfig(0, 2, 16, 2, 32, 0f))
            .data(FictitiousFacts(8, 0.25, 2, 3, 2, 2))
            .learn(Training.of(4).batchSize(8))
            .guardIt(stage)
            .evaluate(Evaluation(listOf(Suites.answers()), listOf(Split.FORGET, Split.RETAIN)))
            .seed(3).build()
        assertEquals(recipe, Lethe.fromYaml(Lethe.toYaml(recipe)))

        val fitted = mutableListOf<RunEvent.SteeringFitted>()
        val result = Lethe.run(recipe) { e -> if (e is RunEvent.SteeringFitted) fitted += e }
        assertEquals(listOf("guard_it.request1", "guard_it.request2"), fitted.map { it.stage() })
        assertTrue(fitted[1].entries() > fitted[0].entries(), "the second request appends to the bank")
        assertTrue(result.value("unlearned", Split.FORGET, "exact_match") >= 0.0)
        assertTrue(result.rows().any { it.model() == "unlearned" })
    }
}
