package dev.lethe.examples

import dev.lethe.Lethe
import dev.lethe.data.FictitiousFacts
import dev.lethe.data.Split
import dev.lethe.kotlin.minus
import dev.lethe.kotlin.times
import dev.lethe.kotlin.toYaml
import dev.lethe.kotlin.unaryMinus
import dev.lethe.model.GptConfig
import dev.lethe.objective.Objectives.klRetain
import dev.lethe.objective.Objectives.nll
import dev.lethe.objective.Objectives.npo
import dev.lethe.optim.Schedules
import dev.lethe.spec.Training
import dev.lethe.spec.Unlearning
import kotlin.test.Test
import kotlin.test.assertEquals

/** The operators and methods of `dev.lethe.kotlin` (imported by `%use lethe`) are the Java API's values. */
class KotlinExtensionsTest {

    @Test
    fun `a number or a schedule in front of an objective weights it`() {
        assertEquals(nll(Split.RETAIN).times(0.5), 0.5 * nll(Split.RETAIN))
        assertEquals(nll(Split.RETAIN).times(2.0), 2 * nll(Split.RETAIN))
        val decay = Schedules.warmupLinearDecay(1.0, 10)
        assertEquals(klRetain().times(decay), decay * klRetain())
    }

    @Test
    fun `minus and unary minus add the objective times minus one`() {
        assertEquals(npo().times(-1.0), -npo())
        assertEquals(npo().plus(klRetain().times(-1.0)), npo() - klRetain())
        assertEquals(npo().plus(nll(Split.RETAIN).times(0.5)), npo() + 0.5 * nll(Split.RETAIN))
    }

    @Test
    fun `a recipe writes itself as the facade does`() {
        val r = recipe("kotlin-yaml", npo() - 0.1 * klRetain(), steps = 3, people = 8, learnSteps = 4)
        assertEquals(Lethe.toYaml(r), r.toYaml())
        assertEquals(r, Lethe.fromYaml(r.toYaml()))
    }

    @Test
    fun `a chain of stages reads as the order it runs in and names every model it makes`() {
        val chain = Lethe.recipe("chain")
            .model(GptConfig.tiny())
            .data(FictitiousFacts.of(8, 0.25))
            .learn(Training.of(10))
            .unlearn(Unlearning.of(npo() + 0.5 * nll(Split.RETAIN)).steps(5))
            .finetune(Training.of(5), Split.RETAIN)
            .unlearn(Unlearning.of(-nll(Split.FORGET)).steps(3))
            .build()
        assertEquals(listOf("learn", "unlearn", "finetune", "unlearn-2", "evaluate"), chain.named().map { it.name() })
        assertEquals(listOf("learned", "unlearned", "finetuned", "unlearned-2"), chain.named().mapNotNull { it.model() })
        assertEquals(chain, Lethe.fromYaml(chain.toYaml()))
    }
}
