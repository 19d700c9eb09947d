package dev.lethe.examples

import dev.lethe.Lethe
import dev.lethe.data.FictitiousFacts
import dev.lethe.data.Split
import dev.lethe.eval.MuseRetrainAuc
import dev.lethe.eval.PrivacySuite
import dev.lethe.eval.Suites
import dev.lethe.eval.stats.Aggregates
import dev.lethe.eval.stats.Memorization
import dev.lethe.eval.stats.MiaScores
import dev.lethe.kotlin.run
import dev.lethe.model.GptConfig
import dev.lethe.spec.Evaluation
import dev.lethe.spec.Training
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertTrue

/**
 * Exact memorisation, extraction strength and the GradNorm and reference-model membership attacks from Kotlin: the
 * formulas as one call each, and a recipe that reports them; MUSE's PrivLeak against its published retrain AUC.
 */
class KotlinMemorizationMiaTest {

    @Test
    fun `the memorisation scores and the new attacks' scores are one call each`() {
        // the argmax misses the first answer token only: 3 of 4 predicted, and the rest follows from 1 token of 4
        val hits = booleanArrayOf(false, true, true, true)
        assertEquals(0.75, Memorization.exactMemorization(hits))
        assertEquals(0.75, Memorization.extractionStrength(hits))
        assertEquals(2.5, MiaScores.gradNorm(doubleArrayOf(3.0, 4.0, 0.5)))          // mean of per-tensor norms
        assertEquals(-1.0, MiaScores.reference(0.5, 1.5), 1e-15)                      // avgNLL - avgNLL_reference
    }

    @Test
    fun `a recipe reports them, reads back from YAML, and the reference scores chance against itself`() {
        val recipe = Lethe.recipe("kotlin-mia")
            .model(GptConfig.tiny())
            .data(FictitiousFacts.of(8, 0.25))
            .learn(Training.of(40))
            .reference()
            .evaluate(Evaluation(listOf(Suites.tofu(), PrivacySuite(16, PrivacySuite.GradNorm.L1)),
                listOf(Split.FORGET, Split.HOLDOUT)))
            .seed(3)
            .build()
        assertTrue(Lethe.toYaml(recipe).contains("grad_norm: l1"), Lethe.toYaml(recipe))
        assertEquals(recipe, Lethe.fromYaml(Lethe.toYaml(recipe)))

        val result = recipe.run()
        for (metric in listOf("exact_memorization", "extraction_strength")) {
            val value = result.value("learned", Split.FORGET, metric)
            assertTrue(value in 0.0..1.0, "$metric = $value")
        }
        val gradNormAuc = result.value("learned", "forget+holdout", "mia_auc_gradnorm")
        assertTrue(gradNormAuc in 0.0..1.0, "mia_auc_gradnorm = $gradNormAuc")
        assertEquals(0.5, result.value("reference", "forget+holdout", "mia_auc_reference"))
        val learnedVsReference = result.value("learned", "forget+holdout", "mia_auc_reference")
        assertTrue(learnedVsReference > 0.5, "the learned model holds its forget split: $learnedVsReference")
    }

    @Test
    fun `MUSE's PrivLeak against its published retrain AUC needs no reference model`() {
        val recipe = Lethe.recipe("kotlin-muse-privleak")
            .model(GptConfig.tiny())
            .data(FictitiousFacts.of(8, 0.25))
            .learn(Training.of(20))
            .evaluate(Evaluation(listOf(Suites.privacy(MuseRetrainAuc.NEWS)), listOf(Split.FORGET, Split.HOLDOUT)))
            .build()
        assertTrue(Lethe.toYaml(recipe).contains("privleak_retrain_auc: news"), Lethe.toYaml(recipe))
        assertEquals(recipe, Lethe.fromYaml(Lethe.toYaml(recipe)))

        val result = recipe.run()
        val auc = 1 - result.value("learned", "forget+holdout", "mia_auc_min_k")      // MUSE's orientation
        assertEquals(Aggregates.privLeak(auc, MuseRetrainAuc.NEWS.auc()),
            result.value("learned", "forget+holdout", "privleak_published"), 1e-9)
    }
}
