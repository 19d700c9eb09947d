package dev.lethe.examples

import dev.lethe.Lethe
import dev.lethe.data.FictitiousFacts
import dev.lethe.data.Split
import dev.lethe.eval.Suites
import dev.lethe.kotlin.run
import dev.lethe.model.GptConfig
import dev.lethe.objective.ConceptCorrection
import dev.lethe.objective.Flat
import dev.lethe.objective.Objectives
import dev.lethe.objective.SimNpo
import dev.lethe.report.RunTables
import dev.lethe.spec.Continual
import dev.lethe.spec.Evaluation
import dev.lethe.spec.Training
import dev.lethe.spec.Unlearning
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertTrue

/**
 * The objective options of issue 16 from Kotlin: FLAT's batch pooling, SimNPO's code margin, RMU's official
 * defaults, concept-domain correction's MLP discriminator and warm-up, and one continual evaluation for a whole
 * pipeline with De Lange et al.'s min-ACC and WC-ACC.
 */
class KotlinFaithfulObjectivesTest {

    @Test
    fun `the objective options build from Kotlin and read back from their recipe text`() {
        val flat = Objectives.flat(Flat.Divergence.TOTAL_VARIATION, Flat.Pooling.BATCH)
        val simNpo = Objectives.simNpoCodeMargin(2.5, 0.4)
        assertEquals(SimNpo(2.5, 2.5 * 0.4), simNpo, "the paper's gamma = beta * the code's delta")
        val rmu = Objectives.rmu()
        assertEquals(8, rmu.layerIn(32), "the official run's layers[7] of 32")
        assertEquals(listOf("role:mlp_down@5.weight", "role:mlp_down@6.weight", "role:mlp_down@7.weight"),
            rmu.trainableParametersIn(32))
        val cc = ConceptCorrection(Split.HOLDOUT, ConceptCorrection.LAST, 0.05, 0.001, 1,
            ConceptCorrection.Adversary.MLP, 16, 10, 3)
        for (objective in listOf(flat, simNpo, rmu, cc)) {
            val recipe = Lethe.recipe("k").model(GptConfig.tiny()).data(FictitiousFacts(8, 0.25, 2, 3, 2, 2))
                .unlearn(Unlearning.of(objective)).build()
            assertEquals(objective, Lethe.fromYaml(Lethe.toYaml(recipe)).first(Unlearning::class.java).objective())
        }
    }

    @Test
    fun `one continual evaluation covers the pipeline and gives min-ACC and WC-ACC per task`() {
        val recipe = Lethe.recipe("k-continual").model(GptConfig.tiny()).data(FictitiousFacts(8, 0.25, 2, 3, 2, 2))
            .learn(Training.of(4).batchSize(8))
            .unlearn(Unlearning.of(Objectives.gradientAscent()).steps(2).batchSize(2))
            .evaluate(Evaluation.of(Suites.answers()))
            .seed(3).build()
            .continually(Continual.every(2))
        val table = RunTables.continual(recipe.run())
        assertEquals(listOf("learn", "unlearn"), table.stringColumn("stage").asList().distinct())
        val unlearnRows = (0 until table.rowCount()).filter { table.intColumn("task").get(it) == 2 }
        assertTrue(unlearnRows.isNotEmpty())
        for (i in unlearnRows) {
            val end = table.doubleColumn("final").get(i)
            val minAcc = table.doubleColumn("min_acc").get(i)
            assertEquals(end / 2 + minAcc / 2, table.doubleColumn("wc_acc").get(i), 1e-12)
        }
    }
}
