package dev.lethe.recipe;

import static dev.lethe.objective.Objectives.klRetain;
import static dev.lethe.objective.Objectives.nll;
import static dev.lethe.objective.Objectives.npo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lethe.Lethe;
import dev.lethe.adapter.Lora;
import dev.lethe.adapter.LoraTarget;
import dev.lethe.data.FictitiousFacts;
import dev.lethe.data.Split;
import dev.lethe.model.GptConfig;
import dev.lethe.objective.CombinedObjective;
import dev.lethe.objective.ConceptCorrection;
import dev.lethe.objective.Objective;
import dev.lethe.objective.Objectives;
import dev.lethe.optim.ConflictProjection;
import dev.lethe.optim.GradientCombiner;
import dev.lethe.optim.Optimizers;
import dev.lethe.spec.Recipe;
import dev.lethe.spec.Unlearning;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The GELU activation, LoRA adapters, concept correction and combined objectives in recipe files. */
class RecipeNewPartsTest {
    private static final String HEAD = "name: n\nmodel: gpt\ndata: fictitious_facts\n";
    private static final String STAGES = HEAD + "stages:\n";

    private static Recipe with(Objective o) {
        return Lethe.recipe("n").model(GptConfig.tiny()).data(FictitiousFacts.of(50, 0.1))
                .unlearn(Unlearning.of(o)).build();
    }

    /** Writes {@code r}, checks it reads back equal with the same text, and returns the text. */
    private static String roundTrip(Recipe r) {
        String yaml = Lethe.toYaml(r);
        Recipe back = Lethe.fromYaml(yaml);
        assertEquals(r, back, yaml);
        assertEquals(yaml, Lethe.toYaml(back));
        return yaml;
    }

    /** The unlearning stage's objective as written, indented as if the stage were at the top level. */
    private static String objectiveText(Recipe r) {
        String yaml = roundTrip(r);
        int start = yaml.indexOf("      objective:");
        return yaml.substring(start, yaml.indexOf("      optimizer:", start)).replaceAll("(?m)^    ", "");
    }

    @Test
    void aWeightedConflictProjectionIsWrittenAsTheShorthand() {
        String text = objectiveText(with(Objectives.conflictProjection(npo(0.2), klRetain().times(0.5))));
        assertEquals("""
                  objective:
                    conflict_projection:
                      forget:
                        npo:
                          beta: 0.2
                      retain:
                        kl_retain:
                          split: retain
                      retain_weight: 0.5
                """, text);
        assertEquals(Objectives.conflictProjection(npo(), klRetain().times(0.5)),
                Lethe.fromYaml(STAGES + "- unlearn: {objective: {conflict_projection: {retain_weight: 0.5}}}\n")
                        .first(Unlearning.class).objective());
    }

    @Test
    void otherCombinedObjectivesAreWrittenInTheGeneralForm() {
        // no retain weight: the shorthand would read back klRetain().times(1.0), so the general form is used
        String text = objectiveText(with(Objectives.conflictProjection(npo(), klRetain())));
        assertEquals("""
                  objective:
                    combined:
                      combiner:
                        conflict_projection:
                          forget: forget
                          retain: retain
                      parts:
                        forget:
                          npo:
                            beta: 0.1
                        retain:
                          kl_retain:
                            split: retain
                """, text);
        // plus and times on a combined objective stay combined (CombinedObjective.plus adds "part2")
        CombinedObjective more = Objectives.stableUn(npo(), klRetain().times(2), 0.1, 3, 7).plus(nll());
        assertTrue(objectiveText(with(more)).contains("        part2:\n"));
        roundTrip(with(more.times(0.25)));
        Map<String, Objective> parts = new LinkedHashMap<>();
        parts.put("a b", npo());
        parts.put("ünï", nll(Split.WORLD));
        roundTrip(with(new CombinedObjective(parts, GradientCombiner.sum())));
        roundTrip(with(new CombinedObjective(parts, new ConflictProjection("ünï", "a b"))));
    }

    @Test
    void stableUnAndConceptCorrectionRoundTripWithTheirParameters() {
        String text = objectiveText(with(Objectives.stableUn(npo(), klRetain().times(0.3), 0.2, 4, -5)));
        assertTrue(text.contains("    stable_un:\n"), text);
        assertTrue(text.contains("      rho: 0.2\n      points: 4\n      seed: -5\n"), text);
        assertTrue(objectiveText(with(Objectives.conceptCorrection())).contains("      layer: last\n"));
        ConceptCorrection c = new ConceptCorrection(Split.WORLD, 2, 0.1, 0.0, 3);
        assertEquals(c, Lethe.fromYaml(STAGES + "- unlearn:\n    objective:\n      concept_correction: {anchor: world, "
                + "layer: 2, learning_rate: 0.1, weight_decay: 0, discriminator_steps: 3}\n").first(Unlearning.class).objective());
        roundTrip(with(c));
    }

