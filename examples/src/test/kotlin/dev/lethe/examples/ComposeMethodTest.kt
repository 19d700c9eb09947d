package dev.lethe.examples

import dev.lethe.spec.Unlearning
import dev.lethe.data.Split
import dev.lethe.kotlin.run
import dev.lethe.objective.CombinedObjective
import dev.lethe.optim.ConflictProjection
import dev.lethe.result.RunEvent
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertTrue

/** The composed method of [projectedNpo] builds, runs on a tiny configuration, and unlearns. */
class ComposeMethodTest {

    @Test
    fun `NPO plus half KL with conflict projection and signAdam raises the forget NLL`() {
        val recipe = projectedNpo(steps = 5, people = 8, learnSteps = 40, lr = 1e-2)
        val objective = recipe.first(Unlearning::class.java).objective()
        assertTrue(objective is CombinedObjective)
        assertEquals(ConflictProjection("forget", "retain"), objective.combiner())
        val stages = mutableListOf<String>()
        val result = recipe.run { e -> if (e is RunEvent.StageFinished) stages += e.stage() }
        assertEquals(listOf("learn", "reference", "unlearn", "evaluate"), stages)
        val learned = result.value("learned", Split.FORGET, "nll")
        val unlearned = result.value("unlearned", Split.FORGET, "nll")
        assertTrue(unlearned > learned, "forget NLL rises: $learned -> $unlearned")
    }
}
