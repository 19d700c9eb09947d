package dev.lethe.examples

import dev.lethe.Lethe
import dev.lethe.spec.Recipe
import dev.lethe.spec.Training
import dev.lethe.spec.Unlearning
import dev.lethe.data.FictitiousFacts
import dev.lethe.data.Split
import dev.lethe.model.GptConfig
import dev.lethe.objective.Objectives.conflictProjection
import dev.lethe.objective.Objectives.klRetain
import dev.lethe.objective.Objectives.npo
import dev.lethe.optim.Optimizers.signAdam
import dev.lethe.run.Runner

/**
 * A new method composed from parts, not written as a trainer: NPO on the forget split plus 0.5·KL to the
 * reference on the retain split, with the part of NPO's gradient that conflicts with the retain gradient
 * projected away (PCGrad), stepped by sign-Adam. The recipe is the eight lines of the expression below.
 */
fun projectedNpo(steps: Long = 200, people: Int = 50, learnSteps: Long = 1000, lr: Double = 1e-3): Recipe =
    Lethe.recipe("NPO + 0.5 KL, conflict-projected, signAdam")
        .model(GptConfig.tiny())
        .data(FictitiousFacts.of(people, 0.1))
        .learn(Training.of(learnSteps))
        .reference()
        .unlearn(Unlearning.of(conflictProjection(npo(), klRetain() * 0.5)).optimizer(signAdam(lr)).steps(steps))
        .seed(42)
        .build()

/** Runs [projectedNpo] on the quickstart data (the trained model is cached) and prints forget vs retain NLL. */
fun main() {
    val result = Runner.of(projectedNpo()).run()
    for (split in listOf(Split.FORGET, Split.RETAIN)) {
        println(String.format("%-7s NLL learned %.3f -> unlearned %.3f", split.id(),
            result.value("learned", split, "nll"), result.value("unlearned", split, "nll")))
    }
}
