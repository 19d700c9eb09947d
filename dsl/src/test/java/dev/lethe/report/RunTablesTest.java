package dev.lethe.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lethe.Lethe;
import dev.lethe.data.FictitiousFacts;
import dev.lethe.eval.AnswerSuite;
import dev.lethe.eval.CrossModelMetrics;
import dev.lethe.eval.Metric;
import dev.lethe.eval.PrivacySuite;
import dev.lethe.eval.ReferenceKl;
import dev.lethe.model.GptConfig;
import dev.lethe.result.RunResult;
import dev.lethe.result.RunResultTest;
import dev.lethe.spec.ModelRole;
import dev.lethe.spec.Recipe;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tech.tablesaw.api.Table;

class RunTablesTest {
    private static final Recipe RECIPE = Lethe.recipe("r").model(GptConfig.tiny())
            .data(new FictitiousFacts(8, 0.25, 2, 3, 2, 2)).build();
    private static final Map<String, Metric> METRICS = Metric.byName(List.of(AnswerSuite.EXACT_MATCH, AnswerSuite.NLL,
            CrossModelMetrics.MIA_AUC_LOSS));
    /** The models of these results with their roles, the trained ones in the order a run makes them. */
    private static final Map<String, ModelRole> ROLES = roles();

    private static Map<String, ModelRole> roles() {
        Map<String, ModelRole> m = new LinkedHashMap<>();
        m.put("learned", ModelRole.LEARNED);
        m.put("reference", ModelRole.REFERENCE);
        m.put("unlearned", ModelRole.UNLEARNED);
        for (String attacked : List.of("unlearned+relearn", "unlearned+quantize4", "learned+relearn", "ghost+relearn")) {
            m.put(attacked, ModelRole.ATTACKED);
        }
        return m;
    }

    /** A final value and curves of exact match and NLL during unlearning. */
    private static RunResult curves() {
        return RunResultTest.result();
    }

    @Test
    void theSummaryReadsFinalValuesOnly() {
        assertEquals(1, RunTables.summary(curves()).rowCount());
    }

    @Test
    void tablesListTheTrainedModelsFirstThenTheAttackedOnes() {
        RunResult r = new RunResult(RECIPE, List.of(
                new RunResult.Row("unlearned+relearn", RunResult.ATTACK, "forget", "exact_match", 0.5, 0),
                RunResult.Row.of("unlearned+relearn", "forget+holdout", "mia_auc_loss", 0.6),
                RunResult.Row.of("unlearned", "forget", "exact_match", 0.0),
                RunResult.Row.of("learned", "forget", "exact_match", 1.0),
                RunResult.Row.of("reference", "forget+holdout", "mia_auc_loss", 0.5),
                RunResult.Row.of("learned", "forget+holdout", "mia_auc_loss", 0.9)), List.of(), METRICS, ROLES);
        assertEquals(List.of("learned", "unlearned", "unlearned+relearn"),
                RunTables.summary(r).stringColumn("model").asList());
        assertEquals(List.of("learned", "reference", "unlearned+relearn"),
                RunTables.headline(r).stringColumn("model").asList());
    }

    @Test
    void stabilityNamesTheWorstPointByTheMetricsDirection() {
        Table s = RunTables.stability(curves());
        assertEquals(3, s.rowCount());
        // forget exact match: high is bad, so the worst is the max 1.0; final 0.25
        assertRow(s, 0, "forget", "exact_match", 0.25, 0.25, 1.0, 1.0, 0.75);
        // retain exact match: low is bad, so the worst is the min 0.5; final 0.625
        assertRow(s, 1, "retain", "exact_match", 0.625, 0.5, 1.0, 0.5, 0.125);
        // retain nll: a loss, high is bad: worst 2.0; final 1.5
        assertRow(s, 2, "retain", "nll", 1.5, 0.5, 2.0, 2.0, 0.5);
    }

