package dev.lethe.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lethe.Lethe;
import dev.lethe.data.FictitiousFacts;
import dev.lethe.data.Split;
import dev.lethe.report.Klom;
import dev.lethe.eval.Suites;
import dev.lethe.model.GptConfig;
import dev.lethe.objective.DatamodelMatching;
import dev.lethe.objective.MatchLoss;
import dev.lethe.objective.Objective;
import dev.lethe.objective.Objectives;
import dev.lethe.optim.Optimizers;
import dev.lethe.result.RunEvent;
import dev.lethe.result.RunResult;
import dev.lethe.spec.Attribution;
import dev.lethe.spec.Evaluation;
import dev.lethe.spec.Recipe;
import dev.lethe.spec.Training;
import dev.lethe.spec.Unlearning;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attribute-to-Delete end to end on a tiny model (2 blocks of width 32, 8 people): oracle matching pulls the learned
 * model towards the reference, the attribute stage feeds datamodel matching (and is cached by content), KLoM reads
 * the runs' margins, and a missing reference or attribute stage is named.
 */
class AttributeToDeleteRunTest {
    private static final GptConfig SMALL = new GptConfig(0, 2, 32, 2, 32, 0f);
    private static final Evaluation EVALUATION = new Evaluation(List.of(Suites.answers(), Suites.margins()),
            List.of(Split.FORGET, Split.RETAIN));

    private static Recipe recipe(long seed, boolean attribute, Objective objective) {
        Lethe.RecipeStep r = Lethe.recipe("a2d").model(SMALL).data(new FictitiousFacts(8, 0.25, 2, 3, 2, 2))
                .learn(Training.of(80).batchSize(8)).reference();
        if (attribute) {
            r = r.attribute(Training.of(20).batchSize(8), 3);
        }
        return r.unlearn(Unlearning.of(objective).steps(15).batchSize(4).optimizer(Optimizers.adamW(3e-3)))
                .evaluate(EVALUATION).seed(seed).build();
    }

    @Test
    void oracleMatchingMovesTheModelTowardsTheReference() {
        RunResult r = Runner.of(recipe(3, false, Objectives.oracleMatching())).run();
        double learned = r.value("learned", Split.FORGET, "kl_to_reference");
        double unlearned = r.value("unlearned", Split.FORGET, "kl_to_reference");
        // measured (seed 3): forget 0.120 -> 0.080, retain 0.060 -> 0.070; 15 steps of a tiny model, 1:1 batches
        assertTrue(unlearned < 0.75 * learned, "forget kl_to_reference " + learned + " -> " + unlearned);
        double retain = r.value("unlearned", Split.RETAIN, "kl_to_reference");
        assertTrue(retain < learned, "retain stays closer to the reference than forget was: " + retain);
        assertEquals(6, r.perExample("unlearned", Split.FORGET, "margin").length, "2 forget people × 3 facts");
    }

    @Test
    void datamodelMatchingRunsOnTheAttributionWhichIsCachedByContent(@TempDir Path cache) throws Exception {
        Recipe recipe = recipe(3, true, Objectives.datamodelMatching());
        List<RunEvent> first = new ArrayList<>();
        RunResult a = Runner.of(recipe).cache(cache).listener(first::add).run();
        assertEquals(3, first.stream().filter(e -> e instanceof RunEvent.StageFinished f
                && f.stage().startsWith("attribute.subset")).count(), "three subset models trained");
        for (Split split : List.of(Split.FORGET, Split.RETAIN)) {
            double dmDirect = a.value("learned", split, "dm_direct_kl_to_reference");
            assertTrue(Double.isFinite(dmDirect) && dmDirect >= 0, split + ": " + dmDirect);
            assertTrue(Double.isFinite(a.value("unlearned", split, "kl_to_reference")));
        }
        try (var files = Files.list(cache)) {
            assertEquals(1, files.filter(f -> f.toString().endsWith(".shifts")).count());
        }
        List<RunEvent> second = new ArrayList<>();
        RunResult b = Runner.of(recipe).cache(cache).listener(second::add).run();
        assertTrue(second.stream().anyMatch(e -> e instanceof RunEvent.StageFinished f && f.stage().equals("attribute")
                && f.cached()), "the second run reads the attribution from the cache");
        assertTrue(second.stream().noneMatch(e -> e instanceof RunEvent.StageStarted s
                && s.stage().startsWith("attribute.subset")), "and trains no subset model");
        assertEquals(a.table().doubleColumn("value").asList(), b.table().doubleColumn("value").asList());
        // another multiplier changes the unlearning, not the attribution: still a cache hit
        List<RunEvent> third = new ArrayList<>();
        Runner.of(recipe(3, true, new DatamodelMatching(List.of(Split.FORGET, Split.RETAIN), MatchLoss.MSE, 0, 0.5)))
                .cache(cache).listener(third::add).run();
        assertTrue(third.stream().noneMatch(e -> e instanceof RunEvent.StageStarted s
                && s.stage().startsWith("attribute.subset")));
    }

