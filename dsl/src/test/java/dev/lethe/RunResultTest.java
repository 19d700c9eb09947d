package dev.lethe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lethe.data.FictitiousFacts;
import dev.lethe.data.Split;
import dev.lethe.model.GptConfig;
import java.util.List;
import org.junit.jupiter.api.Test;
import tech.tablesaw.api.Table;

class RunResultTest {
    private static final Recipe RECIPE = Lethe.recipe("r").model(GptConfig.tiny())
            .data(new FictitiousFacts(8, 0.25, 2, 3, 2)).build();

    private static RunResult result() {
        return new RunResult(RECIPE, List.of(
                RunResult.Row.of("unlearned", "forget", "exact_match", 0.25),
                new RunResult.Row("unlearned", "unlearn", "forget", "exact_match", 1.0, 0),
                new RunResult.Row("unlearned", "unlearn", "forget", "exact_match", 0.75, 4),
                new RunResult.Row("unlearned", "unlearn", "forget", "exact_match", 0.25, 8),
                new RunResult.Row("unlearned", "unlearn", "retain", "exact_match", 1.0, 0),
                new RunResult.Row("unlearned", "unlearn", "retain", "exact_match", 0.5, 4),
                new RunResult.Row("unlearned", "unlearn", "retain", "exact_match", 0.625, 8),
                new RunResult.Row("unlearned", "unlearn", "retain", "nll", 0.5, 0),
                new RunResult.Row("unlearned", "unlearn", "retain", "nll", 2.0, 4),
                new RunResult.Row("unlearned", "unlearn", "retain", "nll", 1.5, 8)), List.of());
    }

    @Test
    void tableAndCsvHaveTidyColumnsWithStageAndStep() {
        RunResult r = result();
        Table t = r.table();
        assertEquals(List.of("model", "stage", "split", "metric", "value", "step"), t.columnNames());
        assertEquals(10, t.rowCount());
        String csv = r.csv();
        assertTrue(csv.startsWith("model,stage,split,metric,value,step\n"
                + "unlearned,evaluate,forget,exact_match,0.25,0\n"
                + "unlearned,unlearn,forget,exact_match,1.0,0\n"), csv);
    }

    @Test
    void finalValuesIgnoreCurvePoints() {
        RunResult r = result();
        assertEquals(0.25, r.value("unlearned", Split.FORGET, "exact_match"), 0.0);
        assertThrows(IllegalArgumentException.class, () -> r.value("unlearned", Split.RETAIN, "exact_match"),
                "a curve point is no final value");
        Table summary = r.summary();
        assertEquals(1, summary.rowCount());
    }

    @Test
    void tablesListTheTrainedModelsFirstThenTheAttackedOnes() {
        RunResult r = new RunResult(RECIPE, List.of(
                new RunResult.Row("unlearned+relearn", RunResult.ATTACK, "forget", "exact_match", 0.5, 0),
                RunResult.Row.of("unlearned+relearn", "forget+holdout", "mia_loss_auc", 0.6),
                RunResult.Row.of("unlearned", "forget", "exact_match", 0.0),
                RunResult.Row.of("learned", "forget", "exact_match", 1.0),
                RunResult.Row.of("reference", "forget+holdout", "mia_loss_auc", 0.5),
                RunResult.Row.of("learned", "forget+holdout", "mia_loss_auc", 0.9)), List.of());
        assertEquals(List.of("learned", "unlearned", "unlearned+relearn"),
                r.summary().stringColumn("model").asList());
        assertEquals(List.of("learned", "reference", "unlearned+relearn"),
                r.headline().stringColumn("model").asList());
    }

    @Test
    void curvesComeInStepOrderAndStabilityNamesTheWorstPoint() {
        RunResult r = result();
        assertEquals(List.of(0L, 4L, 8L), r.curve("unlearned", "unlearn", "forget", "exact_match").stream()
                .map(RunResult.Row::step).toList());
        assertTrue(r.curve("unlearned", "evaluate", "forget", "exact_match").isEmpty());
        Table s = r.stability();
        assertEquals(3, s.rowCount());
        // forget exact match: high is bad, so the worst is the max 1.0; final 0.25
        assertRow(s, 0, "forget", "exact_match", 0.25, 0.25, 1.0, 1.0, 0.75);
        // retain exact match: low is bad, so the worst is the min 0.5; final 0.625
        assertRow(s, 1, "retain", "exact_match", 0.625, 0.5, 1.0, 0.5, 0.125);
        // retain nll: a loss, high is bad: worst 2.0; final 1.5
        assertRow(s, 2, "retain", "nll", 1.5, 0.5, 2.0, 2.0, 0.5);
    }

    private static void assertRow(Table s, int i, String split, String metric, double last, double min, double max,
            double worst, double gap) {
        assertEquals(split, s.stringColumn("split").get(i));
        assertEquals(metric, s.stringColumn("metric").get(i));
        assertEquals(last, s.doubleColumn("final").get(i), 0.0);
        assertEquals(min, s.doubleColumn("min").get(i), 0.0);
        assertEquals(max, s.doubleColumn("max").get(i), 0.0);
        assertEquals(worst, s.doubleColumn("worst").get(i), 0.0);
        assertEquals(gap, s.doubleColumn("gap").get(i), 1e-15);
    }

    @Test
    void theDirectionRuleTreatsForgetKnowledgeAsBadAndDivergenceAsBadEverywhere() {
        assertTrue(RunResult.isWorseWhenHigher("forget", "exact_match"));
        assertFalse(RunResult.isWorseWhenHigher("retain", "rouge_l_recall"));
        assertFalse(RunResult.isWorseWhenHigher("forget", "nll"));
        assertTrue(RunResult.isWorseWhenHigher("world", "nll"));
        assertTrue(RunResult.isWorseWhenHigher("forget", "kl_to_reference"));
        assertTrue(RunResult.isWorseWhenHigher("retain", "kl_to_reference"));
    }
}