    /**
     * Final values of the three trained models and two attacked ones (per-split, per-example, cross-split and
     * cross-model metrics, KL to the reference) and curves of unlearning and relearning.
     */
    private static RunResult pinned() {
        List<RunResult.Row> rows = new ArrayList<>();
        String[][] models = {{"learned", "0.05", "1.0"}, {"reference", "2.5", "0.0"}, {"unlearned", "4.25", "0.125"}};
        for (String[] m : models) {
            double nll = Double.parseDouble(m[1]);
            double em = Double.parseDouble(m[2]);
            rows.add(RunResult.Row.of(m[0], "forget", "nll", nll));
            rows.add(RunResult.Row.of(m[0], "forget", "exact_match", em));
            rows.add(RunResult.Row.of(m[0], "forget", "mia_loss", nll + 0.5));
            rows.add(RunResult.Row.of(m[0], "retain", "nll", 0.0625));
            rows.add(RunResult.Row.of(m[0], "retain", "exact_match", 0.96875));
            rows.add(RunResult.Row.of(m[0], "retain", "mia_loss", 0.5625));
            if (!m[0].equals("reference")) {
                rows.add(RunResult.Row.of(m[0], "forget", "kl_to_reference", nll / 3));
                rows.add(RunResult.Row.of(m[0], "retain", "kl_to_reference", 0.01));
            }
        }
        for (String[] a : new String[][] {{"relearn", "0.75", "0.5"}, {"quantize4", "4.5", "0.0"}}) {
            String model = "unlearned+" + a[0];
            rows.add(new RunResult.Row(model, "attack", "forget", "nll", Double.parseDouble(a[1]), 0));
            rows.add(new RunResult.Row(model, "attack", "forget", "exact_match", Double.parseDouble(a[2]), 0));
            rows.add(new RunResult.Row(model, "attack", "retain", "nll", 0.125, 0));
            rows.add(new RunResult.Row(model, "attack", "retain", "exact_match", 0.9375, 0));
        }
        for (String model : new String[] {"unlearned+relearn", "unlearned+quantize4", "learned", "reference", "unlearned"}) {
            double fq = model.equals("reference") ? 1.0 : model.equals("unlearned") ? 0.25 : 0.001;
            rows.add(RunResult.Row.of(model, "forget", "forget_quality", fq));
            rows.add(RunResult.Row.of(model, "forget+holdout", "mia_auc_loss", 0.5 + fq / 4));
            rows.add(RunResult.Row.of(model, "retain+world", "model_utility", 0.75 - fq / 8));
        }
        for (String model : new String[] {"unlearned+relearn", "learned", "reference", "unlearned"}) {
            rows.add(RunResult.Row.of(model, "forget+holdout", "privleak", model.equals("learned") ? 80.0 : -12.5));
        }
        double[] forgetNll = {0.05, 3.0, 5.5, 4.25};
        double[] retainEm = {0.96875, 0.5, 0.8125, 0.96875};
        long[] steps = {0, 10, 20, 25};
        for (int i = 0; i < steps.length; i++) {
            rows.add(new RunResult.Row("unlearned", "unlearn", "forget", "nll", forgetNll[i], steps[i]));
            rows.add(new RunResult.Row("unlearned", "unlearn", "retain", "exact_match", retainEm[i], steps[i]));
            rows.add(new RunResult.Row("unlearned", "unlearn", "forget", "exact_match", 1.0 - i / 4.0, steps[i]));
        }
        rows.add(new RunResult.Row("unlearned+relearn", "attack.relearn", "forget", "nll", 4.25, 0));
        rows.add(new RunResult.Row("unlearned+relearn", "attack.relearn", "forget", "nll", 0.75, 5));
        Recipe recipe = Lethe.recipe("pinned").model(GptConfig.tiny()).data(FictitiousFacts.of(4, 0.25)).build();
        return new RunResult(recipe, rows, List.of(), Metric.byName(List.of(AnswerSuite.NLL, AnswerSuite.EXACT_MATCH,
                PrivacySuite.LOSS, ReferenceKl.KL_TO_REFERENCE, CrossModelMetrics.FORGET_QUALITY,
                CrossModelMetrics.MIA_AUC_LOSS, CrossModelMetrics.MODEL_UTILITY, CrossModelMetrics.PRIVLEAK)), ROLES);
    }

    /**
     * The printed tables, byte for byte as {@code RunResult.summary()}, {@code headline()}, {@code attackDeltas()}
     * (with the recipe's attacks relearn and quantize4) and {@code stability()} printed them before they moved
     * here, so a refactor cannot change what the CLI and the README show without this test saying so.
     */
    @Test
    void thePrintedTablesStayAsTheyWere() throws IOException {
        RunResult r = pinned();
        String printed = RunTables.summary(r).printAll() + "\n" + RunTables.headline(r).printAll() + "\n"
                + RunTables.attackDeltas(r).printAll() + "\n" + RunTables.stability(r).printAll() + "\n";
        try (InputStream in = RunTablesTest.class.getResourceAsStream("run-tables.txt")) {
            assertEquals(new String(in.readAllBytes(), StandardCharsets.UTF_8), printed);
        }
    }

