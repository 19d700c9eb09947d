package dev.lethe.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lethe.Quickstart;
import dev.lethe.eval.AnswerSuite;
import dev.lethe.eval.CrossModelMetrics;
import dev.lethe.eval.Metric;
import dev.lethe.eval.ModelUtility;
import dev.lethe.eval.TofuSuite;
import dev.lethe.result.RunResult;
import dev.lethe.spec.ModelRole;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The headline a terminal shows after the quickstart, on the quickstart's numbers (README, seed 42). */
class ConsoleSummaryTest {
    private static RunResult quickstartLike() {
        Map<String, ModelRole> roles = new LinkedHashMap<>();
        roles.put("learned", ModelRole.LEARNED);
        roles.put("reference", ModelRole.REFERENCE);
        roles.put("unlearned", ModelRole.UNLEARNED);
        roles.put("unlearned+quantize4", ModelRole.ATTACKED);
        roles.put("unlearned+relearn", ModelRole.ATTACKED);
        List<RunResult.Row> rows = new ArrayList<>();
        double[][] em = {{1, 1, 1}, {0.1, 1, 1}, {0, 1, 1}, {0, 1, 1}, {0.26666666666666666, 1, 1}};
        double[] forgetNll = {0.0038, 3.3267, 23.677, 23.61, 3.9671};
        double[] quality = {1.0e-15, 1.0, 9.2e-11, 9.2e-11, 0.0012};
        double[] utility = {0.9896, 0.9892, 0.9914, 0.9913, 0.98};
        double[] privleak = {107.85, 0, -100, -100, -20.5};
        int i = 0;
        for (String model : roles.keySet()) {
            List<String> splits = List.of("forget", "retain", "world");
            for (int s = 0; s < 3; s++) {
                rows.add(RunResult.Row.of(model, splits.get(s), "exact_match", em[i][s]));
                rows.add(RunResult.Row.of(model, splits.get(s), "nll", s == 0 ? forgetNll[i] : 0.004));
                rows.add(RunResult.Row.of(model, splits.get(s), "kl_to_reference", 3.8726));
            }
            rows.add(RunResult.Row.of(model, "forget", "forget_quality", quality[i]));
            rows.add(RunResult.Row.of(model, ModelUtility.SPAN, "model_utility", utility[i]));
            rows.add(RunResult.Row.of(model, "forget+holdout", "privleak", privleak[i]));
            i++;
        }
        return new RunResult(Quickstart.recipe(), rows, List.of(), Metric.byName(List.of(AnswerSuite.EXACT_MATCH,
                AnswerSuite.NLL, dev.lethe.eval.ReferenceKl.KL_TO_REFERENCE, CrossModelMetrics.FORGET_QUALITY,
                CrossModelMetrics.MODEL_UTILITY, CrossModelMetrics.PRIVLEAK)), roles);
    }

    @Test
    void theHeadlineIsOneNarrowRowPerModelWithForgetQualityInScientificNotation() {
        assertEquals("""
                quickstart: EM = exact match; forget quality = KS p-value against the reference (1 = alike)
                model                forget EM  retain EM  world EM  forget NLL  forget quality  utility  privleak
                learned                  1.000      1.000     1.000       0.004         1.0e-15    0.990     107.9
                reference                0.100      1.000     1.000       3.327         1.0e+00    0.989       0.0
                unlearned                0.000      1.000     1.000      23.677         9.2e-11    0.991    -100.0
                unlearned+quantize4      0.000      1.000     1.000      23.610         9.2e-11    0.991    -100.0
                unlearned+relearn        0.267      1.000     1.000       3.967         1.2e-03    0.980     -20.5
                full tables: runs/quickstart/tables.txt
                charts:      runs/quickstart/index.html
                """, ConsoleSummary.of(quickstartLike(), Path.of("runs/quickstart")));
        for (String line : ConsoleSummary.of(quickstartLike(), Path.of("runs/quickstart")).lines().toList()) {
            assertTrue(line.length() <= ConsoleSummary.WIDTH, line);
        }
    }

    @Test
    void aModelWithSomeButNotAllOfTheNineUtilityPartsGetsANoteInsteadOfAValue() {
        List<RunResult.Row> rows = new ArrayList<>();
        for (String split : List.of("retain", "world")) {
            for (Metric m : ModelUtility.PARTS) {
                rows.add(RunResult.Row.of("learned", split, m.name(), 0.5));
            }
        }
        rows.add(RunResult.Row.of("learned", "real_authors", TofuSuite.PROBABILITY.name(), 0.5));
        rows.add(RunResult.Row.of("learned", "forget", "exact_match", 1));
        rows.add(RunResult.Row.of("other", "forget", "exact_match", 1));
        RunResult r = new RunResult(Quickstart.recipe(), rows, List.of(), Metric.byName(List.of(AnswerSuite.EXACT_MATCH,
                TofuSuite.PROBABILITY, TofuSuite.ROUGE_L_RECALL, TofuSuite.TRUTH_RATIO)), Map.of());
        String headline = ConsoleSummary.headline(r);
        assertTrue(headline.endsWith("""
                model_utility not reported: no real_authors rouge_l_recall, real_authors truth_ratio
                  (it needs the tofu suite on retain, real_authors and world, with perturbed answers)
                """), headline);
        assertEquals(1, headline.split("model_utility not reported", -1).length - 1, "once, and not for 'other'");
        headline.lines().forEach(line -> assertTrue(line.length() <= ConsoleSummary.WIDTH, line));
    }

    @Test
    void aTinyForgetQualityPrintsInScientificNotationInTheFullTablesToo() {
        String printed = RunTables.headline(quickstartLike()).printAll();
        assertTrue(printed.contains("9.20e-11") && printed.contains("1.00e-15"), printed);
        String full = ConsoleSummary.fullTables(quickstartLike());
        assertTrue(full.contains("kl_to_reference") && full.contains("9.20e-11"), full);
        assertTrue(HtmlReport.table(RunTables.headline(quickstartLike())).contains("<td>9.20e-11</td>"));
    }
}
