package dev.lethe.recipe;

import static dev.lethe.objective.Objectives.gradientAscent;
import static dev.lethe.objective.Objectives.klRetain;
import static dev.lethe.objective.Objectives.nll;
import static dev.lethe.objective.Objectives.npo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lethe.Lethe;
import dev.lethe.attack.Attacks;
import dev.lethe.data.FictitiousFacts;
import dev.lethe.data.JsonlData;
import dev.lethe.data.Split;
import dev.lethe.eval.Suites;
import dev.lethe.model.GptConfig;
import dev.lethe.objective.NamedObjective;
import dev.lethe.objective.Objective;
import dev.lethe.objective.Objectives;
import dev.lethe.optim.FirstOrder;
import dev.lethe.optim.Hybrid;
import dev.lethe.optim.Optimizers;
import dev.lethe.optim.Sam;
import dev.lethe.optim.Schedules;
import dev.lethe.optim.Spsa;
import dev.lethe.part.Kind;
import dev.lethe.part.Param;
import dev.lethe.part.ParamTypes;
import dev.lethe.spec.Evaluation;
import dev.lethe.spec.Recipe;
import dev.lethe.spec.Training;
import dev.lethe.spec.Unlearning;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RecipeCodecTest {

    /** A recipe with a part of every slot and every combinator. */
    static Recipe everything() {
        return Lethe.recipe("everything")
                .model(new GptConfig(0, 2, 32, 2, 32, 0.1f))
                .data(new FictitiousFacts(8, 0.25, 2, 3, 2, 2))
                .learn(Training.of(60).batchSize(8))
                .reference(new Training(40, 8, Optimizers.sam(Schedules.warmupCosine(1e-3, 4), 0.05, 0.01)))
                .unlearn(new Unlearning(npo(0.2).plus(nll(Split.RETAIN, Split.WORLD).times(0.5))
                        .plus(klRetain().times(Schedules.warmupLinearDecay(1, 10)))
                        .plus(gradientAscent().on(Split.HOLDOUT).times(-1e-4)),
                        Optimizers.onlyLayers(Optimizers.signum(Schedules.rewarm(1e-3, 1e-5, 2, 3), 0.9), "h.1.mlp.*"),
                        7, 4))
                .evaluate(new Evaluation(List.of(Suites.answers(), Suites.tofu()), List.of(Split.FORGET, Split.WORLD)))
                .attack(Attacks.quantize(4)).attack(Attacks.relearn(5, 2, 1e-3)).attack(Attacks.jailbreak("Say: \"yes\"\n#1"))
                .attack(Attacks.paraphrase()).attack(Attacks.prune(0.3))
                .seed(-7).device("gpu:1").build();
    }

    @Test
    void aRecipeWithEveryKindOfPartRoundTripsAndItsTextIsStable() {
        Recipe r = everything();
        String yaml = Lethe.toYaml(r);
        Recipe back = Lethe.fromYaml(yaml);
        assertEquals(r, back, yaml);
        assertEquals(yaml, Lethe.toYaml(back));
    }

    @Test
    void everyBuiltInObjectiveEstimatorAndScheduleRoundTrips() {
        List<dev.lethe.objective.Objective> objectives = List.of(Objectives.gradDiff(0.5), Objectives.simNpo(3, 0.5),
                Objectives.idk(), Objectives.dpo(0.3), Objectives.flat(dev.lethe.objective.Flat.Divergence.PEARSON),
                Objectives.invertedHinge(), Objectives.catnipStyle(0.2, 2), Objectives.rmu(),
                Objectives.rmu(2, 3, 50, 9), npo().plus(npo().plus(npo())));
        for (var o : objectives) {
            for (var opt : List.of(Optimizers.zerothOrder(1e-3, 1e-3, 2), Optimizers.hybridMix(1e-3, 0.3),
                    Optimizers.hybridAlternating(1e-3, 4), Optimizers.signAdam(Schedules.refined(1, new double[] {1, 2, 3})),
                    Optimizers.chain(Sam.adaptive(new Spsa(), 1, 0.01)),
                    Optimizers.chain(Hybrid.mix(new FirstOrder(), new Spsa(1e-2, 3, false), 1)))) {
                Recipe r = Lethe.recipe("r").model(GptConfig.tiny()).data(new JsonlData(Path.of("data/tofu")))
                        .unlearn(Unlearning.of(o).optimizer(opt)).build();
                assertEquals(r, Lethe.fromYaml(Lethe.toYaml(r)), Lethe.toYaml(r));
            }
        }
    }

    @Test
    void everyObjectiveNamedAloneReadsAsItsKindsDefaults() {
        Map<String, Kind<?>> kinds = PartRegistry.standard().kinds(Objective.SLOT);
        for (Kind<? extends Objective> kind : Objectives.KINDS) {
            assertEquals(kind, kinds.get(kind.name()));
            if (kind.params().stream().anyMatch(Param::required)) {
                continue;
            }
            assertEquals(kind.defaults(), Lethe.fromYaml("name: o\nmodel: gpt\ndata: fictitious_facts\n"
                    + "stages: [{unlearn: {objective: " + kind.name() + "}}]\n").first(Unlearning.class).objective(), kind.name());
        }
        assertEquals(List.of("plus", "times", "combined"), Objectives.KINDS.stream().filter(k -> k.params().stream()
                .anyMatch(Param::required)).map(Kind::name).toList(), "only the combinators need parameters");
    }

    @Test
    void jsonIsAcceptedToo() {
        Recipe r = Lethe.fromYaml("{\"name\": \"j\", \"model\": \"gpt\", \"data\": {\"fictitious_facts\": {\"people\": 10}},"
                + " \"stages\": [{\"unlearn\": {\"objective\": {\"npo\": {\"beta\": 0.3}}}}]}");
        assertEquals(new FictitiousFacts(10, 0.1, 5, 6, 15, 10), r.data());
        assertEquals(npo(0.3), r.first(Unlearning.class).objective());
        assertEquals(GptConfig.tiny(), r.model());
    }

    @Test
    void customObjectivesRegisterAKindAndRoundTrip() {
        Kind<NamedObjective> doubleNpo = NamedObjective.kind("double_npo", "NPO twice",
                List.of(Param.of("beta", ParamTypes.real(ParamTypes.Range.positive()), 0.1, "β")),
                a -> npo(a.real("beta")).times(2));
        RecipeCodec codec = new RecipeCodec(PartRegistry.standard().add(Objective.SLOT, doubleNpo));
        String text = "name: c\nmodel: gpt\ndata: fictitious_facts\nstages:\n- unlearn:\n    objective:\n      plus:\n"
                + "        - double_npo: {beta: 0.5}\n        - nll\n";
        Recipe r = codec.read(text, "c.yaml");
        NamedObjective named = (NamedObjective) ((Objective.Sum) r.first(Unlearning.class).objective()).first();
        assertEquals("double_npo", named.name());
        assertEquals(npo(0.5).times(2), named.objective());
        assertEquals(doubleNpo.create(Map.of("beta", 0.5)), named, "the DSL makes the same objective");
        assertEquals(r, codec.read(codec.write(r), "again"));
        RecipeException e = assertThrows(RecipeException.class, () -> codec.read(text.replace("double_npo", "double_np"),
                "c.yaml"));
        assertTrue(e.getMessage().contains("did you mean 'double_npo'"), e.getMessage());
        RecipeException range = assertThrows(RecipeException.class, () -> codec.read(text.replace("0.5", "-1"),
                "c.yaml"));
        assertTrue(range.getMessage().contains("stages[0].unlearn.objective.plus[0].double_npo.beta: expected a number > 0"),
                range.getMessage());
        assertThrows(RecipeException.class, () -> Lethe.fromYaml(text), "the standard parts do not know it");
        IllegalArgumentException unwritable = assertThrows(IllegalArgumentException.class, () -> Lethe.toYaml(r));
        assertTrue(unwritable.getMessage().contains("NamedObjective.kind"), unwritable.getMessage());
    }

    @Test
    void everyProblemIsReportedWithLineFieldAndSuggestion() {
        String text = """
                name: bad
                seed: 1.5
                model:
                  gpt: {layers: 0, widht: 64}
                data: fictitious_facts
                stages:
                  - unlearn:
                      objective:
                        plus:
                          - npo
                          - npo: {beta: -1}
                      stpes: 3
                  - attack:
                      attacks:
                        - quantise: {bits: 4}
                """;
        RecipeException e = assertThrows(RecipeException.class, () -> RecipeCodec.standard().read(text, "bad.yaml"));
        String m = e.getMessage();
        assertEquals(6, e.problems().size(), m);
        assertTrue(m.contains("bad.yaml:2:7: seed: expected an integer, got 1.5"), m);
        assertTrue(m.contains("bad.yaml:4:17: model.gpt.layers: expected an integer >= 1, got 0"), m);
        assertTrue(m.contains("model.gpt.widht: unknown key 'widht' in gpt; did you mean 'width'?"), m);
        assertTrue(m.contains(":11:25: stages[0].unlearn.objective.plus[1].npo.beta: expected a number > 0, got -1"), m);
        assertTrue(m.contains(":12:7: stages[0].unlearn.stpes: unknown key 'stpes' in unlearn; did you mean 'steps'?"), m);
        assertTrue(m.contains(":15:11: stages[1].attack.attacks[0]: unknown attack 'quantise'; did you mean 'quantize'?"), m);
    }

    @Test
    void missingPartsAndBrokenSyntaxAreProblemsNotCrashes() {
        RecipeException missing = assertThrows(RecipeException.class, () -> Lethe.fromYaml("seed: 3\n"));
        assertEquals(4, missing.problems().size(), missing.getMessage());
        assertTrue(missing.getMessage().contains("missing key 'model'"), missing.getMessage());
        assertTrue(missing.getMessage().contains("missing key 'stages'"), missing.getMessage());
        RecipeException syntax = assertThrows(RecipeException.class, () -> Lethe.fromYaml("name: [x\nmodel: gpt\n"));
        assertTrue(syntax.getMessage().contains("not valid YAML"), syntax.getMessage());
        RecipeException empty = assertThrows(RecipeException.class, () -> Lethe.fromYaml(""));
        assertTrue(empty.getMessage().contains("empty"), empty.getMessage());
    }
}
