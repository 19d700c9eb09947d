package dev.lethe.objective;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.lethe.data.Split;
import dev.lethe.model.Scalars;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Objectives by name: the built-ins with their defaults, parameters, custom lambdas and helpful errors. */
class ObjectiveRegistryTest {
    private final ObjectiveRegistry registry = ObjectiveRegistry.standard();

    @Test
    void everyBuiltInIsRegisteredWithTheDefaultsOfObjectives() {
        assertEquals(List.of("ga", "grad_diff", "npo", "simnpo", "idk", "dpo", "flat", "kl_retain", "inverted_hinge",
                "catnip", "nll", "rmu", "concept_correction", "conflict_projection", "stable_un"),
                List.copyOf(registry.names()));
        assertEquals(Objectives.gradientAscent(), registry.create("ga"));
        assertEquals(Objectives.gradDiff(), registry.create("grad_diff"));
        assertEquals(Objectives.npo(), registry.create("npo"));
        assertEquals(Objectives.simNpo(), registry.create("simnpo"));
        assertEquals(Objectives.idk(), registry.create("idk"));
        assertEquals(Objectives.dpo(), registry.create("dpo"));
        assertEquals(Objectives.flat(), registry.create("flat"));
        assertEquals(Objectives.klRetain(), registry.create("kl_retain"));
        assertEquals(Objectives.invertedHinge(), registry.create("inverted_hinge"));
        assertEquals(Objectives.catnipStyle(), registry.create("catnip"));
        assertEquals(Objectives.nll(), registry.create("nll"));
        assertEquals(Objectives.rmu(), registry.create("rmu"));
        ConceptCorrection cc = (ConceptCorrection) registry.create("concept_correction");
        assertEquals(Split.HOLDOUT, cc.anchor());
        assertEquals(Objectives.conflictProjection(Objectives.npo(), Objectives.klRetain().times(1.0)),
                registry.create("conflict_projection"));
        assertEquals(Objectives.stableUn(Objectives.npo(), Objectives.klRetain().times(1.0)),
                registry.create("stable_un"));
    }

    @Test
    void combinedObjectivesNameTheirPartsByRegisteredNames() {
        assertEquals(Objectives.conflictProjection(new SimNpo(2.5, 0), Objectives.nll().times(0.5)),
                registry.create("conflict_projection", Map.of("forget", "simnpo", "retain", "nll",
                        "retain_weight", 0.5)));
        assertEquals(Objectives.stableUn(Objectives.npo(), Objectives.klRetain().times(2.0), 0.1, 3, 9),
                registry.create("stable_un", Map.of("retain_weight", 2, "rho", 0.1, "points", 3, "seed", 9)));
        String unknown = assertThrows(IllegalArgumentException.class,
                () -> registry.create("conflict_projection", Map.of("forget", "nop"))).getMessage();
        assertTrue(unknown.contains("unknown objective 'nop'"), unknown);
        assertThrows(IllegalArgumentException.class,
                () -> registry.create("stable_un", Map.of("forget", "stable_un")));
        ConceptCorrection cc = (ConceptCorrection) registry.create("concept_correction",
                Map.of("anchor", "world", "layer", 1, "learning_rate", 0.5));
        assertEquals(Split.WORLD, cc.anchor());
        assertThrows(IllegalArgumentException.class,
                () -> registry.create("concept_correction", Map.of("anchor", "forget")));
    }

    @Test
    void parametersHaveNamesAndDefaults() {
        assertEquals(Map.of("beta", 0.1), registry.defaults("npo"));
        assertEquals(List.of("beta", "gamma"), List.copyOf(registry.defaults("simnpo").keySet()));
        assertEquals(List.of("layer", "steering_coefficient", "alpha", "seed"),
                List.copyOf(registry.defaults("rmu").keySet()));
        assertEquals(6.5, registry.defaults("rmu").get("steering_coefficient"));
        assertEquals(100.0, registry.defaults("rmu").get("alpha"));
        assertEquals("middle", registry.defaults("rmu").get("layer"));
        for (String name : registry.names()) {
            assertFalse(registry.defaults(name).isEmpty(), name + " declares its parameters");
        }
    }

    @Test
    void givenParametersReplaceTheDefaults() {
        assertEquals(new Npo(0.2), registry.create("npo", Map.of("beta", 0.2)));
        assertEquals(new SimNpo(3, 0), registry.create("simnpo", Map.of("beta", "3")), "numbers may be strings");
        assertEquals(new SimNpo(2.5, 1), registry.create("simnpo", Map.of("gamma", 1)), "ints are numbers");
        assertEquals(new GradDiff(0.5), registry.create("grad_diff", Map.of("alpha", 0.5)));
        assertEquals(new CatnipStyle(1, 2), registry.create("catnip", Map.of("beta", 1, "k", 2)));
        assertEquals(new Dpo(0.5), registry.create("dpo", Map.of("beta", 0.5)));
        assertEquals(new Flat(Flat.Divergence.KL), registry.create("flat", Map.of("divergence", "kl")));
        assertEquals(new Flat(Flat.Divergence.JENSEN_SHANNON), registry.create("flat", Map.of("divergence", "js")));
        assertEquals(new KlRetain(Split.WORLD), registry.create("kl_retain", Map.of("split", "world")));
        assertEquals(new GradientAscent(Split.RETAIN), registry.create("ga", Map.of("split", Split.RETAIN)));
        assertEquals(new InvertedHinge(Split.RETAIN), registry.create("inverted_hinge", Map.of("split", "Retain")));
        assertEquals(new Idk(Split.RETAIN), registry.create("idk", Map.of("split", "retain")));
        assertEquals(new Nll(List.of(Split.FORGET, Split.RETAIN)),
                registry.create("nll", Map.of("splits", "forget, retain")));
        assertEquals(new Nll(List.of(Split.RETAIN, Split.WORLD)),
                registry.create("nll", Map.of("splits", List.of("retain", Split.WORLD))));
        assertEquals(new Rmu(2, 10, 50, 7), registry.create("rmu",
                Map.of("layer", 2, "steering_coefficient", 10, "alpha", 50, "seed", 7)));
        assertEquals(new Rmu(Rmu.MIDDLE, 6.5, 100, 3), registry.create("rmu", Map.of("seed", "3")));
    }

