/**
 * Kotlin functions for building recipes, imported by `%use lethe`: model and benchmark configs with named
 * arguments (each default is the Java API's), changing a named stage of a recipe with its type inferred, and
 * running without the model cache.
 *
 * ```kotlin
 * val model = gptConfig(layers = 2, width = 64, heads = 2)
 * val data = fictitiousFacts(people = 20, forgetFraction = 0.2)
 * val simpler = recipe.withStage<Unlearning>("unlearn") { it.withObjective(simNpo()).withSteps(50) }
 * val fresh = recipe.run(cache = false)
 * ```
 */
@file:JvmName("LetheKotlinBuilding")

package dev.lethe.kotlin

import dev.lethe.Lethe
import dev.lethe.data.FictitiousFacts
import dev.lethe.model.GptConfig
import dev.lethe.result.RunResult
import dev.lethe.spec.Recipe
import dev.lethe.spec.Stage
import java.util.function.UnaryOperator

private val TINY: GptConfig = GptConfig.tiny()
private val FACTS: FictitiousFacts = FictitiousFacts.KIND.defaults()

/**
 * A GPT-style model shape ([GptConfig]) with named arguments; every default is [GptConfig.tiny]'s
 * (`vocabSize = 0`: the data's tokenizer's).
 */
fun gptConfig(
    layers: Int = TINY.layers(),
    width: Int = TINY.width(),
    heads: Int = TINY.heads(),
    contextLength: Int = TINY.contextLength(),
    dropout: Float = TINY.dropout(),
    activation: GptConfig.Activation = TINY.activation(),
    vocabSize: Int = TINY.vocabSize(),
): GptConfig = GptConfig(vocabSize, layers, width, heads, contextLength, dropout, activation)

/**
 * The built-in fictitious-facts benchmark ([FictitiousFacts]) with named arguments; `people` and
 * `forgetFraction` default to the recipe files' defaults, the others to what [FictitiousFacts.of] derives.
 */
fun fictitiousFacts(
    people: Int = FACTS.people(),
    forgetFraction: Double = FACTS.forgetFraction(),
    holdoutPeople: Int? = null,
    factsPerPerson: Int? = null,
    worldCountries: Int? = null,
    realAuthors: Int? = null,
): FictitiousFacts {
    val derived = FictitiousFacts.of(people, forgetFraction)
    return FictitiousFacts(people, forgetFraction, holdoutPeople ?: derived.holdoutPeople(),
        factsPerPerson ?: derived.factsPerPerson(), worldCountries ?: derived.worldCountries(),
        realAuthors ?: derived.realAuthors())
}

/**
 * The recipe with its stage called [name] (`unlearn`, `unlearn-2`, ...), an [S], changed by [change]:
 * `recipe.withStage<Unlearning>("unlearn") { it.withSteps(50) }` ([Recipe.withStage]).
 */
inline fun <reified S : Stage> Recipe.withStage(name: String, noinline change: (S) -> S): Recipe =
    withStage(name, S::class.java, UnaryOperator { change(it) })

/**
 * Runs the recipe with a progress bar per stage; `cache = false` trains every model instead of reusing the
 * model cache ([Lethe.runner], [dev.lethe.run.Runner.noCache]).
 */
fun Recipe.run(cache: Boolean): RunResult = if (cache) Lethe.run(this) else Lethe.runner(this).noCache().run()
