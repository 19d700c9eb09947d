package dev.lethe.examples

import dev.lethe.data.Split
import dev.lethe.kotlin.run
import dev.lethe.objective.Objectives.nll
import dev.lethe.objective.Objectives.npo
import kotlin.io.path.createTempDirectory
import dev.lethe.result.RunEvent
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
    fun `a run stopped part-way continues from its checkpoints to the same metrics`() {
        val r = recipe("kotlin-resume", npo() + nll(Split.RETAIN), steps = 6, people = 8, learnSteps = 20)
        val uninterrupted = dev.lethe.run.Runner.of(r).run().csv()
        val dir = createTempDirectory("lethe-resume")
        val interrupted = runCatching {
            dev.lethe.run.Runner.of(r).checkpoints(dir, 2).listener { e ->
                if (e is RunEvent.Progress && e.stage() == "unlearn" && e.step() == 5L) error("stopped on purpose")
            }.run()
        }
        assertTrue(interrupted.isFailure)
        val resumedSteps = mutableListOf<Long>()
        val resumed = dev.lethe.run.Runner.of(r).checkpoints(dir, 2)
            .listener { e -> if (e is RunEvent.Progress && e.stage() == "unlearn") resumedSteps += e.step() }
            .run()
        assertEquals(listOf(5L, 6L), resumedSteps, "continued after the checkpoint of step 4")
        assertEquals(uninterrupted, resumed.csv())
        dir.toFile().deleteRecursively()
    }

    @Test
    fun `the compared objectives are all distinct values`() {
        assertEquals(4, objectives().values.toSet().size)
    }
}
