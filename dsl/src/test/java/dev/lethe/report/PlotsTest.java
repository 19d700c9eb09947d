package dev.lethe.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lethe.Lethe;
import dev.lethe.attack.Attacks;
import dev.lethe.data.FictitiousFacts;
import dev.lethe.data.Split;
import dev.lethe.model.GptConfig;
import dev.lethe.objective.Objectives;
import dev.lethe.result.RunResult;
import dev.lethe.spec.Recipe;
import dev.lethe.spec.Training;
import dev.lethe.spec.Unlearning;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tech.tablesaw.api.Table;

class PlotsTest {
    private static RunResult three;
    private static RunResult six;

    private static Recipe recipe(long unlearnSteps) {
        return Lethe.recipe("plots")
                .model(new GptConfig(0, 1, 16, 2, 32, 0f))
                .data(new FictitiousFacts(6, 0.34, 2, 2, 1, 1))
                .learn(Training.of(12).batchSize(4))
                .reference()
                .unlearn(Unlearning.of(Objectives.gradientAscent()).steps(unlearnSteps).batchSize(2))
                .attack(Attacks.quantize(4))
                .build();
    }

    @BeforeAll
    static void run() {
        three = Lethe.run(recipe(3), e -> { });
        six = Lethe.run(recipe(6), e -> { });
    }

    @Test
    void rocCurvesRunFromOriginToOneAndTheirAreaIsTheRunsAuc() {
        Table roc = Plots.rocCurves(three, "mia_min_k");
        for (String model : List.of("learned", "reference", "unlearned", "unlearned+quantize4")) {
            Table m = roc.where(roc.stringColumn("model").isEqualTo(model));
            assertTrue(m.rowCount() >= 2, model);
            assertEquals(0.0, m.doubleColumn("fpr").get(0));
            assertEquals(0.0, m.doubleColumn("tpr").get(0));
            assertEquals(1.0, m.doubleColumn("fpr").get(m.rowCount() - 1));
            assertEquals(1.0, m.doubleColumn("tpr").get(m.rowCount() - 1));
            double area = 0;
            for (int i = 1; i < m.rowCount(); i++) {
                area += (m.doubleColumn("fpr").get(i) - m.doubleColumn("fpr").get(i - 1))
                        * (m.doubleColumn("tpr").get(i) + m.doubleColumn("tpr").get(i - 1)) / 2;
            }
            assertEquals(three.value(model, "forget+holdout", "mia_auc_min_k"), area, 1e-12, model);
        }
        assertEquals(2, roc.where(roc.stringColumn("model").isEqualTo("chance")).rowCount());
        assertEquals(4, three.perExample("unlearned", Split.FORGET, "mia_min_k").length, "two forget people × 2 facts");
    }

    @Test
    void attackDeltasAreAttackedMinusUnlearnedPerSplit() {
        Table t = Plots.attackDeltas(three, "nll");
        assertEquals(List.of("quantize4"), t.stringColumn("attack").asList());
        for (Split s : List.of(Split.FORGET, Split.RETAIN)) {
            double expected = three.value("unlearned+quantize4", s, "nll") - three.value("unlearned", s, "nll");
            assertEquals(expected, t.doubleColumn(s.id()).get(0), 1e-12);
        }
        assertEquals(0, Plots.attackDeltas(three, "no_such_metric").rowCount());
    }

    @Test
    void metricOverStepsSortsRunsByUnlearningStepsAndKeepsTheUnlearnedModel() {
        Table t = Plots.metricOverSteps(List.of(six, three), "nll");
        assertEquals(3, t.intColumn("steps").get(0));
        assertEquals(6, t.intColumn("steps").get(t.rowCount() - 1));
        Table forget = t.where(t.stringColumn("split").isEqualTo("forget"));
        assertEquals(List.of(three.value("unlearned", Split.FORGET, "nll"), six.value("unlearned", Split.FORGET, "nll")),
                forget.doubleColumn("value").asList());
        Recipe none = Lethe.recipe("x").model(new GptConfig(0, 1, 16, 2, 32, 0f)).data(FictitiousFacts.of(4, 0.25)).build();
        RunResult noUnlearning = new RunResult(none, List.of(), List.of(), Map.of(), Map.of());
        assertThrows(IllegalArgumentException.class, () -> Plots.metricOverSteps(List.of(noUnlearning), "nll"));
    }

    @Test
    void methodTradeoffHasTheAnchorsOnceAndOnePointPerMethod() {
        Map<String, RunResult> runs = new LinkedHashMap<>();
        runs.put("GA 3", three);
        runs.put("GA 6", six);
        Table t = Plots.methodTradeoff(runs, "exact_match");
        assertEquals(List.of("learned", "reference", "GA 3", "GA 6"), t.stringColumn("label").asList());
        assertEquals(six.value("unlearned", Split.FORGET, "exact_match"), t.doubleColumn("forget").get(3));
        assertEquals(three.value("reference", Split.RETAIN, "exact_match"), t.doubleColumn("retain").get(1));
        assertTrue(Plots.methodTradeoffPlot(runs, "exact_match").asJavascript("m").contains("GA 6"));
        assertTrue(Plots.attackDeltasPlot(three, "nll").asJavascript("a").contains("quantize4"));
        assertTrue(Plots.metricCurves(List.of(three, six), "nll").asJavascript("c").contains("Plotly.newPlot"));
    }
}
