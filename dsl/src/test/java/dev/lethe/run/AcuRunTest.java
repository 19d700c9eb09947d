package dev.lethe.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import dev.lethe.Lethe;
import dev.lethe.data.Split;
import dev.lethe.model.AnalyticHead;
import dev.lethe.model.CausalLm;
import dev.lethe.model.GptConfig;
import dev.lethe.model.RecursiveRidge;
import dev.lethe.result.RunEvent;
import dev.lethe.result.RunResult;
import dev.lethe.spec.AcuLearning;
import dev.lethe.spec.AcuUnlearning;
import dev.lethe.spec.Recipe;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ACU's stages on the built-in benchmark (arXiv 2505.12239): a tiny model learned by gradient, an analytic head
 * fitted on forget ∪ retain ∪ world ∪ real authors, then the forget split forgotten in two exact requests. The
 * unlearned head is the head fitted from scratch without the forget split (to 1e-6), the forget split's accuracy
 * drops while the retain split's holds, and a run resumed from its checkpoints ends with the same numbers.
 */
class AcuRunTest {
    private static final String TINY = """
            model:
              gpt: {layers: 2, width: 32, heads: 2, context_length: 32}
            data:
              fictitious_facts: {people: 8, forget_fraction: 0.25, holdout_people: 2, facts_per_person: 3, world_countries: 2, real_authors: 2}
            """;

    /**
     * Learn by gradient, fit the analytic head, forget in two requests, save, evaluate before and after, and attack
     * the unlearned model as any other (int4 weights with the same head; a relearning fine-tune through the head).
     */
    static final String ACU = "name: acu\n" + TINY + """
            stages:
              - learn: {steps: 300, batch_size: 8}
              - acu_learn: {}
              - evaluate: {suites: [answers], splits: [forget, retain]}
              - acu_unlearn: {requests: 2}
              - save: {file: unlearned.safetensors}
              - evaluate: {suites: [answers], splits: [forget, retain]}
              - attack:
                  attacks:
                    - quantize: {bits: 4}
                    - relearn: {steps: 5, examples: 2, lr: 1.0e-3}
            """;

    /** The same learned model, the head fitted on the retained splits only. */
    static final String RETAIN_ONLY = "name: acu-retain\n" + TINY + """
            stages:
              - learn: {steps: 300, batch_size: 8}
              - acu_learn: {splits: [retain, world, real_authors]}
              - save: {file: retained.safetensors}
            """;

    private static RunResult result;
    private static Path dir;
    /** A model cache of this class's own: the learned model is trained once, then loaded. */
    private static Path cache;

    @BeforeAll
    static void run(@TempDir Path folder) {
        dir = folder;
        cache = folder.resolve("cache");
        result = Runner.of(Lethe.fromYaml(ACU)).cache(cache).saveTo(folder).run();
        Runner.of(Lethe.fromYaml(RETAIN_ONLY)).cache(cache).saveTo(folder).run();
    }

    /** Continual learning in two stages (the retained splits, then the forget split), then one forget request. */
    static final String TWO_STAGES = "name: acu-two-stages\n" + TINY + """
            stages:
              - learn: {steps: 300, batch_size: 8}
              - acu_learn: {splits: [retain, world, real_authors]}
              - acu_learn: {splits: [forget]}
              - acu_unlearn: {}
              - save: {file: two-stages.safetensors}
            """;

    @Test
    void theUnlearnedHeadIsTheHeadFittedFromScratchWithoutTheForgetSplit() {
        assertSameHead(dir.resolve("unlearned.safetensors"), dir.resolve("retained.safetensors"));
    }

