package dev.lethe.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lethe.Lethe;
import dev.lethe.attack.Attacks;
import dev.lethe.data.FictitiousFacts;
import dev.lethe.data.Split;
import dev.lethe.eval.Suites;
import dev.lethe.model.GptConfig;
import dev.lethe.result.RunEvent;
import dev.lethe.result.RunResult;
import dev.lethe.spec.Evaluation;
import dev.lethe.spec.GuardIt;
import dev.lethe.spec.Recipe;
import dev.lethe.spec.Training;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GUARD-IT (arXiv 2605.12765) end to end on the built-in benchmark: no training, forget exact match falls and retain
 * exact match holds better; the int4-quantized and the relearned copies keep the steering; the bank is checkpointed
 * and comes back when the run is restored; the recipe round-trips through YAML.
 */
class GuardItRunTest {
    private static final Recipe RECIPE = Lethe.recipe("guard-it")
            .model(new GptConfig(0, 2, 64, 2, 32, 0f))
            .data(FictitiousFacts.of(30, 0.2))
            .learn(Training.of(400))
            .guardIt(GuardIt.defaults().withLayer(1).withThreshold(0.9).withStrength(-10))
            .attack(Attacks.quantize(4))
            .attack(Attacks.relearn(10, 5, 1e-3))
            .evaluate(new Evaluation(List.of(Suites.answers()), List.of(Split.FORGET, Split.RETAIN, Split.WORLD)))
            .seed(42)
            .build();

    @Test
    void forgetExactMatchDropsRetainHoldsAndTheBankSurvivesAttacksAndRestore(@TempDir Path dir) {
        List<RunEvent.SteeringFitted> fitted = new ArrayList<>();
        RunResult run = Runner.of(RECIPE).checkpoints(dir, 0).listener(e -> {
            if (e instanceof RunEvent.SteeringFitted f) {
                fitted.add(f);
            }
        }).run();
        double forgetBefore = run.value("learned", Split.FORGET, "exact_match");
        double forgetAfter = run.value("unlearned", Split.FORGET, "exact_match");
        double retainBefore = run.value("learned", Split.RETAIN, "exact_match");
        double retainAfter = run.value("unlearned", Split.RETAIN, "exact_match");
        System.out.printf("GUARD-IT forget EM %.3f -> %.3f, retain EM %.3f -> %.3f, world %.3f -> %.3f%n",
                forgetBefore, forgetAfter, retainBefore, retainAfter, run.value("learned", Split.WORLD, "exact_match"),
                run.value("unlearned", Split.WORLD, "exact_match"));
        assertTrue(forgetBefore - forgetAfter > 0.3, "forget EM " + forgetBefore + " -> " + forgetAfter);
        assertTrue(retainBefore - retainAfter < (forgetBefore - forgetAfter) / 2,
                "retain EM " + retainBefore + " -> " + retainAfter);
        assertEquals(1, fitted.size());
        assertTrue(fitted.get(0).clusters() >= 2 && fitted.get(0).layer() == 1, fitted.toString());
        double quantized = attacked(run, "quantize");
        double relearned = attacked(run, "relearn");
        System.out.printf("GUARD-IT under int4: forget EM %.3f; after relearning: %.3f%n", quantized, relearned);
        assertTrue(quantized < forgetBefore - 0.2, "int4 keeps the steering: " + quantized);

        List<RunEvent.SteeringFitted> replayed = new ArrayList<>();
        RunResult restored = Runner.of(RECIPE).restoreFrom(dir).listener(e -> {
            if (e instanceof RunEvent.SteeringFitted f) {
                replayed.add(f);
            }
        }).run();
        assertEquals(List.of(), replayed, "the bank is loaded from the checkpoint, not fitted again");
        assertEquals(forgetAfter, restored.value("unlearned", Split.FORGET, "exact_match"), 0.0);
        assertEquals(retainAfter, restored.value("unlearned", Split.RETAIN, "exact_match"), 0.0);
    }

    @Test
    void recipeRoundTripsThroughYaml() {
        String yaml = Lethe.toYaml(RECIPE);
        assertTrue(yaml.contains("guard_it"), yaml);
        assertEquals(RECIPE, Lethe.fromYaml(yaml));
        Recipe sequential = Lethe.recipe("seq").model(GptConfig.tiny()).data(FictitiousFacts.of(10, 0.2))
                .guardIt(GuardIt.defaults().withRequests(2).withLayer(GuardIt.MIDDLE)).build();
        assertEquals(sequential, Lethe.fromYaml(Lethe.toYaml(sequential)));
        assertTrue(Lethe.toYaml(sequential).contains("layer: middle"), Lethe.toYaml(sequential));
    }

    @Test
    void aSteeredModelCannotBeSavedAsAFolder() {
        assertThrows(IllegalArgumentException.class, () -> Lethe.recipe("s").model(GptConfig.tiny())
                .data(FictitiousFacts.of(10, 0.2)).guardIt(GuardIt.defaults()).save("folder").build());
    }

    @Test
    void theModelCacheKeysOnTheSteeringToo() {
        try (dev.lethe.model.CausalLm model = dev.lethe.model.CausalLm.initialize(new GptConfig(20, 1, 8, 2, 8, 0f), 1,
                ai.djl.Device.cpu())) {
            String plain = ContentHash.weights(model);
            float[] w = {1, 0, 0, 0, 0, 0, 0, 0};
            model.setSteering(new dev.lethe.model.GatedSteering(1, 0.5, -0.3, 8,
                    List.of(new dev.lethe.model.GatedSteering.Entry(0, w, w, w))));
            assertTrue(!plain.equals(ContentHash.weights(model)), "a finetune under steering is another training");
        }
    }

    private static double attacked(RunResult run, String attack) {
        return run.rows().stream().filter(r -> r.model().startsWith("unlearned+") && r.model().contains(attack)
                        && r.split().equals(Split.FORGET.id()) && r.metric().equals("exact_match"))
                .mapToDouble(RunResult.Row::value).findFirst().orElseThrow(() -> new AssertionError(
                        "no attacked row for " + attack + " in " + run.rows().stream().map(RunResult.Row::model)
                                .distinct().toList()));
    }
}
