package dev.lethe.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lethe.data.Split;
import dev.lethe.eval.stats.KolmogorovSmirnov;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CrossModelMetricsTest {

    private static Map<Split, Map<String, MetricValue>> model(double[] truthRatios, double[] forgetLoss,
            double[] holdoutLoss, double utilityPart) {
        Map<Split, Map<String, MetricValue>> m = new EnumMap<>(Split.class);
        m.computeIfAbsent(Split.FORGET, k -> new LinkedHashMap<>()).put("truth_ratio",
                new MetricValue(TofuSuite.TRUTH_RATIO, 0, truthRatios));
        for (Metric score : PrivacySuite.SCORES) {
            m.get(Split.FORGET).put(score.name(), new MetricValue(score, 0, forgetLoss));
            m.computeIfAbsent(Split.HOLDOUT, k -> new LinkedHashMap<>()).put(score.name(),
                    new MetricValue(score, 0, holdoutLoss));
        }
        for (Split s : List.of(Split.RETAIN, Split.REAL_AUTHORS, Split.WORLD)) {
            for (Metric metric : List.of(TofuSuite.PROBABILITY, TofuSuite.ROUGE_L_RECALL, TofuSuite.TRUTH_RATIO)) {
                m.computeIfAbsent(s, k -> new LinkedHashMap<>()).put(metric.name(),
                        new MetricValue(metric, utilityPart));
            }
        }
        return m;
    }

    @Test
    void privLeakIsAboutMinusHundredForAModelThatHoldsTheForgetSetAndPositiveForOverUnlearning() {
        Map<String, Map<Split, Map<String, MetricValue>>> values = new LinkedHashMap<>();
        double[] tr = {0.5, 0.6};
        // learned: forget scores (Min-K%, loss-like) all below holdout's -> MUSE AUC 0 -> PrivLeak -100
        values.put("learned", model(tr, new double[] {0.1, 0.2, 0.3}, new double[] {3, 4}, 0.5));
        // reference: 5 of the 6 forget-holdout pairs have holdout lower (more familiar) -> MUSE AUC 5/6
        values.put("reference", model(tr, new double[] {1, 3.5, 5}, new double[] {0.5, 2}, 0.5));
        // over-unlearned: every forget score above every holdout score -> MUSE AUC 1
        values.put("unlearned", model(tr, new double[] {7, 8, 9}, new double[] {1, 2}, 0.5));
        List<CrossModelMetrics.Derived> rows = CrossModelMetrics.compute(values, "reference");
        assertEquals(-100.0, find(rows, "learned", "privleak"), 1e-9);
        assertEquals(0.0, find(rows, "reference", "privleak"), 0.0);
        assertEquals((1 - 5.0 / 6) / (5.0 / 6) * 100, find(rows, "unlearned", "privleak"), 1e-9);
        assertEquals(20.0, find(rows, "unlearned", "privleak"), 1e-9);
        assertEquals(1.0 / 6, find(rows, "reference", "mia_auc_min_k"), 1e-12, "mia_auc keeps forget as positive");
        assertEquals(0.0, CrossModelMetrics.museAuc(new double[] {0.1}, new double[] {2}), 0.0);
        // a reference whose own MUSE AUC is 0 leaves PrivLeak undefined: no row rather than a division by zero
        values.put("reference", model(tr, new double[] {0.1, 0.2, 0.3}, new double[] {3, 4}, 0.5));
        assertTrue(CrossModelMetrics.compute(values, "reference").stream().noneMatch(d -> d.metric().equals("privleak")));
    }

    /*
     * privleak_published against MUSE's published AUC_RETRAIN["news"]["forget_holdout_Min-40%"] = 0.47719999999999996
     * (muse_bench constants.py at 75d17627) on a toy AUC of 5/6, worked out with bc (scale=20):
     *   (5/6 - 0.47719999999999996) / 0.47719999999999996 * 100 = 74.629784856105071915
     *   (5/6 - 0.5392999999999999) / 0.5392999999999999 * 100   = 54.52129303418013867   (books)
     *   (0.5 - 0.47719999999999996) / 0.47719999999999996 * 100 = 4.777870913663043149   (a number given: AUC 1/2)
     */
    @Test
    void privLeakPublishedDividesByMusesPublishedRetrainAucWithoutAReferenceModel() {
        Map<String, Map<Split, Map<String, MetricValue>>> values = new LinkedHashMap<>();
        double[] tr = {0.5, 0.6};
        // 5 of the 6 forget-holdout pairs have the holdout text more familiar -> MUSE AUC 5/6
        values.put("unlearned", model(tr, new double[] {1, 3.5, 5}, new double[] {0.5, 2}, 0.5));
        // every forget text more familiar -> MUSE AUC 0 -> -100 against any retrain AUC
        values.put("learned", model(tr, new double[] {0.1, 0.2, 0.3}, new double[] {3, 4}, 0.5));
        List<CrossModelMetrics.Derived> rows = CrossModelMetrics.compute(values, null,
                RetrainAuc.of(MuseRetrainAuc.NEWS));
        assertEquals(74.629784856105071915, find(rows, "unlearned", "privleak_published"), 1e-12);
        assertEquals(-100.0, find(rows, "learned", "privleak_published"), 1e-12);
        assertTrue(rows.stream().noneMatch(d -> d.metric().equals("privleak")), "no reference: no privleak");
        assertEquals("forget+holdout", rows.stream().filter(d -> d.metric().equals("privleak_published")).findFirst()
                .orElseThrow().split());
        assertEquals(54.52129303418013867, find(CrossModelMetrics.compute(values, null,
                RetrainAuc.of(MuseRetrainAuc.BOOKS)), "unlearned", "privleak_published"), 1e-12);
        // AUC 1/2 (forget and holdout interleave) against a number given
        values.put("unlearned", model(tr, new double[] {1, 4}, new double[] {2, 3}, 0.5));
        assertEquals(4.777870913663043149, find(CrossModelMetrics.compute(values, null,
                RetrainAuc.of(0.47719999999999996)), "unlearned", "privleak_published"), 1e-12);
        // with a reference, privleak keeps the reference's AUC and privleak_published the published one, side by side
        values.put("reference", model(tr, new double[] {1, 3.5, 5}, new double[] {0.5, 2}, 0.5));
        rows = CrossModelMetrics.compute(values, "reference", RetrainAuc.of(MuseRetrainAuc.NEWS));
        assertEquals(0.0, find(rows, "reference", "privleak"), 0.0);
        assertEquals(74.629784856105071915, find(rows, "reference", "privleak_published"), 1e-12);
        assertEquals((0.5 - 5.0 / 6) / (5.0 / 6) * 100, find(rows, "unlearned", "privleak"), 1e-12);
        // unset: nothing new
        assertTrue(CrossModelMetrics.compute(values, "reference").stream()
                .noneMatch(d -> d.metric().equals("privleak_published")));
    }

    @Test
    void museRetrainAucsAreMuseBenchsConstantsDigitForDigit() {
        assertEquals("forget_holdout_Min-40%", MuseRetrainAuc.KEY);
        assertEquals(Double.parseDouble("0.47719999999999996"), MuseRetrainAuc.NEWS.auc(), 0.0);
        assertEquals(Double.parseDouble("0.5392999999999999"), MuseRetrainAuc.BOOKS.auc(), 0.0);
        assertEquals("news (MUSE's AUC_RETRAIN 0.47719999999999996)", RetrainAuc.of(MuseRetrainAuc.NEWS).toString());
        for (double bad : new double[] {0, 1, 1.5, -0.2, Double.NaN}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RetrainAuc.of(bad));
            assertTrue(e.getMessage().startsWith("privleak_retrain_auc must be in (0, 1)"), e.getMessage());
        }
    }

    private static double find(List<CrossModelMetrics.Derived> rows, String model, String metric) {
        return rows.stream().filter(d -> d.model().equals(model) && d.metric().equals(metric)).findFirst()
                .orElseThrow().value();
    }

    @Test
    void derivesForgetQualityAucPrivLeakAndUtility() {
        double[] refTr = {0.5, 0.7, 0.9, 0.6};
        double[] learnedTr = {0.05, 0.1, 0.02, 0.08};
        Map<String, Map<Split, Map<String, MetricValue>>> values = new LinkedHashMap<>();
        // learned: members (forget) have clearly lower loss than holdout -> AUC 1
        values.put("learned", model(learnedTr, new double[] {0.1, 0.2}, new double[] {3, 4}, 0.5));
        // reference: forget and holdout interleave -> AUC 0.5
        values.put("reference", model(refTr, new double[] {1, 4}, new double[] {2, 3}, 0.8));
        List<CrossModelMetrics.Derived> rows = CrossModelMetrics.compute(values, "reference");
        assertEquals(1.0, find(rows, "reference", "forget_quality"), 0.0);
        assertEquals(KolmogorovSmirnov.twoSample(learnedTr, refTr).pValue(), find(rows, "learned", "forget_quality"),
                0.0);
        assertEquals(1.0, find(rows, "learned", "mia_auc_min_k"), 1e-12);
        assertEquals(0.5, find(rows, "reference", "mia_auc_min_k"), 1e-12);
        // MUSE's orientation (holdout positive): the learned model's AUC is 1 − 1 = 0 -> (0 − 0.5)/0.5 = −100
        assertEquals(-100.0, find(rows, "learned", "privleak"), 1e-9);
        assertEquals(0.0, find(rows, "reference", "privleak"), 1e-12);
        assertEquals(0.5, find(rows, "learned", "model_utility"), 1e-12);
        assertEquals(ModelUtility.SPAN, rows.stream().filter(d -> d.metric().equals("model_utility")).findFirst()
                .orElseThrow().split());
    }

    @Test
    void noUtilityWithoutTheRealAuthorsParts() {
        Map<String, Map<Split, Map<String, MetricValue>>> values = new LinkedHashMap<>();
        Map<Split, Map<String, MetricValue>> m = model(new double[] {0.5}, new double[] {1}, new double[] {2}, 0.5);
        m.remove(Split.REAL_AUTHORS);
        values.put("learned", m);
        assertEquals(List.of(), CrossModelMetrics.compute(values, null).stream()
                .filter(d -> d.metric().equals("model_utility")).toList());
    }

    /*
     * Fixed vectors for the two new attacks and their AUCs from scikit-learn, in open-unlearning's convention
     * (mia_auc: roc_auc_score with forget labelled 0, holdout 1, on the loss-like scores). Made with the bench venv's
     * scikit-learn 1.6.1 (bash bench/python-env.sh, then pip install --no-index scikit-learn==1.6.1 from the wheel
     * store /opt/pypi-more/files with /opt/pypi/files for joblib and threadpoolctl):
     *
     *   from sklearn.metrics import roc_auc_score
     *   y = [0] * len(forget) + [1] * len(holdout)
     *   roc_auc_score(y, G_FORGET + G_HOLDOUT)                                     # GradNorm
     *   d = lambda t, r: [a - b for a, b in zip(t, r)]
     *   roc_auc_score(y, d(T_FORGET, R_FORGET) + d(T_HOLDOUT, R_HOLDOUT))          # reference attack
     *
     * The vectors hold ties across the classes (GradNorm 0.044) and within one (loss differences -0.5).
     */
    private static final double[] G_FORGET = {0.031, 0.052, 0.044, 0.090, 0.027};
    private static final double[] G_HOLDOUT = {0.081, 0.044, 0.120, 0.066, 0.097, 0.058};
    private static final double[] T_FORGET = {0.42, 1.30, 0.87, 2.10, 0.55, 1.30, 0.61};
    private static final double[] T_HOLDOUT = {1.95, 0.87, 2.40, 1.12, 3.05, 1.30};
    private static final double[] R_FORGET = {1.90, 2.25, 1.10, 2.60, 1.35, 1.80, 0.61};
    private static final double[] R_HOLDOUT = {2.05, 1.02, 2.30, 1.50, 2.95, 1.10};
    /** roc_auc_score → 0.8166666666666667; by hand 24.5 of 30 pairs (0.044 tied across the classes: one half). */
    private static final double SKLEARN_GRADNORM_AUC = 0.8166666666666667;
    /** roc_auc_score → 0.9047619047619048; by hand 38 of 42 pairs. */
    private static final double SKLEARN_REFERENCE_AUC = 0.9047619047619048;

    /** A model with only the membership scores: {@code mia_loss} and {@code mia_gradnorm} as given. */
    private static Map<Split, Map<String, MetricValue>> scores(double[] forgetLoss, double[] holdoutLoss,
            double[] forgetGrad, double[] holdoutGrad) {
        Map<Split, Map<String, MetricValue>> m = new EnumMap<>(Split.class);
        Map<String, MetricValue> forget = m.computeIfAbsent(Split.FORGET, k -> new LinkedHashMap<>());
        Map<String, MetricValue> holdout = m.computeIfAbsent(Split.HOLDOUT, k -> new LinkedHashMap<>());
        forget.put(PrivacySuite.LOSS.name(), new MetricValue(PrivacySuite.LOSS, 0, forgetLoss));
        holdout.put(PrivacySuite.LOSS.name(), new MetricValue(PrivacySuite.LOSS, 0, holdoutLoss));
        forget.put(PrivacySuite.GRAD_NORM.name(), new MetricValue(PrivacySuite.GRAD_NORM, 0, forgetGrad));
        holdout.put(PrivacySuite.GRAD_NORM.name(), new MetricValue(PrivacySuite.GRAD_NORM, 0, holdoutGrad));
        return m;
    }

    @Test
    void gradNormAndReferenceAucsMatchSklearnInOpenUnlearningsConvention() {
        Map<String, Map<Split, Map<String, MetricValue>>> values = new LinkedHashMap<>();
        values.put("learned", scores(T_FORGET, T_HOLDOUT, G_FORGET, G_HOLDOUT));
        values.put("reference", scores(R_FORGET, R_HOLDOUT, G_HOLDOUT, G_FORGET));
        List<CrossModelMetrics.Derived> rows = CrossModelMetrics.compute(values, "reference");
        assertEquals(SKLEARN_GRADNORM_AUC, find(rows, "learned", "mia_auc_gradnorm"), 1e-6);
        assertEquals(SKLEARN_REFERENCE_AUC, find(rows, "learned", "mia_auc_reference"), 1e-6);
        assertEquals(0.5, find(rows, "reference", "mia_auc_reference"), 0.0, "every score 0: one tie");
        assertEquals("forget+holdout", rows.stream().filter(d -> d.metric().equals("mia_auc_reference")).findFirst()
                .orElseThrow().split());
    }

    @Test
    void referenceAucNeedsAReferenceScoredOnTheSameExamples() {
        Map<String, Map<Split, Map<String, MetricValue>>> values = new LinkedHashMap<>();
        values.put("learned", scores(T_FORGET, T_HOLDOUT, G_FORGET, G_HOLDOUT));
        assertTrue(CrossModelMetrics.compute(values, null).stream()
                .noneMatch(d -> d.metric().equals("mia_auc_reference")), "no reference model");
        values.put("reference", scores(new double[] {1, 2}, R_HOLDOUT, G_FORGET, G_HOLDOUT));
        assertTrue(CrossModelMetrics.compute(values, "reference").stream()
                .noneMatch(d -> d.model().equals("learned") && d.metric().equals("mia_auc_reference")),
                "a reference scored on two forget examples, not seven");
    }
}
