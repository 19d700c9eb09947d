package dev.lethe.examples

import dev.lethe.spec.Evaluation
import dev.lethe.spec.Learn
import dev.lethe.result.RunResult
import dev.lethe.spec.Unlearning
import dev.lethe.data.Split
import dev.lethe.eval.Suites
import dev.lethe.objective.Objective
import dev.lethe.objective.Objectives.catnipStyle
import dev.lethe.objective.Objectives.dpo
import dev.lethe.objective.Objectives.flat
import dev.lethe.objective.Objectives.gradDiff
import dev.lethe.objective.Objectives.gradientAscent
import dev.lethe.objective.Objectives.idk
import dev.lethe.objective.Objectives.invertedHinge
import dev.lethe.objective.Objectives.klRetain
import dev.lethe.objective.Objectives.nll
import dev.lethe.objective.Objectives.npo
import dev.lethe.objective.Objectives.simNpo
import dev.lethe.optim.FirstOrder
import dev.lethe.optim.Hybrid
import dev.lethe.optim.Optimizer
import dev.lethe.optim.Optimizers.adamW
import dev.lethe.optim.Optimizers.chain
import dev.lethe.optim.Optimizers.sam
import dev.lethe.optim.Optimizers.signAdam
import dev.lethe.optim.ScaleByAdam
import dev.lethe.optim.ScaleByLearningRate
import dev.lethe.optim.Schedules
import dev.lethe.optim.Spsa
import dev.lethe.run.Runner

/** retain ∪ world NLL, the retain term every "+RT" objective below adds. */
private val rt = nll(Split.RETAIN, Split.WORLD)

/** The objectives of the grid. */
fun gridObjectives(): Map<String, Objective> = linkedMapOf(
    "GA" to gradientAscent(),
    "GradDiff" to gradDiff(),
    "NPO+RT" to npo() + rt,
    "NPO+KL" to npo() + klRetain(),
    "SimNPO+RT" to simNpo() + rt,
    "IdK+RT" to idk() + rt,
    "DPO+RT" to dpo() + rt,
    "FLAT(TV)+RT" to flat() + rt,
    "IHL+RT" to invertedHinge() + rt,
    "CATNIP-style" to catnipStyle(),
)

/** The optimizers of the grid, each with the step count it gets. */
fun gridOptimizers(): Map<String, Pair<Optimizer, Long>> = linkedMapOf(
    "AdamW 1e-3" to (adamW(1e-3) to 200L),
    "signAdam 1e-4" to (signAdam(1e-4) to 200L),
    "ZO q=4 +Adam 1e-3" to (chain(Spsa(1e-3, 4, false), ScaleByAdam(0.9, 0.999, 1e-8),
        ScaleByLearningRate(Schedules.constant(1e-3))) to 200L),
    "hybrid λ=.5 +Adam 1e-3" to (chain(Hybrid.mix(FirstOrder(), Spsa(1e-3, 1, false), 0.5),
        ScaleByAdam(0.9, 0.999, 1e-8), ScaleByLearningRate(Schedules.constant(1e-3))) to 200L),
    "SAM ρ=.05 +AdamW 1e-3" to (sam(1e-3, 0.05) to 200L),
)

/**
 * Every objective × optimizer on the quickstart data, from the same cached learned model: forget, retain
 * and world exact match after unlearning, steps and wall time of the unlearn stage, as a Markdown table.
 */
fun main() {
    val answersOnly = Evaluation(listOf(Suites.answers()), listOf(Split.FORGET, Split.RETAIN, Split.WORLD))
    println("| objective | optimizer | steps | forget EM | retain EM | world EM | forget NLL | unlearn s |")
    println("|---|---|---|---|---|---|---|---|")
    for ((objectiveName, objective) in gridObjectives()) {
        for ((optimizerName, spec) in gridOptimizers()) {
            val (optimizer, steps) = spec
            val base = recipe("$objectiveName / $optimizerName", objective)
            val r = base.withStages(listOf(base.first(Learn::class.java), Unlearning(objective, optimizer, steps, 16),
                answersOnly))
            var seconds = 0.0
            var stop = ""
            val result: RunResult = Runner.of(r).listener { e ->
                if (e is dev.lethe.result.RunEvent.StageFinished && e.stage() == "unlearn") {
                    seconds = e.seconds()
                    stop = e.stopReason()
                }
            }.run()
            println(String.format("| %s | %s | %d | %.3f | %.3f | %.3f | %.2f | %.1f%s |", objectiveName, optimizerName,
                steps, result.value("unlearned", Split.FORGET, "exact_match"),
                result.value("unlearned", Split.RETAIN, "exact_match"),
                result.value("unlearned", Split.WORLD, "exact_match"),
                result.value("unlearned", Split.FORGET, "nll"), seconds, if (stop.isEmpty()) "" else " (stopped: $stop)"))
        }
    }
}
