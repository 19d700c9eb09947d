package dev.lethe.examples

import dev.lethe.Lethe
import dev.lethe.spec.Recipe
import dev.lethe.result.RunResult
import dev.lethe.spec.Training
import dev.lethe.spec.Unlearning
import dev.lethe.data.FictitiousFacts
import dev.lethe.data.Split
import dev.lethe.model.GptConfig
import dev.lethe.objective.Objective
import dev.lethe.objective.Objectives.gradDiff
import dev.lethe.objective.Objectives.gradientAscent
import dev.lethe.objective.Objectives.nll
import dev.lethe.objective.Objectives.npo
import dev.lethe.optim.Optimizers.adamW
import dev.lethe.run.Runner

/**
 * One recipe, several objectives, from Kotlin: `npo() + nll(...)` uses `Objective.plus` as an operator,
 * `* 0.5` uses `Objective.times`, and a lambda is an objective.
 */
fun recipe(name: String, objective: Objective, steps: Long = 200, people: Int = 50, learnSteps: Long = 1000): Recipe =
    Lethe.recipe(name)
        .model(GptConfig.tiny())
        .data(FictitiousFacts.of(people, 0.1))
        .learn(Training.of(learnSteps))
        .reference()
        .unlearn(Unlearning.of(objective).optimizer(adamW(1e-3)).steps(steps))
        .seed(42)
        .build()

/** Gradient ascent written as a Kotlin lambda: minus the mean per-token NLL of the forget answers. */
val lambdaAscent = Objective { step -> step.scores(Split.FORGET).meanNll().mean().neg() }

/** The objectives compared by [main]. */
fun objectives(): Map<String, Objective> = linkedMapOf(
    "NPO+RT" to npo() + nll(Split.RETAIN, Split.WORLD),
    "GradDiff" to gradDiff(),
    "GA" to gradientAscent(),
    "GA (lambda) + 0.5 NLL" to lambdaAscent + nll(Split.RETAIN, Split.WORLD) * 0.5,
)

/** Runs every objective on the quickstart data (trained models are cached) and prints forget vs retain. */
fun main() {
    println(String.format("%-24s %10s %10s %10s", "objective", "forget EM", "retain EM", "world EM"))
    for ((name, objective) in objectives()) {
        val result: RunResult = Runner.of(recipe(name, objective)).run()
        println(String.format("%-24s %10.3f %10.3f %10.3f", name,
            result.value("unlearned", Split.FORGET, "exact_match"),
            result.value("unlearned", Split.RETAIN, "exact_match"),
            result.value("unlearned", Split.WORLD, "exact_match")))
    }
}