    @Test
    void attackedModelsAreFoundInTheRowsInTheOrderTheyCame() {
        Table d = RunTables.attackDeltas(pinned());
        assertEquals("pinned (attacks on unlearned)", d.name());
        assertEquals(List.of("relearn", "quantize4"), List.copyOf(new LinkedHashSet<>(d.stringColumn("attack").asList())));
        assertEquals(8 + 7, d.rowCount(), "every final value of each attacked model, cross-model ones included");
    }

    @Test
    void aMetricOnlyTheAttackedModelHasIsAMissingChangeNotACrash() {
        // e.g. an attack stage after the last evaluation: the attacked model is measured where its target was not
        RunResult r = new RunResult(pinned().recipe(), List.of(
                RunResult.Row.of("unlearned", "forget", "nll", 3.0),
                new RunResult.Row("unlearned+relearn", RunResult.ATTACK, "forget", "nll", 1.0, 0),
                new RunResult.Row("unlearned+relearn", RunResult.ATTACK, "retain", "nll", 2.0, 0)), List.of(),
                Metric.byName(List.of(AnswerSuite.NLL)), ROLES);
        Table bars = Plots.attackDeltas(r, "nll");
        assertEquals(-2.0, bars.doubleColumn("forget").getDouble(0));
        assertTrue(Double.isNaN(bars.doubleColumn("retain").getDouble(0)), "no retain value before the attack");
        assertTrue(Plots.attackDeltasPlot(r, "nll").asJavascript("a").contains("relearn"));
    }

    @Test
    void withSeveralTargetsTheAttackColumnNamesTheAttackedModel() {
        RunResult r = new RunResult(pinned().recipe(), List.of(
                RunResult.Row.of("learned", "forget", "nll", 0.5),
                RunResult.Row.of("unlearned", "forget", "nll", 3.0),
                new RunResult.Row("learned+relearn", RunResult.ATTACK, "forget", "nll", 0.25, 0),
                new RunResult.Row("unlearned+relearn", RunResult.ATTACK, "forget", "nll", 1.0, 0),
                new RunResult.Row("ghost+relearn", RunResult.ATTACK, "forget", "nll", 1.0, 0)), List.of(),
                Metric.byName(List.of(AnswerSuite.NLL)), ROLES);
        Table d = RunTables.attackDeltas(r);
        assertEquals("pinned (attacks on learned, unlearned)", d.name());
        assertEquals(List.of("learned+relearn", "unlearned+relearn"), d.stringColumn("attack").asList(),
                "ghost has no values of its own, so ghost+relearn is no attacked model");
        assertEquals(List.of(-0.25, -2.0), d.doubleColumn("delta").asList());
        assertEquals(0, RunTables.attackDeltas(curves()).rowCount());
        RunResult unlisted = new RunResult(r.recipe(), r.rows(), List.of(), Metric.byName(List.of(AnswerSuite.NLL)),
                Map.of("learned", ModelRole.LEARNED, "unlearned", ModelRole.UNLEARNED));
        assertEquals(0, RunTables.attackDeltas(unlisted).rowCount(), "a model is attacked by its role, not its name");
    }

    @Test
    void theWorstPointOfACurveFollowsTheDirectionNotTheName() {
        // truth ratio: higher is better on every split (on forget too, where 1 means the answer is forgotten)
        Metric truthRatio = dev.lethe.eval.TofuSuite.TRUTH_RATIO;
        RunResult r = new RunResult(pinned().recipe(), List.of(
                new RunResult.Row("unlearned", "unlearn", "forget", "truth_ratio", 0.5, 0),
                new RunResult.Row("unlearned", "unlearn", "forget", "truth_ratio", 0.25, 1),
                new RunResult.Row("unlearned", "unlearn", "forget", "truth_ratio", 0.875, 2)), List.of(),
                Metric.byName(List.of(truthRatio)), ROLES);
        Table s = RunTables.stability(r);
        assertEquals(0.25, s.doubleColumn("worst").get(0), 0.0);
        assertEquals(0.625, s.doubleColumn("gap").get(0), 0.0);
    }

