package dev.lethe.examples

import dev.lethe.Lethe
import dev.lethe.data.FictitiousFacts
import dev.lethe.data.Split
import dev.lethe.eval.Suites
import dev.lethe.kotlin.run
import dev.lethe.model.GptConfig
import dev.lethe.objective.DatamodelMatching
import dev.lethe.objective.MatchLoss
import dev.lethe.objective.Objectives
import dev.lethe.report.Klom
import dev.lethe.spec.Attribution
import dev.lethe.spec.Evaluation
import dev.lethe.spec.Training
import dev.lethe.spec.Unlearning
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertTrue

/**
 * Attribute-to-Delete (Georgiev et al. 2024) from Kotlin: oracle matching, the attribute stage with datamodel
 * matching, and KLoM over runs' margins.
 */
class KotlinAttributeToDeleteTest {
    private val data = FictitiousFacts(8, 0.25, 2, 3, 2, 2)

    @Test
    fun `datamodel matching reads the attribute stage and the recipe reads back from its text`() {
        val dmm = DatamodelMatching(listOf(Split.FORGET, Split.RETAIN), MatchLoss.SOFT_CE, 0.0, 1.0)
        val recipe = Lethe.recipe("k-dmm").model(GptConfig(0, 2, 32, 2, 32, 0f)).data(data)
            .learn(Training.of(20).batchSize(8)).reference()
            .stage(Attribution.of(Training.of(5).batchSize(8), 2).withRidge(1.0))
            .unlearn(Unlearning.of(dmm).steps(3).batchSize(4))
            .evaluate(Evaluation(listOf(Suites.margins()), listOf(Split.FORGET)))
            .seed(7).build()
        assertEquals(recipe, Lethe.fromYaml(Lethe.toYaml(recipe)))
        val result = recipe.run()
        assertTrue(result.value("learned", Split.FORGET, "dm_direct_kl_to_reference") >= 0)
        assertEquals(6, result.perExample("unlearned", Split.FORGET, "margin").size)
    }

    @Test
    fun `oracle matching and KLoM compose from Kotlin`() {
        val objective = Objectives.oracleMatching() + Objectives.nll() * 0.1
        val recipe = Lethe.recipe("k-oracle").model(GptConfig.tiny()).data(data)
            .unlearn(Unlearning.of(objective)).build()
        assertEquals(objective, Lethe.fromYaml(Lethe.toYaml(recipe)).first(Unlearning::class.java).objective())
        // two runs per side, one point: the margins fill separate bins, so each bin holds 1/2 and the oracle's
        // bins are floored at 1e-5 and renormalised: log(0.5 (1 + 2e-5) / 1e-5)
        val klom = Klom.perPoint(arrayOf(doubleArrayOf(1.0), doubleArrayOf(2.0)),
            arrayOf(doubleArrayOf(5.0), doubleArrayOf(6.0)))
        assertEquals(Math.log(0.5 * (1 + 2e-5) / 1e-5), klom[0], 1e-9)
    }
}
