/**
 * Kotlin extensions over Lethe's Java API, imported by `%use lethe`: operators on objectives, and running and
 * serialising a recipe as methods (`recipe.run()`, `recipe.toYaml()`), which the Java API keeps on the
 * [Lethe] facade so that [Recipe] stays plain data.
 *
 * ```kotlin
 * val objective = npo() + 0.5 * nll(Split.RETAIN) - 0.1 * klRetain()
 * val result = recipe.run()
 * ```
 */
@file:JvmName("LetheKotlin")

package dev.lethe.kotlin

import dev.lethe.Lethe
import dev.lethe.spec.Recipe
import dev.lethe.result.RunResult
import dev.lethe.objective.Objective
import dev.lethe.optim.Schedule
import dev.lethe.result.RunListener

/** `weight * objective`: the objective times a constant weight ([Objective.times]). */
operator fun Double.times(objective: Objective): Objective = objective.times(this)

/** `weight * objective` for a whole-number weight. */
operator fun Int.times(objective: Objective): Objective = objective.times(this.toDouble())

/** `schedule * objective`: the objective times a weight that follows the step ([Objective.times]). */
operator fun Schedule.times(objective: Objective): Objective = objective.times(this)

/** `-objective`: the objective times −1 (e.g. ascent on a loss). */
operator fun Objective.unaryMinus(): Objective = this.times(-1.0)

/** `a - b`: `a + (−1)·b`. */
operator fun Objective.minus(other: Objective): Objective = this.plus(other.times(-1.0))

/** Runs the recipe with a progress bar per stage on standard error ([Lethe.run]). */
fun Recipe.run(): RunResult = Lethe.run(this)

/** Runs the recipe, sending progress events to [listener] ([Lethe.run]). */
fun Recipe.run(listener: RunListener): RunResult = Lethe.run(this, listener)

/** The recipe as a YAML recipe file ([Lethe.toYaml]). */
fun Recipe.toYaml(): String = Lethe.toYaml(this)
