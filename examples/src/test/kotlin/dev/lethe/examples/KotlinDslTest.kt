package dev.lethe.examples

import dev.lethe.data.Split
import dev.lethe.run.RunEvent
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertTrue

/** The DSL from Kotlin: operators on objectives, a lambda objective, a lambda listener. */
class KotlinDslTest {

    @Test
    fun `a Kotlin recipe with operators and a lambda objective runs end to end`() {
        val objective = lambdaAscent + dev.lethe.objective.Objectives.nll(Split.RETAIN) * 0.5
        val r = recipe("kotlin", objective, steps = 5, people = 8, learnSteps = 40)
        val stages = mutableListOf<String>()
        val result = r.run { e -> if (e is RunEvent.StageFinished) stages += e.stage() }
        assertEquals(listOf("learn", "reference", "unlearn", "evaluate"), stages)
        assertEquals(1.0, result.value("reference", Split.FORGET, "forget_quality"))
        val learned = result.value("learned", Split.FORGET, "nll")
        val unlearned = result.value("unlearned", Split.FORGET, "nll")
        assertTrue(unlearned > learned, "ascent raises forget NLL: $learned -> $unlearned")
    }

    @Test
    fun `the compared objectives are all distinct values`() {
        assertEquals(4, objectives().values.toSet().size)
    }
}
