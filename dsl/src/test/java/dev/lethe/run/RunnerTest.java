package dev.lethe.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import dev.lethe.Lethe;
import dev.lethe.Recipe;
import dev.lethe.RunResult;
import dev.lethe.Training;
import dev.lethe.Unlearning;
import dev.lethe.data.FictitiousFacts;
import dev.lethe.data.Split;
import dev.lethe.model.GptConfig;
import dev.lethe.model.Scalars;
import dev.lethe.objective.Objectives;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunnerTest {
    private static final GptConfig SMALL = new GptConfig(0, 2, 32, 2, 32, 0f);

    private static Recipe small(long learnSteps, Unlearning unlearning) {
        return Lethe.recipe("small")
                .model(SMALL)
                .data(new FictitiousFacts(8, 0.25, 2, 3, 2))
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
        assertEquals(3 * 4 * 4, a.table().rowCount(), "3 models x 4 splits x 4 metrics");
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
        RunResult r = small(150, Unlearning.of(Objectives.gradientAscent()).steps(15).batchSize(4)).run(e -> { });
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
}
