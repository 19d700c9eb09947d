package dev.lethe.examples

import dev.lethe.Lethe
import dev.lethe.data.FictitiousFacts
import dev.lethe.data.Split
import dev.lethe.eval.Suites
import dev.lethe.kotlin.run
import dev.lethe.kotlin.toYaml
import dev.lethe.model.GptConfig
import dev.lethe.objective.AltPo
import dev.lethe.objective.Objectives.altPo
import dev.lethe.objective.Objectives.ceU
import dev.lethe.objective.Objectives.nll
import dev.lethe.objective.Objectives.pdu
import dev.lethe.objective.Objectives.satImp
import dev.lethe.objective.Objectives.undial
import dev.lethe.optim.Optimizers.adamW
import dev.lethe.spec.Evaluation
import dev.lethe.spec.Training
import dev.lethe.spec.Unlearning
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertTrue

/**
 * open-unlearning's objectives from Kotlin: UNDIAL, SatImp, CE-U, PDU and AltPO compose with `+` and `*` into
 * recipes that read back equal from their YAML, and UNDIAL plus AltPO (alternates sampled from the frozen
 * reference) unlearns on a tiny configuration (its bit-reproducibility is AltPoRunTest's).
 */
class KotlinOpenUnlearningTest {

    @Test
    fun `the open-unlearning objectives compose and round-trip`() {
        val recipe = Lethe.recipe("k-ou").model(GptConfig.tiny()).data(FictitiousFacts.of(8, 0.25))
            .learn(Training.of(4))
            .unlearn(Unlearning.of(undial() + satImp() * 0.1 + nll()).steps(2))
            .unlearn(Unlearning.of(ceU() + pdu(0.3)).steps(2))
            .unlearn(Unlearning.of(altPo(0.1, 1.0)).steps(2))
            .build()
        assertEquals(recipe, Lethe.fromYaml(recipe.toYaml()))
    }

    @Test
    fun `UNDIAL plus AltPO raises the forget NLL`() {
        val objective = undial(10.0) + AltPo(0.1, 2, 8, 1.0, 0) + nll() * 0.5
        val recipe = Lethe.recipe("k-undial-altpo").model(GptConfig.tiny()).data(FictitiousFacts.of(8, 0.25))
            .learn(Training.of(30))
            .unlearn(Unlearning.of(objective).optimizer(adamW(1e-2)).steps(5))
            .evaluate(Evaluation.of(Suites.answers()).withSplits(Split.FORGET))
            .seed(42)
            .build()
        val result = recipe.run(false)
        val learned = result.value("learned", Split.FORGET, "nll")
        val unlearned = result.value("unlearned", Split.FORGET, "nll")
        assertTrue(unlearned > learned, "forget NLL rises: $learned -> $unlearned")
    }
}
