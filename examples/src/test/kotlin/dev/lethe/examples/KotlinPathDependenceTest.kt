package dev.lethe.examples

import dev.lethe.Lethe
import dev.lethe.data.FictitiousFacts
import dev.lethe.data.Split
import dev.lethe.data.Texts
import dev.lethe.eval.Suites
import dev.lethe.model.GptConfig
import dev.lethe.objective.Objectives.npo
import dev.lethe.report.Divergence
import dev.lethe.report.Plots
import dev.lethe.spec.Continual
import dev.lethe.spec.Finetune
import dev.lethe.spec.Training
import dev.lethe.spec.Unlearning
import java.nio.file.Path
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertTrue

/**
 * The path-dependence experiment from Kotlin: two orders of the same finetune stages, the same NPO from each with
 * continual evaluation by the answers and mass suites, their divergence (Divergence) and trajectory plot; and the
 * measurement program's recipes are the path files with the method swapped in.
 */
class KotlinPathDependenceTest {
    private fun path(name: String, vararg stages: List<Split>) = Lethe.recipe(name)
        .model(GptConfig(0, 1, 16, 2, 32, 0f))
        .data(FictitiousFacts(6, 0.34, 2, 2, 1, 1))
        .learn(Training.of(4).batchSize(4))
        .let { b -> stages.fold(b) { s, splits -> s.stage(Finetune(Training.of(3).batchSize(4), splits, Texts.ANSWERS, null)) } }
        .unlearn(Unlearning.of(npo()).steps(4).batchSize(2)
            .withContinual(Continual(2, listOf(Suites.answers(), Suites.mass()), listOf(Split.FORGET, Split.WORLD))))
        .build()

    @Test
    fun `two orders of the same stages give two trajectories whose divergence and plot are one call each`() {
        val a = listOf(Split.FORGET, Split.WORLD)
        val b = listOf(Split.RETAIN, Split.WORLD)
        val runs = linkedMapOf("forget-first" to Lethe.run(path("forget-first", a, b)),
            "retain-first" to Lethe.run(path("retain-first", b, a)))
        val d = Divergence.of(runs, "unlearn", "forget", "paraphrased_share")
        assertEquals(3, d.points(), "steps 0, 2 and 4")
        assertTrue(d.max() >= d.mean() && d.mean() >= 0.0, d.toString())
        val table = Divergence.table(listOf(runs), "unlearn", listOf(listOf("forget", "probability")))
        assertEquals(1, table.rowCount())
        assertTrue(Plots.trajectoryPlot(runs, "unlearn", "perturbed_probability").data().size() == 4)
        val reread = runs.mapValues { (_, r) -> resultFromCsv(r.recipe(), r.csv()) }
        assertEquals(runs.getValue("forget-first").rows(), reread.getValue("forget-first").rows(),
            "the measurement's --combine reads a run's table back exactly")
        assertEquals(d, Divergence.of(reread, "unlearn", "forget", "paraphrased_share"))
    }

    @Test
    fun `the measurement's recipes are the path files with the method swapped in and without reference or evaluate`() {
        val r = pathDependenceRecipe(Path.of("recipes"), "retain-first", "GA", pathDependenceMethods().getValue("GA"), 7)
        assertEquals("path-dependence-retain-first-GA", r.name())
        assertEquals(7L, r.seed())
        assertEquals(listOf("learn", "finetune", "finetune", "finetune", "unlearn"), r.stages().map { it.kind() })
        assertEquals(pathDependenceMethods().getValue("GA"), r.first(Unlearning::class.java).objective())
    }
}
