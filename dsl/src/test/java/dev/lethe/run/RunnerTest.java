package dev.lethe.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import dev.lethe.Lethe;
import dev.lethe.data.FictitiousFacts;
import dev.lethe.data.Split;
import dev.lethe.eval.ModelUtility;
import dev.lethe.model.GptConfig;
import dev.lethe.model.Scalars;
import dev.lethe.objective.Flat;
import dev.lethe.objective.Objective;
import dev.lethe.objective.Objectives;
import dev.lethe.objective.Rmu;
import dev.lethe.optim.Optimizers;
import dev.lethe.optim.Schedules;
import dev.lethe.result.RunEvent;
import dev.lethe.result.RunResult;
import dev.lethe.spec.Recipe;
import dev.lethe.spec.Training;
import dev.lethe.spec.Unlearning;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RunnerTest {
    private static final GptConfig SMALL = new GptConfig(0, 2, 32, 2, 32, 0f);

    private static Recipe small(long learnSteps, Unlearning unlearning) {
        return Lethe.recipe("small")
                .model(SMALL)
                .data(new FictitiousFacts(8, 0.25, 2, 3, 2, 2))
                .learn(Training.of(learnSteps).batchSize(8))
                .reference()
                .unlearn(unlearning)
                .seed(5)
                .build();
    }

    @Test
    void sameRecipeAndSeedGiveBitIdenticalTablesEvenUnderGarbageCollection() {
        Recipe recipe = small(60, Unlearning.of(Objectives.npo()).steps(10).batchSize(4));
        List<Double> lossesA = new ArrayList<>();
        List<Double> lossesB = new ArrayList<>();
        RunResult a = Runner.of(recipe).listener(e -> record(e, lossesA)).run();
        RunResult b = Runner.of(recipe).listener(e -> record(e, lossesB)).run();
        assertEquals(lossesA, lossesB);
        assertEquals(a.table().toString(), b.table().toString());
        assertEquals(a.table().doubleColumn("value").asList(), b.table().doubleColumn("value").asList());
        assertEquals(1.0, a.value("reference", Split.FORGET, "forget_quality"), 0.0,
                "the reference's truth ratios against themselves");
        assertTrue(a.value("learned", Split.FORGET, "forget_quality") < 1.0);
        for (String model : List.of("learned", "reference", "unlearned")) {
            // MUSE's AUC (holdout positive) is 1 − mia_auc_min_k (forget positive)
            double museAuc = 1 - a.value(model, "forget+holdout", "mia_auc_min_k");
            double referenceAuc = 1 - a.value("reference", "forget+holdout", "mia_auc_min_k");
            assertEquals(100 * (museAuc - referenceAuc) / referenceAuc, a.value(model, "forget+holdout", "privleak"),
                    1e-9);
            // TOFU's model utility is the harmonic mean of the nine numbers the tofu suite reported
            double inverse = 0;
            boolean zero = false;
            for (Split s : ModelUtility.SPLITS) {
                for (String metric : List.of("tofu_probability", "rouge_l_recall", "truth_ratio")) {
                    double part = a.value(model, s, metric);
                    assertTrue(part >= 0 && part <= 1, model + " " + s.id() + " " + metric + " " + part);
                    zero |= part == 0;
                    inverse += 1 / part;
                }
            }
            double utility = a.value(model, "retain+real_authors+world", "model_utility");
            assertEquals(zero ? 0 : 9 / inverse, utility, 1e-12, model);
        }
    }

    private static void record(RunEvent e, List<Double> losses) {
        if (e instanceof RunEvent.Progress p && !Double.isNaN(p.loss())) {
            losses.add(p.loss());
            System.gc(); // frees any buffer that a native tensor still points to: the bug Scalars avoids
        }
    }

    @Test
    void aNanLossStopsTheStageWithAReason() {
        Unlearning poisoned = Unlearning.of(step -> {
            NDArray nll = step.scores(Split.FORGET).meanNll().mean();
            return step.index() == 2 ? Scalars.times(nll, Double.NaN) : nll;
        }).steps(10).batchSize(2);
        List<RunEvent> events = new ArrayList<>();
        RunResult result = Runner.of(small(5, poisoned)).listener(events::add).run();
        assertEquals(1, result.stopReasons().size(), result.stopReasons().toString());
        assertTrue(result.stopReasons().get(0).startsWith("unlearn: loss became NaN at step 3; the weights are those after step 2"),
                result.stopReasons().toString());
        RunEvent.StageFinished finished = events.stream().filter(e -> e instanceof RunEvent.StageFinished f
                && f.stage().equals("unlearn")).map(RunEvent.StageFinished.class::cast).findFirst().orElseThrow();
        assertEquals(2, finished.stepsDone());
        assertFalse(Double.isNaN(result.value("unlearned", Split.FORGET, "nll")), "weights are the last good ones");
    }

    @Test
    void gradientAscentRaisesForgetNllOfTheLearnedModel() {
        RunResult r = Lethe.run(small(150, Unlearning.of(Objectives.gradientAscent()).steps(15).batchSize(4)), e -> { });
        assertTrue(r.value("learned", Split.FORGET, "nll") < r.value("reference", Split.FORGET, "nll"),
                "the learned model knows the forget split better than the reference");
        double learned = r.value("learned", Split.FORGET, "nll");
        double unlearned = r.value("unlearned", Split.FORGET, "nll");
        assertTrue(unlearned > learned + 1, "forget NLL " + learned + " -> " + unlearned);
    }

    @Test
    void theModelCacheReusesTrainedWeights(@TempDir Path dir) throws Exception {
        Recipe recipe = small(20, Unlearning.of(Objectives.npo()).steps(2));
        RunResult first = Runner.of(recipe).cache(dir).run();
        try (var files = Files.list(dir)) {
            assertEquals(2, files.count(), "learned and reference are stored");
        }
        List<RunEvent> events = new ArrayList<>();
        RunResult second = Runner.of(recipe).cache(dir).listener(events::add).run();
        assertTrue(events.stream().anyMatch(e -> e instanceof RunEvent.StageFinished f && f.stage().equals("learn")
                && f.cached()));
        assertEquals(first.table().doubleColumn("value").asList(), second.table().doubleColumn("value").asList());
    }

    static Stream<Arguments> newObjectives() {
        Rmu rmu = Objectives.rmu(1, 2.0, 10, 0);
        return Stream.of(
                row("SimNPO", Objectives.simNpo()),
                row("KL retain", Objectives.klRetain()),
                row("inverted hinge", Objectives.invertedHinge()),
                row("CATNIP-style", Objectives.catnipStyle()),
                row("IdK", Objectives.idk()),
                row("DPO", Objectives.dpo()),
                row("FLAT TV", Objectives.flat()),
                row("FLAT KL", Objectives.flat(Flat.Divergence.KL)),
                row("FLAT JS", Objectives.flat(Flat.Divergence.JENSEN_SHANNON)),
                row("FLAT Pearson", Objectives.flat(Flat.Divergence.PEARSON)),
                row("NPO + KL retain", Objectives.npo().plus(Objectives.klRetain())),
                row("IdK + KL retain", Objectives.idk().plus(Objectives.klRetain())),
                // the small model has 2 blocks: steer block 1's output, update only h.0's MLP down-projection
                Arguments.of("RMU layer 1, only its MLP trainable", Unlearning.of(rmu)
                        .optimizer(Optimizers.onlyLayers(Unlearning.of(rmu).optimizer(), Rmu.trainableParameters(1)))),
                row("NPO + scheduled NLL(retain)", Objectives.npo().plus(Objectives.nll().times(Schedules.linearDecay(1)))));
    }

    private static Arguments row(String name, Objective objective) {
        return Arguments.of(name, Unlearning.of(objective));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("newObjectives")
    void eachNewObjectiveRunsThreeUnlearningStepsWithFiniteLosses(String name, Unlearning unlearning) {
        List<RunEvent> events = new ArrayList<>();
        RunResult r = Runner.of(small(10, unlearning.steps(3).batchSize(4))).listener(events::add).run();
        assertTrue(r.stopReasons().isEmpty(), name + ": " + r.stopReasons());
        RunEvent.StageFinished finished = events.stream().filter(e -> e instanceof RunEvent.StageFinished f
                && f.stage().equals("unlearn")).map(RunEvent.StageFinished.class::cast).findFirst().orElseThrow();
        assertEquals(3, finished.stepsDone(), name);
        List<Double> losses = events.stream().filter(e -> e instanceof RunEvent.Progress p && p.stage().equals("unlearn"))
                .map(e -> ((RunEvent.Progress) e).loss()).toList();
        assertEquals(3, losses.size(), name);
        assertTrue(losses.stream().allMatch(Double::isFinite), name + ": " + losses);
        assertTrue(Double.isFinite(r.value("unlearned", Split.FORGET, "nll")), name);
    }
}