    @Test
    void loraAdaptersAreAnOptionalStructOfTheUnlearningStage() {
        Lora lora = Lora.rank(8).alpha(16).only(LoraTarget.MLP_OUT, LoraTarget.MLP_IN).fila();
        Recipe r = Lethe.recipe("n").model(GptConfig.tiny()).data(FictitiousFacts.of(50, 0.1))
                .unlearn(Unlearning.of(npo()).adapters(lora)).build();
        String yaml = roundTrip(r);
        assertTrue(yaml.contains("""
                      adapters:
                        rank: 8
                        alpha: 16.0
                        targets: [mlp_in, mlp_out]
                        init: fila
                """), yaml);
        // alpha absent: α = r, all four projections, standard initialisation, as Lora.rank(r)
        assertEquals(Lora.rank(4), Lethe.fromYaml(STAGES + "- unlearn: {objective: npo, adapters: {rank: 4}}\n")
                .first(Unlearning.class).adapters());
        assertEquals(null, Lethe.fromYaml(STAGES + "- unlearn: {objective: npo}\n").first(Unlearning.class).adapters());
        assertTrue(!roundTrip(with(npo())).contains("adapters"));
    }

    @Test
    void theActivationIsAModelParameter() {
        GptConfig tanh = new GptConfig(0, 2, 32, 2, 16, 0f, GptConfig.Activation.GELU_TANH);
        Recipe r = Lethe.recipe("n").model(tanh).data(FictitiousFacts.of(50, 0.1)).build();
        assertTrue(roundTrip(r).contains("    activation: gelu_tanh\n"));
        assertEquals(GptConfig.Activation.GELU, ((GptConfig) Lethe.fromYaml(STAGES + "- evaluate\n").model()).activation());
        assertEquals(tanh, Lethe.fromYaml("name: n\ndata: fictitious_facts\nmodel: {gpt: {layers: 2, width: 32, "
                + "heads: 2, context_length: 16, activation: gelu_tanh}}\nstages: [evaluate]\n").model());
    }

    @Test
    void badNewPartsAreReportedWithTheirField() {
        RecipeException e = assertThrows(RecipeException.class, () -> Lethe.fromYaml(STAGES + """
                - unlearn:
                    objective:
                      combined:
                        combiner: conflict_projection
                        parts: {forgte: npo, retain: kl_retain}
                    adapters: {rank: 0, targets: [mlp_in, mlp_in], init: filla}
                """));
        String m = e.getMessage();
        assertTrue(m.contains("stages[0].unlearn.objective.combined: combined: the combiner needs a part named 'forget'; "
                + "the parts are [forgte, retain]"), m);
        assertTrue(m.contains("stages[0].unlearn.adapters.rank: expected an integer >= 1, got 0"), m);
        assertTrue(m.contains("stages[0].unlearn.adapters.init: expected one of standard, fila, got \"filla\" (a string); "
                + "did you mean 'fila'?"), m);
        RecipeException twice = assertThrows(RecipeException.class, () -> Lethe.fromYaml(STAGES
                + "- unlearn: {objective: npo, adapters: {rank: 2, targets: [mlp_in, mlp_in]}}\n"));
        assertTrue(twice.getMessage().contains("targets must be distinct"), twice.getMessage());
        RecipeException anchor = assertThrows(RecipeException.class, () -> Lethe.fromYaml(STAGES
                + "- unlearn: {objective: {concept_correction: {anchor: forget}}}\n"));
        assertTrue(anchor.getMessage().contains("must not be the forget split"), anchor.getMessage());
        RecipeException model = assertThrows(RecipeException.class, () -> Lethe.fromYaml(
                "name: n\ndata: fictitious_facts\nmodel: {gpt: {activation: relu}}\nstages: [evaluate]\n"));
        assertTrue(model.getMessage().contains("model.gpt.activation: expected one of gelu, gelu_tanh"),
                model.getMessage());
        RecipeException empty = assertThrows(RecipeException.class, () -> Lethe.fromYaml(STAGES
                + "- unlearn: {objective: {combined: {combiner: sum, parts: {}}}}\n"));
        assertTrue(empty.getMessage().contains("stages[0].unlearn.objective.combined.parts: expected a mapping of at least 1"),
                empty.getMessage());
    }

    @Test
    void theDslsComposedExampleIsOneRecipe() {
        Recipe r = Lethe.recipe("n").model(GptConfig.tiny()).data(FictitiousFacts.of(50, 0.1))
                .unlearn(Unlearning.of(Objectives.conflictProjection(npo(), klRetain().times(0.5)))
                        .optimizer(Optimizers.signAdam(1e-3)))
                .build();
        roundTrip(r);
        assertEquals(List.of("plus", "times", "combined"), PartRegistry.standard().kinds(Objective.SLOT).keySet()
                .stream().skip(PartRegistry.standard().kinds(Objective.SLOT).size() - 3).toList());
    }
}