    /**
     * De Lange et al.'s min-ACC and WC-ACC on a hand-computed trace of three tasks (learn, then two sequential
     * unlearning requests), retain exact match every 2 steps:
     * <pre>
     *   task 1 learned/learn              0: 0.0  2: 0.5  4: 0.9    final 0.9
     *   task 2 unlearned/unlearn.request1 0: 0.9  2: 0.6  4: 0.8    final 0.8
     *   task 3 unlearned/unlearn.request2 0: 0.8  2: 0.7  4: 0.75   final 0.75
     * </pre>
     * k = 1: min-ACC undefined, WC-ACC = 0.9. k = 2: the worst retain point after task 1 is 0.6, so min-ACC = 0.6
     * and WC-ACC = ½·0.8 + ½·0.6 = 0.7. k = 3: after task 1 the worst is 0.6, after task 2 it is 0.7, min-ACC =
     * 0.65, WC-ACC = ⅓·0.75 + ⅔·0.65 = 0.68333…. The step-0 points repeat the previous task's end (f_{|T_i|}) and
     * do not count: forget exact match during task 2 (0: 1.0, 2: 0.4, 4: 0.1), where high is worse, has min-ACC =
     * 0.4 (not the step-0 1.0) and WC-ACC = ½·0.1 + ½·0.4 = 0.25. The reference's and an attacked copy's
     * curves are not tasks of the pipeline.
     */
    @Test
    void continualGivesDeLangesMinAccAndWorstCaseAccuracyOverThePipeline() {
        List<RunResult.Row> rows = new ArrayList<>();
        double[][] retain = {{0.0, 0.5, 0.9}, {0.9, 0.6, 0.8}, {0.8, 0.7, 0.75}};
        String[][] tasks = {{"learned", "learn"}, {"unlearned", "unlearn.request1"}, {"unlearned", "unlearn.request2"}};
        for (int t = 0; t < 3; t++) {
            if (t == 1) {
                rows.add(new RunResult.Row("reference", "reference", "retain", "exact_match", 0.0, 2));
            }
            for (int p = 0; p < 3; p++) {
                rows.add(new RunResult.Row(tasks[t][0], tasks[t][1], "retain", "exact_match", retain[t][p], 2L * p));
            }
        }
        double[] forget = {1.0, 0.4, 0.1};
        for (int p = 0; p < 3; p++) {
            rows.add(new RunResult.Row("unlearned", "unlearn.request1", "forget", "exact_match", forget[p], 2L * p));
        }
        rows.add(new RunResult.Row("unlearned+relearn", "attack.relearn", "retain", "exact_match", 0.0, 2));
        RunResult r = new RunResult(RECIPE, rows, List.of(), METRICS, ROLES);
        Table c = RunTables.continual(r);
        assertEquals(4, c.rowCount(), c.printAll());
        assertEquals(List.of(1, 2, 2, 3), c.intColumn("task").asList());
        assertEquals(List.of("learn", "unlearn.request1", "unlearn.request1", "unlearn.request2"),
                c.stringColumn("stage").asList());
        assertEquals(List.of("retain", "retain", "forget", "retain"), c.stringColumn("split").asList());
        assertEquals(0.9, c.doubleColumn("final").get(0), 0.0);
        assertTrue(c.doubleColumn("min_acc").isMissing(0), "no earlier task: NaN, which a table shows as missing");
        assertEquals(0.9, c.doubleColumn("wc_acc").get(0), 0.0);
        assertEquals(0.6, c.doubleColumn("min_acc").get(1), 1e-15);
        assertEquals(0.7, c.doubleColumn("wc_acc").get(1), 1e-15);
        assertEquals(0.4, c.doubleColumn("min_acc").get(2), 1e-15);
        assertEquals(0.25, c.doubleColumn("wc_acc").get(2), 1e-15);
        assertEquals(0.75, c.doubleColumn("final").get(3), 0.0);
        assertEquals(0.65, c.doubleColumn("min_acc").get(3), 1e-15);
        assertEquals(0.75 / 3 + 2 * 0.65 / 3, c.doubleColumn("wc_acc").get(3), 1e-15);
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
}