    @Test
    void aHeadLearnedInTwoStagesThenForgottenIsTheRetainOnlyHeadToo(@TempDir Path out) {
        Runner.of(Lethe.fromYaml(TWO_STAGES)).cache(cache).saveTo(out).run();
        assertSameHead(out.resolve("two-stages.safetensors"), dir.resolve("retained.safetensors"));
        // a later acu_learn must keep the head's settings
        Recipe other = Lethe.fromYaml(TWO_STAGES).withStage("acu_learn-2", AcuLearning.defaults().withExpansion(64)
                .withSplits(Split.FORGET));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Runner.of(other).cache(cache).saveTo(out).run());
        assertEquals("stage acu_learn-2 goes on learning with the current model's analytic head (layer 2, expansion "
                + "512, gamma 0.1, scale 10.0), but asks for layer 2, expansion 64, gamma 0.1, scale 10.0: give it the "
                + "head's settings", e.getMessage());
    }

    /** The heads in the saved files {@code first} and {@code second} agree to 1e-6. */
    private static void assertSameHead(Path first, Path second) {
        GptConfig spec = new GptConfig(0, 2, 32, 2, 32, 0f);
        {
            var tokenizer = Lethe.fromYaml(ACU).data().load(Seeds.derive(42, Runner.DATA_STREAM)).fitTokenizer();
            GptConfig sized = spec.withVocabSize(tokenizer.vocabSize());
            try (CausalLm unlearned = CausalLm.load(first, sized, Device.cpu());
                    CausalLm retained = CausalLm.load(second, sized, Device.cpu())) {
                AnalyticHead a = unlearned.head();
                AnalyticHead b = retained.head();
                assertEquals(b.members(), a.members());
                RecursiveRidge ra = a.ridge();
                RecursiveRidge rb = b.ridge();
                double worstR = 0;
                double[] ar = ra.r();
                double[] br = rb.r();
                for (int i = 0; i < ar.length; i++) {
                    worstR = Math.max(worstR, Math.abs(ar[i] - br[i]));
                }
                assertTrue(worstR < 1e-6, "R differs by " + worstR);
                // every column of W: the retain-only head's, or 0 for a token only the forget split has
                int d = ra.dim();
                int ka = ra.tokens().length;
                int kb = rb.tokens().length;
                double[] aw = ra.w();
                double[] bw = rb.w();
                double worstW = 0;
                for (int c = 0; c < ka; c++) {
                    int cb = rb.column(ra.tokens()[c]);
                    for (int i = 0; i < d; i++) {
                        double expected = cb < 0 ? 0 : bw[i * kb + cb];
                        worstW = Math.max(worstW, Math.abs(aw[i * ka + c] - expected));
                    }
                }
                System.out.printf("ACU head vs retain-only head: max |ΔR| %.3g, max |ΔW| %.3g (%d examples, %d target "
                        + "tokens, D = %d)%n", worstR, worstW, b.members(), ka, d);
                assertTrue(worstW < 1e-6, "W differs by " + worstW);
            }
        }
    }

    @Test
    void theForgetSplitsAccuracyDropsWhileTheRetainSplitsHolds() {
        double forgetBefore = result.value("learned-2", Split.FORGET, "token_accuracy");
        double forgetAfter = result.value("unlearned", Split.FORGET, "token_accuracy");
        double retainBefore = result.value("learned-2", Split.RETAIN, "token_accuracy");
        double retainAfter = result.value("unlearned", Split.RETAIN, "token_accuracy");
        System.out.printf("ACU token accuracy: forget %.4f -> %.4f, retain %.4f -> %.4f; exact match forget %.4f -> %.4f,"
                        + " retain %.4f -> %.4f; learned (LM head) forget %.4f retain %.4f%n",
                forgetBefore, forgetAfter, retainBefore, retainAfter,
                result.value("learned-2", Split.FORGET, "exact_match"), result.value("unlearned", Split.FORGET, "exact_match"),
                result.value("learned-2", Split.RETAIN, "exact_match"), result.value("unlearned", Split.RETAIN, "exact_match"),
                result.value("learned", Split.FORGET, "token_accuracy"), result.value("learned", Split.RETAIN, "token_accuracy"));
        assertTrue(forgetBefore > 0.9, "the head fits what it learned: " + forgetBefore);
        assertTrue(forgetAfter < forgetBefore - 0.3, "forget accuracy " + forgetBefore + " -> " + forgetAfter);
        assertTrue(retainAfter > retainBefore - 0.05, "retain accuracy " + retainBefore + " -> " + retainAfter);
        assertTrue(result.value("unlearned", Split.FORGET, "exact_match") < 0.2, "forget answers still reproduced");
        double quantized = result.value("unlearned+quantize4", Split.FORGET, "token_accuracy");
        double relearned = result.value("unlearned+relearn", Split.FORGET, "token_accuracy");
        System.out.printf("ACU under attack: forget token accuracy int4 %.4f, relearned %.4f%n", quantized, relearned);
        // each request was evaluated: the curve holds both
        assertTrue(result.rows().stream().anyMatch(r -> r.stage().equals("acu_unlearn.request1")));
        assertTrue(result.rows().stream().anyMatch(r -> r.stage().equals("acu_unlearn.request2")));
    }

    @Test
    void aRunResumedAfterTheFirstRequestEndsWithTheSameNumbers(@TempDir Path checkpoints, @TempDir Path out) {
        Runner crashing = Runner.of(Lethe.fromYaml(ACU)).cache(cache).saveTo(out).checkpoints(checkpoints, 0).listener(e -> {
            if (e instanceof RunEvent.CheckpointWritten w && w.stage().equals("acu_unlearn.request1")) {
                throw new CheckpointResumeTest.Crash(w.stage());
            }
        });
        assertThrows(CheckpointResumeTest.Crash.class, crashing::run);
        List<RunEvent> events = new ArrayList<>();
        RunResult resumed = Runner.of(Lethe.fromYaml(ACU)).cache(cache).saveTo(out).checkpoints(checkpoints, 0)
                .listener(events::add).run();
        assertEquals(result.csv(), resumed.csv());
        // the head and the first request came from the checkpoints, the second request ran
        assertTrue(events.stream().anyMatch(e -> e instanceof RunEvent.StageFinished f && f.stage().equals("acu_learn")
                && f.cached()));
        assertTrue(events.stream().anyMatch(e -> e instanceof RunEvent.StageFinished f
                && f.stage().equals("acu_unlearn.request2") && !f.cached()));
    }

    @Test
    void theStagesRoundTripThroughYamlAndTheDsl() {
        Recipe read = Lethe.fromYaml(ACU);
        assertEquals(read, Lethe.fromYaml(Lethe.toYaml(read)));
        Recipe built = Lethe.recipe("acu").model(GptConfig.tiny()).data(Lethe.fictitiousFacts(8, 0.25))
                .learn(Lethe.training(30))
                .acuLearn(AcuLearning.defaults().withLayer(1).withExpansion(64).withGamma(0.5).withScale(4)
                        .withSplits(Split.FORGET, Split.RETAIN))
                .acuUnlearn(3)
                .build();
        String yaml = Lethe.toYaml(built);
        assertTrue(yaml.contains("acu_learn"), yaml);
        assertEquals(built, Lethe.fromYaml(yaml));
        assertEquals(new AcuUnlearning(3), built.stages().get(2));
    }

    @Test
    void anExpansionTooLargeForTheHeapIsRefusedBeforeTheRun() {
        Recipe big = Lethe.fromYaml(ACU).withStage("acu_learn", AcuLearning.defaults().withExpansion(4096));
        Preflight.requireAnalyticFits(big, 300L << 20);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Preflight.requireAnalyticFits(big, 200L << 20));
        assertEquals("stage acu_learn: expansion 4096 needs about 256.0 MiB of Java heap for the analytic head (R, "
                + "expansion × expansion float64, old and new during an update), and the heap holds at most 200.0 MiB: "
                + "make the expansion smaller, or give the JVM more (-Xmx)", e.getMessage());
    }

    @Test
    void forgettingWithoutAnAnalyticHeadIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Lethe.recipe("acu")
                .model(GptConfig.tiny()).data(Lethe.fictitiousFacts(8, 0.25)).learn(Lethe.training(3)).acuUnlearn(1)
                .build());
        assertTrue(e.getMessage().contains("add acu_learn before acu_unlearn"), e.getMessage());
    }
}
