package dev.lethe.objective;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.lethe.Lethe;
import dev.lethe.data.Split;
import dev.lethe.model.Scalars;
import dev.lethe.part.Kind;
import dev.lethe.part.Param;
import dev.lethe.part.ParamTypes;
import dev.lethe.recipe.PartRegistry;
import dev.lethe.recipe.RecipeCodec;
import dev.lethe.recipe.RecipeException;
import dev.lethe.spec.Unlearning;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The objectives' kinds: the slot's vocabulary, the defaults the DSL takes from them (the papers' values),
 * parameters by name, custom lambdas registered as kinds, and helpful errors.
 */
class ObjectiveKindsTest {
    private static Objective read(String objective) {
        return Lethe.fromYaml("name: o\nmodel: gpt\ndata: fictitious_facts\nstages: [{unlearn: {objective: " + objective
                + "}}]\n").first(Unlearning.class).objective();
    }

    @Test
    void theVocabularyKeepsEveryObjectivesNameAndOrder() {
        List<String> names = Objectives.KINDS.stream().map(Kind::name).toList();
        assertEquals(names.stream().distinct().toList(), names, "each name once");
        // the names recipe files use, in the order lethe list shows them (new objectives may come in between)
        List<String> kept = List.of("ga", "grad_diff", "npo", "simnpo", "idk", "dpo", "flat", "kl_retain",
                "inverted_hinge", "catnip", "nll", "rmu", "concept_correction", "conflict_projection", "stable_un",
                "plus", "times", "combined");
        assertEquals(kept, names.stream().filter(kept::contains).toList());
        assertEquals(List.of("conflict_projection", "stable_un", "plus", "times", "combined"),
                names.subList(names.size() - 5, names.size()), "the shorthands before the general combined form");
        assertEquals(List.copyOf(PartRegistry.standard().kinds(Objective.SLOT).values()), Objectives.KINDS);
    }

    @Test
    void theDslFactoriesGiveThePapersDefaults() {
        assertEquals(new GradientAscent(Split.FORGET), Objectives.gradientAscent());
        assertEquals(new GradDiff(1.0), Objectives.gradDiff());
        assertEquals(new Npo(0.1), Objectives.npo());
        assertEquals(new SimNpo(2.5, 0), Objectives.simNpo());
        assertEquals(new Idk(Split.FORGET), Objectives.idk());
        assertEquals(new Dpo(0.1), Objectives.dpo());
        assertEquals(new Flat(Flat.Divergence.TOTAL_VARIATION), Objectives.flat());
        assertEquals(new KlRetain(Split.RETAIN), Objectives.klRetain());
        assertEquals(new InvertedHinge(Split.FORGET), Objectives.invertedHinge());
        assertEquals(new CatnipStyle(0.1, 1.0), Objectives.catnipStyle());
        assertEquals(new Nll(Split.RETAIN), Objectives.nll());
        assertEquals(new Rmu(Rmu.QUARTER, 6.5, 1200, 0), Objectives.rmu());
        ConceptCorrection cc = Objectives.conceptCorrection(Split.WORLD);
        assertEquals(List.of(Split.WORLD, ConceptCorrection.LAST, 0.05, 0.001, 1),
                List.of(cc.anchor(), cc.layer(), cc.learningRate(), cc.weightDecay(), cc.discriminatorSteps()));
        assertEquals(Objectives.stableUn(Objectives.npo(), Objectives.klRetain(), 0.05, 1, 0),
                Objectives.stableUn(Objectives.npo(), Objectives.klRetain()));
    }

    @Test
    void anObjectiveNamedAloneInAFileIsTheDslsDefault() {
        assertEquals(Objectives.npo(), read("npo"));
        assertEquals(Objectives.rmu(), read("rmu"));
        assertEquals(Objectives.conflictProjection(Objectives.npo(), Objectives.klRetain().times(1.0)),
                read("conflict_projection"));
        assertEquals(Objectives.stableUn(Objectives.npo(), Objectives.klRetain().times(1.0)), read("stable_un"));
    }

    @Test
    void givenParametersReplaceTheDefaults() {
        assertEquals(new Npo(0.2), Npo.KIND.create(Map.of("beta", 0.2)));
        assertEquals(new SimNpo(2.5, 1), SimNpo.KIND.create(Map.of("gamma", 1.0)));
        assertEquals(new Rmu(Rmu.QUARTER, 6.5, 1200, 3), Rmu.KIND.create(Map.of("seed", 3L)));
        assertEquals(new Rmu(2, 10, 50, 7), read("{rmu: {layer: 2, steering_coefficient: 10, alpha: 50, seed: 7}}"));
        assertEquals(new Flat(Flat.Divergence.KL), read("{flat: {divergence: kl}}"));
        assertEquals(new Flat(Flat.Divergence.KL, Flat.Pooling.BATCH),
                read("{flat: {divergence: kl, pooling: batch}}"));
        assertEquals(new Rmu(Rmu.MIDDLE, 6.5, 1200, 0), read("{rmu: {layer: middle}}"));
        assertEquals("{rmu: {layer: middle, steering_coefficient: 6.5, alpha: 1200.0, seed: 0}}",
                new Rmu(Rmu.MIDDLE, 6.5, 1200, 0).toString());
        assertEquals(new SimNpo(2.5, 1.0), read("{simnpo: {beta: 2.5, delta: 0.4}}"),
                "the code's margin: gamma = beta * delta");
        assertEquals(0.4, SimNpo.ofCodeMargin(2.5, 0.4).codeMargin(), 1e-15);
        assertEquals("{simnpo: {beta: 2.5, gamma: 1.0}}", SimNpo.ofCodeMargin(2.5, 0.4).toString(),
                "written back as gamma");
        String both = assertThrows(IllegalArgumentException.class,
                () -> SimNpo.KIND.create(Map.of("gamma", 1.0, "delta", 0.4))).getMessage();
        assertTrue(both.contains("not both"), both);
        assertEquals(new Nll(List.of(Split.RETAIN, Split.WORLD)), read("{nll: {splits: [retain, world]}}"));
        String unknown = assertThrows(IllegalArgumentException.class, () -> Npo.KIND.create(Map.of("betta", 0.2)))
                .getMessage();
        assertTrue(unknown.contains("npo has no parameter 'betta'; it has beta"), unknown);
        assertThrows(IllegalArgumentException.class, () -> Npo.KIND.create(Map.of("beta", -1.0)),
                "the objective's own validation still runs");
        assertThrows(IllegalStateException.class, Objective.Sum.KIND::defaults, "plus needs its terms");
    }

    @Test
    void unknownNamesListTheKnownOnesAndSuggestCloseOnes() {
        String typo = assertThrows(RecipeException.class, () -> read("npoo")).getMessage();
        assertTrue(typo.contains("unknown objective 'npoo'"), typo);
        assertTrue(typo.contains("did you mean 'npo' or 'dpo'?"), typo + " (closest first: distance 1, then 2)");
        assertTrue(typo.contains("Known: " + String.join(", ", Objectives.KINDS.stream().map(Kind::name).toList())),
                typo);
        String swapped = assertThrows(RecipeException.class, () -> read("simpno")).getMessage();
        assertTrue(swapped.contains("did you mean 'simnpo'?"), swapped);
        String far = assertThrows(RecipeException.class, () -> read("xyzzy")).getMessage();
        assertFalse(far.contains("did you mean"), far);
        String key = assertThrows(RecipeException.class, () -> read("{npo: {betta: 0.2}}")).getMessage();
        assertTrue(key.contains("unknown key 'betta' in npo; did you mean 'beta'?"), key);
    }

    @Test
    void customLambdasRegisterAKindOfTheirOwn() {
        Kind<NamedObjective> scaledGa = NamedObjective.kind("scaled_ga", "−w·NLL(forget)",
                List.of(Param.of("weight", ParamTypes.real(ParamTypes.Range.any()), 1.0, "w")),
                a -> step -> Scalars.times(step.scores(Split.FORGET).meanNll().mean().neg(), a.real("weight")));
        Kind<NamedObjective> plain = NamedObjective.kind("plain_ga", "GA as a lambda",
                step -> step.scores(Split.FORGET).meanNll().mean().neg());
        PartRegistry parts = PartRegistry.standard().add(Objective.SLOT, scaledGa).add(Objective.SLOT, plain);
        try (NDManager m = NDManager.newBaseManager()) {
            ToyStep step = new ToyStep().with(Split.FORGET, ToyStep.logits(m, new double[] {1, 2, 0, 0.5, 0.5, 1.5}),
                    new long[] {1, 2}, ToyStep.logits(m, new double[6]));
            assertEquals(-2 * 0.4795253391882155, scaledGa.create(Map.of("weight", 2.0)).loss(step).getDouble(), 1e-12);
            assertEquals(-0.4795253391882155, scaledGa.defaults().loss(step).getDouble(), 1e-12);
            assertEquals(-0.4795253391882155, plain.defaults().loss(step).getDouble(), 1e-12);
        }
        RecipeCodec codec = new RecipeCodec(parts);
        Objective read = codec.read("name: c\nmodel: gpt\ndata: fictitious_facts\n"
                + "stages: [{unlearn: {objective: {plus: [{scaled_ga: {weight: 3}}, plain_ga]}}}]\n",
                        "c.yaml").first(Unlearning.class).objective();
        assertEquals(scaledGa.create(Map.of("weight", 3.0)).plus(plain.defaults()), read);
        assertThrows(IllegalArgumentException.class, () -> parts.add(Objective.SLOT,
                NamedObjective.kind("npo", "again", Objectives.npo())), "a name is registered once");
        String typo = assertThrows(RecipeException.class, () -> codec.read("name: c\nmodel: gpt\n"
                + "data: fictitious_facts\nstages: [{unlearn: {objective: scaled_gaa}}]\n", "c.yaml")).getMessage();
        assertTrue(typo.contains("did you mean 'scaled_ga'?"), typo);
        assertFalse(PartRegistry.standard().kinds(Objective.SLOT).containsKey("scaled_ga"),
                "each standard() is a new registry");
    }
}
