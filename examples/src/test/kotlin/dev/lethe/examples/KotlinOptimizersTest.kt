package dev.lethe.examples

import dev.lethe.Lethe
import dev.lethe.kotlin.toYaml
import dev.lethe.data.FictitiousFacts
import dev.lethe.model.GptConfig
import dev.lethe.objective.Objectives.combine
import dev.lethe.objective.Objectives.klRetain
import dev.lethe.objective.Objectives.npo
import dev.lethe.optim.FirstOrder
import dev.lethe.optim.GradientCombiner
import dev.lethe.optim.Hybrid
import dev.lethe.optim.Optimizers.chain
import dev.lethe.optim.Optimizers.hybridAlternating
import dev.lethe.optim.QuantizeUpdates
import dev.lethe.optim.ScaleByAdam
import dev.lethe.optim.ScaleByLearningRate
import dev.lethe.optim.ScaleBySnr
import dev.lethe.optim.Schedules
import dev.lethe.spec.Training
import dev.lethe.spec.Unlearning
import kotlin.test.Test
import kotlin.test.assertEquals

/**
 * Issue 16's optimizer parts from Kotlin: the hybrid alternation with its own zeroth-order rate, SAM on the forget
 * part only (a combiner), N-bit compression after Adam, the SNR within a step in the SNR/(1+SNR) form, and the
 * refined schedule's ℓ1 variant; each recipe reads back equal from its YAML.
 */
class KotlinOptimizersTest {

    @Test
    fun `the new optimizer parts make recipes that round-trip`() {
        val hybrid = hybridAlternating(1e-3, 2, 0.01)
        assertEquals(Hybrid.Mode.ALTERNATE, (hybrid.estimator() as Hybrid).mode())
        val forgetSam = combine(GradientCombiner.forgetSam(0.05), linkedMapOf("forget" to npo(), "retain" to klRetain()))
        val compressed = chain(FirstOrder(), ScaleByAdam.KIND.defaults(), QuantizeUpdates.of(4),
            ScaleByLearningRate(Schedules.refined(1e-3, doubleArrayOf(1.0, 2.0, 2.0), 1, Schedules.Norm.L1)))
        val snr = chain(FirstOrder(), ScaleBySnr.withinStep(ScaleBySnr.Form.RATIO),
            ScaleByLearningRate(Schedules.constant(1e-3)))
        val recipe = Lethe.recipe("kotlin-optimizers")
            .model(GptConfig.tiny())
            .data(FictitiousFacts.of(8, 0.25))
            .learn(Training.of(4))
            .unlearn(Unlearning.of(npo()).optimizer(hybrid).steps(2))
            .unlearn(Unlearning.of(forgetSam).steps(2))
            .unlearn(Unlearning.of(npo()).optimizer(compressed).steps(2))
            .unlearn(Unlearning.of(npo()).optimizer(snr).accumulate(2).steps(2))
            .build()
        assertEquals(recipe, Lethe.fromYaml(recipe.toYaml()))
    }
}
