package dev.lethe.result;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lethe.Lethe;
import dev.lethe.data.FictitiousFacts;
import dev.lethe.data.Split;
import dev.lethe.eval.AnswerSuite;
import dev.lethe.eval.Metric;
import dev.lethe.model.GptConfig;
import dev.lethe.spec.ModelRole;
import dev.lethe.spec.Recipe;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tech.tablesaw.api.Table;

public class RunResultTest {
    private static final Recipe RECIPE = Lethe.recipe("r").model(GptConfig.tiny())
            .data(new FictitiousFacts(8, 0.25, 2, 3, 2, 2)).build();
    private static final Map<String, Metric> METRICS = Metric.byName(List.of(AnswerSuite.EXACT_MATCH, AnswerSuite.NLL));

    /** A final value and curves of exact match and NLL during unlearning (also the report tables' fixture). */
    public static RunResult result() {
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
                new RunResult.Row("unlearned", "unlearn", "retain", "nll", 1.5, 8)), List.of(), METRICS, Map.of("unlearned", ModelRole.UNLEARNED));
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
    }

    @Test
    void curvesComeInStepOrder() {
        RunResult r = result();
        assertEquals(List.of(0L, 4L, 8L), r.curve("unlearned", "unlearn", "forget", "exact_match").stream()
                .map(RunResult.Row::step).toList());
        assertTrue(r.curve("unlearned", "evaluate", "forget", "exact_match").isEmpty());
    }

    @Test
    void eachMetricNameLeadsToItsDeclaredMetric() {
        RunResult r = result();
        assertEquals(AnswerSuite.NLL, r.metric("nll"));
        assertEquals(List.of("exact_match", "nll"), List.copyOf(r.metrics().keySet()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> r.metric("rouge_l_recall"));
        assertTrue(e.getMessage().contains("rouge_l_recall") && e.getMessage().contains("[exact_match, nll]"),
                e.getMessage());
    }

    @Test
    void aMisspeltMetricModelOrSplitGetsADidYouMeanAndWhatExists() {
        RunResult r = result();
        IllegalArgumentException metric = assertThrows(IllegalArgumentException.class,
                () -> r.value("unlearned", "forget", "exactmatch"));
        assertEquals("no metric 'exactmatch' for unlearned on forget; did you mean 'exact_match'? "
                + "Final values of unlearned on forget: [exact_match]", metric.getMessage());
        IllegalArgumentException model = assertThrows(IllegalArgumentException.class,
                () -> r.value("unlearn", "forget", "exact_match"));
        assertEquals("no model 'unlearn' with final values; did you mean 'unlearned'? Models with final values: "
                + "[unlearned]", model.getMessage());
        IllegalArgumentException split = assertThrows(IllegalArgumentException.class,
                () -> r.value("unlearned", "forgte", "exact_match"));
        assertEquals("no split 'forgte' with final values of unlearned; did you mean 'forget'? Its splits: [forget]",
                split.getMessage());
    }
}
