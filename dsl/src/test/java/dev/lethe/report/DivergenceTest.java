package dev.lethe.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lethe.Quickstart;
import dev.lethe.eval.AnswerSuite;
import dev.lethe.eval.Metric;
import dev.lethe.result.RunResult;
import dev.lethe.result.RunResult.Row;
import dev.lethe.spec.ModelRole;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tech.tablesaw.api.Table;

class DivergenceTest {
    /** A run whose unlearn stage measured forget probability {@code values} at steps 0, 10, 20, ... */
    private static RunResult run(double... values) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < values.length; i++) {
            rows.add(new Row("unlearned", "unlearn", "forget", "probability", values[i], 10L * i));
            rows.add(new Row("unlearned", "unlearn", "retain", "probability", 0.5, 10L * i));
        }
        rows.add(Row.of("unlearned", "forget", "probability", 99)); // a final value: not a curve point
        return new RunResult(Quickstart.recipe(), rows, List.of(), Metric.byName(List.of(AnswerSuite.PROBABILITY)),
                Map.of("unlearned", ModelRole.UNLEARNED));
    }

    private static Map<String, RunResult> paths(RunResult... runs) {
        Map<String, RunResult> out = new LinkedHashMap<>();
        for (int i = 0; i < runs.length; i++) {
            out.put("path" + (i + 1), runs[i]);
        }
        return out;
    }

    /**
     * By hand: three paths at steps 0, 10, 20 (the third stops after step 20, so step 30 is not common):
     * spreads max − min = 0.9 − 0.7 = 0.2, 0.6 − 0.2 = 0.4, 0.5 − 0.1 = 0.4; mean 1.0/3, max 0.4.
     */
    @Test
    void theSpreadAtEachCommonStepIsTheLargestMinusTheSmallestValueAcrossPaths() {
        Divergence d = Divergence.of(paths(run(0.9, 0.6, 0.1, 0.0), run(0.8, 0.2, 0.5, 0.1), run(0.7, 0.3, 0.3)),
                "unlearn", "forget", "probability");
        assertEquals(3, d.points());
        assertEquals(0.2, d.start(), 1e-12);
        assertEquals(0.4, d.end(), 1e-12);
        assertEquals(1.0 / 3, d.mean(), 1e-12);
        assertEquals(0.4, d.max(), 1e-12);
        assertEquals(new Divergence(3, 0, 0, 0, 0),
                Divergence.of(paths(run(1, 2, 3), run(1, 2, 3)), "unlearn", "retain", "probability"));
    }

    /**
     * By hand, two seeds of two paths: seed 1 spreads |0.9 − 0.8| = 0.1, |0.6 − 0.2| = 0.4 (start 0.1, end 0.4, mean
     * 0.25, max 0.4); seed 2 spreads 0.3, 0.0 (start 0.3, end 0, mean 0.15, max 0.3). Over seeds: start 0.2 ± sd
     * √((0.1² + 0.1²)/1) = √0.02; end 0.2 ± √0.08; mean 0.2 ± √0.005; max 0.35 ± √0.005. Final values: path1
     * (0.6 + 0.4)/2 = 0.5, path2 (0.2 + 0.4)/2 = 0.3.
     */
    @Test
    void theTableAveragesTheSummariesOverSeedsWithTheirSampleStandardDeviation() {
        Table t = Divergence.table(List.of(paths(run(0.9, 0.6), run(0.8, 0.2)), paths(run(0.7, 0.4), run(1.0, 0.4))),
                "unlearn", List.of(List.of("forget", "probability")));
        assertEquals(1, t.rowCount());
        assertEquals(2, t.intColumn("seeds").get(0));
        assertEquals(0.5, t.doubleColumn("final path1").get(0), 1e-12);
        assertEquals(0.3, t.doubleColumn("final path2").get(0), 1e-12);
        assertEquals(0.2, t.doubleColumn("start spread").get(0), 1e-12);
        assertEquals(Math.sqrt(0.02), t.doubleColumn("start sd").get(0), 1e-12);
        assertEquals(0.2, t.doubleColumn("end spread").get(0), 1e-12);
        assertEquals(Math.sqrt(0.08), t.doubleColumn("end sd").get(0), 1e-12);
        assertEquals(0.2, t.doubleColumn("mean spread").get(0), 1e-12);
        assertEquals(Math.sqrt(0.005), t.doubleColumn("mean sd").get(0), 1e-12);
        assertEquals(0.35, t.doubleColumn("max spread").get(0), 1e-12);
        assertEquals(Math.sqrt(0.005), t.doubleColumn("max sd").get(0), 1e-12);
    }

    @Test
    void oneSeedHasNoStandardDeviationAndMissingCurvesOrPathsAreRefusedByName() {
        Table one = Divergence.table(List.of(paths(run(0.9), run(0.8))), "unlearn", List.of(List.of("forget", "probability")));
        assertTrue(one.doubleColumn("end sd").isMissing(0), "NaN, a missing cell");
        IllegalArgumentException single = assertThrows(IllegalArgumentException.class,
                () -> Divergence.of(paths(run(0.9)), "unlearn", "forget", "probability"));
        assertTrue(single.getMessage().contains("at least two paths"), single.getMessage());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> Divergence.of(paths(run(0.9), run(0.8)), "unlearn", "world", "probability"));
        assertTrue(missing.getMessage().contains("no continual points of probability on world during unlearn"),
                missing.getMessage());
        IllegalArgumentException other = assertThrows(IllegalArgumentException.class, () -> Divergence.table(
                List.of(paths(run(0.9), run(0.8)), Map.of("path1", run(0.9), "elsewhere", run(0.8))), "unlearn",
                List.of(List.of("forget", "probability"))));
        assertTrue(other.getMessage().contains("every seed needs the paths [path1, path2]"), other.getMessage());
    }

    @Test
    void theTrajectoryPlotDrawsOneLinePerRunInOnePanelPerSplit() {
        PlotlyFigure f = Plots.trajectoryPlot(paths(run(0.9, 0.6), run(0.8, 0.2)), "unlearn", "probability");
        String json = f.json();
        assertEquals(4, f.data().size(), json);
        assertTrue(json.contains("step of unlearn on forget") && json.contains("step of unlearn on retain"), json);
        for (int i = 0; i < 4; i++) { // path1 forget, path2 forget, path1 retain, path2 retain
            assertEquals(i < 2, f.data().get(i).get("showlegend").asBoolean(), "one legend entry per run: " + i);
            assertEquals(f.data().get(i % 2).get("line").get("color"), f.data().get(i).get("line").get("color"),
                    "one colour per run in every panel");
        }
        assertThrows(IllegalArgumentException.class, () -> Plots.trajectoryPlot(paths(run(0.9)), "learn", "nll"));
    }
}
