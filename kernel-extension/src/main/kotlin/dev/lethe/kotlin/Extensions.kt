/**
 * Kotlin extensions over Lethe's Java API, imported by `%use lethe`: operators on objectives and on NDArrays
 * (safe inside autograd: numbers become libtorch scalars through [Scalars]), and running and
 * serialising a recipe as methods (`recipe.run()`, `recipe.toYaml()`), which the Java API keeps on the
 * [Lethe] facade so that [Recipe] stays plain data.
 *
 * ```kotlin
 * val objective = npo() + 0.5 * nll(Split.RETAIN) - 0.1 * klRetain()
 * val bounded = Objective { step -> Activation.relu(3.0 - step.scores(Split.FORGET).meanNll()).mean() }
 * val result = recipe.run()
 * ```
 */
@file:JvmName("LetheKotlin")

package dev.lethe.kotlin

import ai.djl.ndarray.NDArray
import dev.lethe.Lethe
import dev.lethe.model.Scalars
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

/*
 * Arithmetic on NDArray. DJL's own `x.mul(0.5)` (and div, add, sub with a Number) wraps the number in a tensor
 * over a Java buffer that the garbage collector frees while autograd still holds it for the backward pass: the
 * gradients then read freed memory. These operators make every number a libtorch-owned scalar on the array's
 * manager and device ([Scalars]), never change their operands in place, and refuse an operand that was already
 * closed (a scalar created under an NDScope or manager that has since closed), instead of computing with freed memory.
 * `x.mul(0.5)` itself cannot be detected afterwards: its scalar is closed at once and its memory freed later by
 * the garbage collector, so the backward pass reads whatever the memory then holds.
 */

/** `x + y`, element-wise with broadcasting. */
operator fun NDArray.plus(other: NDArray): NDArray = live(this, other, "+").add(other)

/** `x + c`, with `c` a libtorch scalar of `x`'s type and device. */
operator fun NDArray.plus(value: Number): NDArray = Scalars.plus(live(this, "+"), value.toDouble())

/** `c + x`. */
operator fun Number.plus(array: NDArray): NDArray = Scalars.plus(live(array, "+"), toDouble())

/** `x − y`, element-wise with broadcasting. */
operator fun NDArray.minus(other: NDArray): NDArray = live(this, other, "-").sub(other)

/** `x − c`. */
operator fun NDArray.minus(value: Number): NDArray = Scalars.plus(live(this, "-"), -value.toDouble())

/** `c − x`. */
operator fun Number.minus(array: NDArray): NDArray = Scalars.plus(live(array, "-").neg(), toDouble())

/** `x · y`, element-wise with broadcasting. */
operator fun NDArray.times(other: NDArray): NDArray = live(this, other, "*").mul(other)

/** `x · c`. */
operator fun NDArray.times(value: Number): NDArray = Scalars.times(live(this, "*"), value.toDouble())

/** `c · x`. */
operator fun Number.times(array: NDArray): NDArray = Scalars.times(live(array, "*"), toDouble())

/*
 * No `x / y` or `x / c` here: NDArray's own Java methods div(NDArray) and div(Number) are Kotlin's `/` operator,
 * and a member always wins over an extension. `x / y` is safe; for `x / c` write `x * (1.0 / c)` or
 * `Scalars.dividedBy(x, c)`, since DJL's div(Number) is the unsafe scalar path described above.
 */

/** `c / x`. */
operator fun Number.div(array: NDArray): NDArray = Scalars.scalar(live(array, "/"), toDouble()).div(array)

/** `−x`. */
operator fun NDArray.unaryMinus(): NDArray = live(this, "unary -").neg()

private fun live(array: NDArray, operator: String): NDArray {
    check(!array.isReleased) {
        "an operand of '$operator' is an NDArray that was already closed (its NDManager or NDScope has ended), " +
            "so the loss would use freed memory: create constants inside the objective, on the step's arrays " +
            "(e.g. 'x * 0.5' or Scalars.scalar(x, 0.5)), not once outside it"
    }
    return array
}

private fun live(left: NDArray, right: NDArray, operator: String): NDArray {
    live(right, operator)
    return live(left, operator)
}