    @Test
    void klomReadsTheMarginsOfSeveralRuns() {
        List<RunResult> runs = new ArrayList<>();
        for (long seed : new long[] {1, 2}) {
            runs.add(Runner.of(recipe(seed, false, Objectives.oracleMatching())).run());
        }
        double[] klom = Klom.of(runs, "unlearned", "reference", Split.FORGET);
        assertEquals(6, klom.length);
        for (double v : klom) {
            assertTrue(v >= 0 && v <= Math.log((1 + 1e-5) / 1e-5) + 1e-9, "KLoM " + v);
        }
        assertThrows(IllegalArgumentException.class, () -> Klom.of(runs, "unlearned", "nobody", Split.FORGET));
    }

    @Test
    void aMissingReferenceOrAttributionIsNamed() {
        Recipe noReference = Lethe.recipe("a2d").model(SMALL).data(new FictitiousFacts(8, 0.25, 2, 3, 2, 2))
                .learn(Training.of(5).batchSize(8))
                .unlearn(Unlearning.of(Objectives.oracleMatching()).steps(1).batchSize(4)).evaluate(EVALUATION).build();
        Exception e = assertThrows(RuntimeException.class, () -> Runner.of(noReference).run());
        assertTrue(messages(e).contains("add a reference stage"), messages(e));
        Recipe noAttribution = Lethe.recipe("a2d").model(SMALL).data(new FictitiousFacts(8, 0.25, 2, 3, 2, 2))
                .learn(Training.of(5).batchSize(8))
                .unlearn(Unlearning.of(Objectives.datamodelMatching()).steps(1).batchSize(4)).evaluate(EVALUATION)
                .build();
        e = assertThrows(RuntimeException.class, () -> Runner.of(noAttribution).run());
        assertTrue(messages(e).contains("add an attribute stage"), messages(e));
    }

    private static String messages(Throwable t) {
        StringBuilder b = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            b.append(c.getMessage()).append(" / ");
        }
        return b.toString();
    }

    @Test
    void subsetsAreDrawnFromTheSeedWithTheGivenFraction() {
        boolean[][] a = AttributeStage.draw("attribute", 42, 200, 10, 0.3, Attribution.Subsets.FIXED);
        boolean[][] b = AttributeStage.draw("attribute", 42, 200, 10, 0.3, Attribution.Subsets.FIXED);
        int kept = 0;
        for (int n = 0; n < 200; n++) {
            assertEquals(java.util.Arrays.toString(a[n]), java.util.Arrays.toString(b[n]));
            for (boolean k : a[n]) {
                kept += k ? 1 : 0;
            }
        }
        assertEquals(0.3, kept / 2000.0, 0.03);
        assertTrue(Attribution.of(Training.of(1), 2).models() == 2);
        // graded: evenly spread probabilities with the mean fraction, inside (0, 1)
        for (double fraction : new double[] {0.3, 0.5, 0.8}) {
            double sum = 0;
            for (int n = 0; n < 4; n++) {
                double p = AttributeStage.inclusion(n, 4, fraction);
                assertTrue(p > 0 && p < 1, "p " + p);
                sum += p;
            }
            assertEquals(fraction, sum / 4, 1e-12);
        }
        assertEquals(0.125, AttributeStage.inclusion(0, 4, 0.5), 1e-12);
        assertEquals(0.875, AttributeStage.inclusion(3, 4, 0.5), 1e-12);
    }
}
