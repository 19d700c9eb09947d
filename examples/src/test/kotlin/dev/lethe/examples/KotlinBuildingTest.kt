package dev.lethe.examples

import dev.lethe.Lethe
import dev.lethe.data.FictitiousFacts
import dev.lethe.data.Split
import dev.lethe.eval.ModelUtility
import dev.lethe.eval.stats.RougeL
import dev.lethe.kotlin.fictitiousFacts
import dev.lethe.kotlin.gptConfig
import dev.lethe.kotlin.withStage
import dev.lethe.model.GptConfig
import dev.lethe.objective.Objectives.npo
import dev.lethe.objective.Objectives.simNpo
import dev.lethe.spec.Training
import dev.lethe.spec.Unlearning
import kotlin.test.Test
import kotlin.test.assertEquals

/** Model and benchmark configs with named arguments, and changing a named stage, as a notebook writes them. */
class KotlinBuildingTest {

    @Test
    fun `a model config takes named arguments and keeps the tiny defaults for the rest`() {
        assertEquals(GptConfig(0, 2, 64, 2, 32, 0f), gptConfig(layers = 2, width = 64, heads = 2))
        assertEquals(GptConfig.tiny(), gptConfig())
        assertEquals(GptConfig.tiny().withLayers(2).withShape(64, 2), gptConfig(layers = 2, width = 64, heads = 2))
    }

    @Test
    fun `a benchmark config takes named arguments and derives the rest as FictitiousFacts of does`() {
        assertEquals(FictitiousFacts.of(20, 0.2), fictitiousFacts(people = 20, forgetFraction = 0.2))
        assertEquals(FictitiousFacts.of(20, 0.2).withWorldCountries(3),
            fictitiousFacts(people = 20, forgetFraction = 0.2, worldCountries = 3))
        assertEquals(FictitiousFacts.KIND.defaults(), fictitiousFacts())
        assertEquals(FictitiousFacts.of(20, 0.2).withRealAuthors(3),
            fictitiousFacts(people = 20, forgetFraction = 0.2, realAuthors = 3))
    }

    @Test
    fun `stemmed ROUGE-L and the nine-part model utility are one call each`() {
        // cats -> cat, running -> run: 3 of 4 reference tokens in order once stemmed, 1 of 4 without
        assertEquals(0.75, RougeL.recall("The cats were running.", "the cat was run", RougeL.Stemming.PORTER), 1e-12)
        assertEquals(0.25, RougeL.recall("The cats were running.", "the cat was run"), 1e-12)
        assertEquals(3.0 / 7, ModelUtility.of(0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 1.0, 1.0, 1.0), 1e-15)
        assertEquals(listOf(Split.RETAIN, Split.REAL_AUTHORS, Split.WORLD), ModelUtility.SPLITS)
    }

    @Test
    fun `a named stage changes with its type inferred and the base recipe stays`() {
        val base = Lethe.recipe("kotlin-with")
            .model(gptConfig(layers = 1, width = 32, heads = 2))
            .data(fictitiousFacts(people = 8, forgetFraction = 0.25))
            .learn(Training.of(10))
        val npoRecipe = base.unlearn(Unlearning.of(npo())).build()
        val simNpoRecipe = npoRecipe.withStage<Unlearning>("unlearn") { it.withObjective(simNpo()).withSteps(20) }
        assertEquals(Unlearning.of(simNpo()).withSteps(20), simNpoRecipe.stages()[1])
        assertEquals(Unlearning.of(npo()), npoRecipe.stages()[1])
        assertEquals(listOf("learn", "evaluate"), base.build().named().map { it.name() },
            "branching the builder left the base without an unlearn stage")
    }
}
