package dev.lethe.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lethe.Lethe;
import dev.lethe.data.FictitiousFacts;
import dev.lethe.data.Split;
import dev.lethe.eval.Suites;
import dev.lethe.model.GptConfig;
import dev.lethe.objective.Objectives;
import dev.lethe.optim.Optimizers;
import dev.lethe.result.RunEvent;
import dev.lethe.result.RunResult;
import dev.lethe.spec.Evaluation;
import dev.lethe.spec.Recipe;
import dev.lethe.spec.Training;
import dev.lethe.spec.Unlearning;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Gradient ascent's loss grows without bound; a divergence bound stops it with the last good weights. */
class DivergenceGuardTest {

    private static Recipe ascent(Unlearning unlearning) {
        return Lethe.recipe("diverging").model(new GptConfig(0, 2, 32, 2, 32, 0f))
                .data(new FictitiousFacts(8, 0.25, 2, 3, 2, 2))
                .learn(Training.of(60).batchSize(8))
                .unlearn(unlearning)
                .evaluate(new Evaluation(List.of(Suites.answers()), List.of(Split.FORGET)))
                .seed(9)
                .build();
    }

    @Test
    void aLossPastTheBoundStopsTheStageWithTheWeightsOfTheLastGoodStep() {
        Unlearning bounded = Unlearning.of(Objectives.gradientAscent()).optimizer(Optimizers.adamW(1e-2)).steps(60)
                .batchSize(4).divergeAbove(8);
        RunResult stopped = Runner.of(ascent(bounded)).run();

        List<String> reasons = stopped.stopReasons();
        assertEquals(1, reasons.size(), reasons.toString());
        assertTrue(reasons.get(0).startsWith("unlearn: loss -") && reasons.get(0).contains("divergence bound 8.0"),
                reasons.get(0));
        long done = stopped.events().stream().filter(e -> e instanceof RunEvent.StageFinished f
                && f.stage().equals("unlearn")).mapToLong(e -> ((RunEvent.StageFinished) e).stepsDone()).sum();
        assertTrue(done > 0 && done < 60, "stopped part-way: " + done);
        tech.tablesaw.api.Table stages = stopped.stages();
        assertEquals(List.of("learn", "unlearn", "evaluate"), stages.stringColumn("stage").asList());
        assertEquals(done, stages.longColumn("steps_done").get(1));
        assertEquals(reasons.get(0), "unlearn: " + stages.stringColumn("stop_reason").get(1));
        assertEquals("", stages.stringColumn("stop_reason").get(0));

        // the same recipe asked for exactly the steps that were taken ends with the same model
        RunResult exact = Runner.of(ascent(bounded.steps(done).divergeAbove(Double.POSITIVE_INFINITY))).run();
        assertEquals(exact.value("unlearned", Split.FORGET, "nll"), stopped.value("unlearned", Split.FORGET, "nll"));
        assertTrue(exact.stopReasons().isEmpty());
    }

    @Test
    void theBoundIsPartOfTheRecipeFile() {
        Recipe r = ascent(Unlearning.of(Objectives.npo()).divergeAbove(50));
        assertTrue(Lethe.toYaml(r).contains("diverge_above: 50.0"), Lethe.toYaml(r));
        assertEquals(r, Lethe.fromYaml(Lethe.toYaml(r)));
        Recipe unbounded = ascent(Unlearning.of(Objectives.npo()));
        assertTrue(!Lethe.toYaml(unbounded).contains("diverge_above"), Lethe.toYaml(unbounded));
        assertEquals(unbounded, Lethe.fromYaml(Lethe.toYaml(unbounded)));
    }
}