    @Test
    void unknownNamesListTheKnownOnesAndSuggestCloseOnes() {
        String typo = assertThrows(IllegalArgumentException.class, () -> registry.create("npoo")).getMessage();
        assertTrue(typo.contains("unknown objective 'npoo'"), typo);
        assertTrue(typo.contains("did you mean 'npo' or 'dpo'?"), typo + " (closest first: distance 1, then 2)");
        assertTrue(typo.contains("Known objectives: ga, grad_diff, npo, simnpo, idk, dpo, flat, kl_retain, "
                + "inverted_hinge, catnip, nll, rmu, concept_correction, conflict_projection, stable_un"), typo);
        String swapped = assertThrows(IllegalArgumentException.class, () -> registry.create("simpno")).getMessage();
        assertTrue(swapped.contains("did you mean 'simnpo'?"), swapped);
        String upper = assertThrows(IllegalArgumentException.class, () -> registry.create("GRAD-DIFF")).getMessage();
        assertTrue(upper.contains("did you mean 'grad_diff'?"), upper);
        String far = assertThrows(IllegalArgumentException.class, () -> registry.create("xyzzy")).getMessage();
        assertFalse(far.contains("did you mean"), far);
        assertTrue(far.contains("Known objectives: ga,"), far);
        String two = assertThrows(IllegalArgumentException.class, () -> registry.create("dp")).getMessage();
        // a name of up to three letters only suggests names at distance 1: dpo, not ga, npo or idk at 2
        assertTrue(two.contains("did you mean 'dpo'?"), two);
    }

    @Test
    void unknownOrBadParametersAreNamed() {
        String unknown = assertThrows(IllegalArgumentException.class,
                () -> registry.create("npo", Map.of("betta", 0.2))).getMessage();
        assertTrue(unknown.contains("'npo' has no parameter 'betta'; it has beta"), unknown);
        String bad = assertThrows(IllegalArgumentException.class,
                () -> registry.create("npo", Map.of("beta", "lots"))).getMessage();
        assertTrue(bad.contains("parameter 'beta': expected a number, got lots"), bad);
        assertThrows(IllegalArgumentException.class, () -> registry.create("npo", Map.of("beta", -1)),
                "the objective's own validation still runs");
        assertThrows(IllegalArgumentException.class, () -> registry.create("kl_retain", Map.of("split", "train")));
        assertThrows(IllegalArgumentException.class, () -> registry.create("rmu", Map.of("layer", 1.5)));
        assertThrows(IllegalArgumentException.class, () -> registry.create("flat", Map.of("divergence", "hellinger")));
    }

    @Test
    void customLambdasResolveByName() {
        ObjectiveRegistry r = ObjectiveRegistry.standard()
                .register("scaled_ga", p -> {
                    double w = ((Number) p.getOrDefault("weight", 1.0)).doubleValue();
                    return step -> Scalars.times(step.scores(Split.FORGET).meanNll().mean().neg(), w);
                })
                .register("npo_plus_kl", new LinkedHashMap<>(Map.of("kl", 1.0)),
                        p -> Objectives.npo().plus(Objectives.klRetain().times(((Number) p.get("kl")).doubleValue())));
        assertTrue(r.names().contains("scaled_ga"));
        assertEquals(Map.of(), r.defaults("scaled_ga"));
        assertEquals(Map.of("kl", 1.0), r.defaults("npo_plus_kl"));
        try (NDManager m = NDManager.newBaseManager()) {
            ToyStep step = new ToyStep().with(Split.FORGET, ToyStep.logits(m, new double[] {1, 2, 0, 0.5, 0.5, 1.5}),
                    new long[] {1, 2}, ToyStep.logits(m, new double[6]));
            assertEquals(-2 * 0.4795253391882155,
                    r.create("scaled_ga", Map.of("weight", 2.0)).loss(step).getDouble(), 1e-12);
            assertEquals(-0.4795253391882155, r.create("scaled_ga").loss(step).getDouble(), 1e-12);
        }
        assertThrows(IllegalArgumentException.class, () -> r.create("npo_plus_kl", Map.of("k", 2.0)));
        assertThrows(IllegalArgumentException.class, () -> r.register("npo", p -> Objectives.npo()),
                "a name is registered once");
        String typo = assertThrows(IllegalArgumentException.class, () -> r.create("scaled_gaa")).getMessage();
        assertTrue(typo.contains("did you mean 'scaled_ga'?"), typo);
        assertFalse(ObjectiveRegistry.standard().names().contains("scaled_ga"), "each standard() is a new registry");
    }

    @Test
    void levenshteinDistance() {
        assertEquals(3, dev.lethe.util.Names.distance("kitten", "sitting"));
        assertEquals(3, dev.lethe.util.Names.distance("", "abc"));
        assertEquals(0, dev.lethe.util.Names.distance("npo", "npo"));
        assertEquals(2, dev.lethe.util.Names.distance("simpno", "simnpo"));
        assertEquals(1, dev.lethe.util.Names.distance("npoo", "npo"));
    }
}
