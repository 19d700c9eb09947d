package dev.lethe.eval;

import dev.lethe.data.Split;
import dev.lethe.eval.stats.Aggregates;
import dev.lethe.eval.stats.KolmogorovSmirnov;
import dev.lethe.eval.stats.MiaScores;
import dev.lethe.eval.stats.RocAuc;
import dev.lethe.eval.stats.RocCurve;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Metrics that need more than one model or split, computed from the per-example values the suites kept:
 *
 * <ul>
 *   <li>{@code forget_quality} (TOFU): the two-sided two-sample Kolmogorov–Smirnov p-value between a model's
 *       forget-set truth ratios and the reference model's, exact for small samples as scipy's
 *       {@code ks_2samp}; 1.0 for the reference against itself;
 *   <li>{@code mia_auc_*}: ROC AUC of each membership score with forget as members and holdout as
 *       non-members (scores are negated, since lower means memorised); 0.5 is chance, 1 means every forget
 *       example looks more familiar than every holdout one. This is open-unlearning's convention and value:
 *       its {@code mia_auc} takes {@code roc_auc_score} of the loss-like scores with forget labelled 0 and holdout
 *       1 ("auc is 1 when the forget data is much more likely than the holdout data"), and the AUC of s with
 *       holdout positive equals that of −s with forget positive;
 *   <li>{@code mia_auc_reference} (open-unlearning's {@code mia_reference}; the reference-model attack of
 *       Carlini et al. 2021 and mimir): the same AUC of the per-example score avgNLL_model − avgNLL_reference
 *       ({@link MiaScores#reference}), the reference's {@code mia_loss} on the same forget and holdout examples
 *       (open-unlearning loads a retain-only model as its {@code reference_model_path}: the role of the run's
 *       reference). The reference against itself scores 0 everywhere and so 0.5;
 *   <li>{@code privleak} (MUSE, Shi et al. 2024, oriented as muse_bench's {@code forget_holdout_Min-40%}):
 *       (AUC − AUC_reference) / AUC_reference × 100, where AUC is the ROC AUC of the Min-K% scores with the
 *       <em>holdout</em> texts as the positive class and the forget texts as the negative one, a higher
 *       familiarity (−score) predicting "holdout" ({@link #museAuc}; it equals 1 − {@code mia_auc_min_k}). A
 *       model that still holds the forget set has AUC ≈ 0 and PrivLeak ≈ −100 against a reference at 0.5; the
 *       reference scores 0; positive values mean over-unlearning (the forget texts look less familiar than
 *       never-seen ones);
 *   <li>{@code privleak_published} (only when the privacy suite has {@code privleak_retrain_auc}): the same
 *       PrivLeak with a retrained model's AUC given instead of the reference's, by default MUSE's published
 *       {@code AUC_RETRAIN[corpus]["forget_holdout_Min-40%"]} ({@link MuseRetrainAuc}), exactly the number MUSE's
 *       {@code eval.py} reports as {@code privleak}; for every model measured, with or without a reference model.
 *       A separate name so that a table never mixes PrivLeak against the run's own reference with PrivLeak against
 *       MUSE's retrained Llama-2-7B;
 *   <li>{@code model_utility} (TOFU): the harmonic mean of probability, ROUGE-L recall and truth ratio on
 *       retain, real authors and world (nine numbers, {@link ModelUtility}), on the span
 *       {@code retain+real_authors+world}; absent when one of the nine was not measured.
 * </ul>
 */
public final class CrossModelMetrics {
    /** TOFU's forget quality: the KS-test p-value of the forget truth ratios against the reference's. */
    public static final Metric FORGET_QUALITY = new Metric("forget_quality", Metric.Direction.HIGHER_IS_BETTER,
            Metric.Scope.ACROSS_MODELS, "TOFU forget quality: KS p-value of forget truth ratios against the reference's").within(0, 1);
    /** ROC AUC of the LOSS score, forget (members) against holdout. */
    public static final Metric MIA_AUC_LOSS = auc(PrivacySuite.LOSS);
    /** ROC AUC of the zlib score, forget (members) against holdout. */
    public static final Metric MIA_AUC_ZLIB = auc(PrivacySuite.ZLIB);
    /** ROC AUC of the Min-K% score, forget (members) against holdout. */
    public static final Metric MIA_AUC_MIN_K = auc(PrivacySuite.MIN_K);
    /** ROC AUC of the Min-K%++ score, forget (members) against holdout. */
    public static final Metric MIA_AUC_MIN_K_PP = auc(PrivacySuite.MIN_K_PP);
    /** ROC AUC of the GradNorm score, forget (members) against holdout. */
    public static final Metric MIA_AUC_GRADNORM = auc(PrivacySuite.GRAD_NORM);
    /**
     * ROC AUC of the reference-model score avgNLL − avgNLL_reference, forget (members) against holdout; 0.5 for the
     * reference itself.
     */
    public static final Metric MIA_AUC_REFERENCE = new Metric("mia_auc_reference", Metric.Direction.HIGHER_IS_WORSE,
            Metric.Scope.ACROSS_MODELS, "ROC AUC of avgNLL - avgNLL of the reference, forget members against holdout")
            .within(0, 1);
    /**
     * MUSE's PrivLeak on the Min-K% AUC with holdout as the positive class, relative to the reference's; 0 is
     * ideal, about −100 for a model that still holds the forget set, positive for over-unlearning.
     */
    public static final Metric PRIVLEAK = new Metric("privleak", Metric.Direction.ZERO_IS_BEST,
            Metric.Scope.ACROSS_MODELS, "MUSE PrivLeak: (AUC - AUC_reference) / AUC_reference x 100, AUC of Min-K% "
                    + "with holdout positive (un-unlearned about -100)");
    /**
     * MUSE's PrivLeak as its {@code eval.py} reports it: the AUC of {@link #PRIVLEAK} relative to a retrained model's
     * AUC given in the recipe ({@code privleak_retrain_auc}; MUSE's published {@code AUC_RETRAIN} by default) rather
     * than to the run's reference model.
     */
    public static final Metric PRIVLEAK_PUBLISHED = new Metric("privleak_published", Metric.Direction.ZERO_IS_BEST,
            Metric.Scope.ACROSS_MODELS, "MUSE PrivLeak against a published retrain AUC (privacy suite's "
                    + "privleak_retrain_auc, e.g. MUSE's AUC_RETRAIN forget_holdout_Min-40%): (AUC - AUC_retrain) / "
                    + "AUC_retrain x 100");
    /**
     * TOFU's model utility: harmonic mean of probability, ROUGE-L recall and truth ratio on retain, real authors and
     * world ({@link ModelUtility}).
     */
    public static final Metric MODEL_UTILITY = new Metric("model_utility", Metric.Direction.HIGHER_IS_BETTER,
            Metric.Scope.ACROSS_SPLITS, "TOFU model utility: harmonic mean of nine retain, real-authors and world "
                    + "metrics").within(0, 1);
    /** Every metric {@link #compute} can derive. */
    public static final List<Metric> METRICS = List.of(FORGET_QUALITY, MIA_AUC_LOSS, MIA_AUC_ZLIB, MIA_AUC_MIN_K,
            MIA_AUC_MIN_K_PP, MIA_AUC_GRADNORM, MIA_AUC_REFERENCE, MODEL_UTILITY, PRIVLEAK, PRIVLEAK_PUBLISHED);
    /** The AUC of each membership score, in the order of {@link PrivacySuite#SCORES}. */
    private static final List<Metric> AUCS = List.of(MIA_AUC_LOSS, MIA_AUC_ZLIB, MIA_AUC_MIN_K, MIA_AUC_MIN_K_PP,
            MIA_AUC_GRADNORM);

    private CrossModelMetrics() {}

    /**
     * The ROC AUC of membership {@code score} ({@code mia_x} → {@code mia_auc_x}): higher means forget members are
     * told apart from holdout non-members better, i.e. the model still holds more of the forget split.
     */
    private static Metric auc(Metric score) {
        return new Metric(score.name().replace("mia_", "mia_auc_"), Metric.Direction.HIGHER_IS_WORSE,
                Metric.Scope.ACROSS_SPLITS, "ROC AUC of " + score.name() + ", forget members against holdout").within(0, 1);
    }

    /**
     * A derived value.
     *
     * @param model the model
     * @param split the split or splits it spans, e.g. {@code forget+holdout}
     * @param metric the metric
     * @param value its value
     */
    public record Derived(String model, String split, String metric, double value) {}

    /**
     * Derived metrics from {@code values} (model → split → metric → value), against the model called
     * {@code reference} (null: a run without a reference model, so no forget quality, no {@code mia_auc_reference} and
     * no PrivLeak). {@code mia_auc_reference} is left out for a model whose forget or holdout {@code mia_loss} values
     * are not one per example of the reference's (scored on other data). PrivLeak is also left out when the
     * reference's own AUC is 0 (it finds every forget text more familiar than every holdout one: the ratio is
     * undefined, MUSE's formula would divide by zero). No {@code privleak_published}.
     */
    public static List<Derived> compute(Map<String, Map<Split, Map<String, MetricValue>>> values,
            @Nullable String reference) {
        return compute(values, reference, null);
    }

    /**
     * {@link #compute(Map, String)}, and with {@code retrainAuc} (not null) {@code privleak_published} of every model
     * whose Min-K% scores on forget and holdout were kept: PrivLeak of its AUC against {@code retrainAuc}.
     */
    public static List<Derived> compute(Map<String, Map<Split, Map<String, MetricValue>>> values,
            @Nullable String reference, @Nullable RetrainAuc retrainAuc) {
        List<Derived> out = new ArrayList<>();
        @Nullable Map<Split, Map<String, MetricValue>> referenceValues =
                reference == null ? null : values.get(reference);
        Map<String, Double> museAuc = new LinkedHashMap<>();
        for (Map.Entry<String, Map<Split, Map<String, MetricValue>>> m : values.entrySet()) {
            Map<Split, Map<String, MetricValue>> mine = m.getValue();
            double[] tr = samples(mine, Split.FORGET, TofuSuite.TRUTH_RATIO);
            double[] refTr = referenceValues == null ? null
                    : samples(referenceValues, Split.FORGET, TofuSuite.TRUTH_RATIO);
            if (tr != null && refTr != null) {
                out.add(new Derived(m.getKey(), Split.FORGET.id(), FORGET_QUALITY.name(),
                        KolmogorovSmirnov.twoSample(tr, refTr).pValue()));
            }
            for (int k = 0; k < PrivacySuite.SCORES.size(); k++) {
                Metric score = PrivacySuite.SCORES.get(k);
                double[] members = samples(mine, Split.FORGET, score);
                double[] others = samples(mine, Split.HOLDOUT, score);
                if (members != null && others != null) {
                    double auc = membershipAuc(members, others);
                    out.add(new Derived(m.getKey(), "forget+holdout", AUCS.get(k).name(), auc));
                    if (score.equals(PrivacySuite.MIN_K)) {
                        museAuc.put(m.getKey(), museAuc(members, others));
                    }
                }
            }
            if (referenceValues != null) {
                double[] members = referenceScores(mine, referenceValues, Split.FORGET);
                double[] others = referenceScores(mine, referenceValues, Split.HOLDOUT);
                if (members != null && others != null) {
                    out.add(new Derived(m.getKey(), "forget+holdout", MIA_AUC_REFERENCE.name(),
                            membershipAuc(members, others)));
                }
            }
            @Nullable Double utility = ModelUtility.of((split, metric) -> value(mine, split, metric));
            if (utility != null) {
                out.add(new Derived(m.getKey(), ModelUtility.SPAN, MODEL_UTILITY.name(), utility));
            }
        }
        Double referenceAuc = reference == null ? null : museAuc.get(reference);
        if (referenceAuc != null && referenceAuc > 0) {
            museAuc.forEach((model, auc) -> out.add(new Derived(model, "forget+holdout", PRIVLEAK.name(),
                    Aggregates.privLeak(auc, referenceAuc))));
        }
        if (retrainAuc != null) {
            museAuc.forEach((model, auc) -> out.add(new Derived(model, "forget+holdout", PRIVLEAK_PUBLISHED.name(),
                    Aggregates.privLeak(auc, retrainAuc.auc()))));
        }
        return out;
    }

    /**
     * MUSE's AUC ({@code forget_holdout_*} in muse_bench's {@code privleak} scripts: {@code roc_curve(y, −score)}
     * with the forget texts labelled 0 and the holdout texts 1): the ROC AUC of the negated scores with
     * {@code holdout} as the positive class. About 0 when the forget texts are clearly more familiar.
     */
    static double museAuc(double[] forget, double[] holdout) {
        MembershipScores m = MembershipScores.of(holdout, forget);
        return RocAuc.auc(m.scores(), m.positive());
    }

    /** ROC AUC of the negated scores with {@code members} as the positive class. */
    static double membershipAuc(double[] members, double[] others) {
        MembershipScores m = MembershipScores.of(members, others);
        return RocAuc.auc(m.scores(), m.positive());
    }

    /**
     * ROC curve of the negated membership scores (lower = more familiar) with {@code members} (forget) as the
     * positive class and {@code others} (holdout) as the negative one: the curve whose area is
     * {@code mia_auc_*}.
     */
    public static RocCurve membershipCurve(double[] members, double[] others) {
        MembershipScores m = MembershipScores.of(members, others);
        return RocAuc.curve(m.scores(), m.positive());
    }

    /** Negated scores of members then others, and which are members. */
    private record MembershipScores(double[] scores, boolean[] positive) {
        static MembershipScores of(double[] members, double[] others) {
            double[] scores = new double[members.length + others.length];
            boolean[] positive = new boolean[scores.length];
            for (int i = 0; i < members.length; i++) {
                scores[i] = -members[i];
                positive[i] = true;
            }
            for (int i = 0; i < others.length; i++) {
                scores[members.length + i] = -others[i];
            }
            return new MembershipScores(scores, positive);
        }
    }

    /**
     * The reference-model scores avgNLL − avgNLL_reference ({@link MiaScores#reference}) of {@code split}'s examples,
     * or null when either model lacks per-example {@code mia_loss} there or their counts differ.
     */
    private static double @Nullable [] referenceScores(Map<Split, Map<String, MetricValue>> mine,
            Map<Split, Map<String, MetricValue>> reference, Split split) {
        double[] target = samples(mine, split, PrivacySuite.LOSS);
        double[] ref = samples(reference, split, PrivacySuite.LOSS);
        if (target == null || ref == null || target.length != ref.length) {
            return null;
        }
        double[] out = new double[target.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = MiaScores.reference(target[i], ref[i]);
        }
        return out;
    }

    /** The value of {@code metric} on {@code split} in {@code values}, or null when not measured. */
    private static @Nullable Double value(Map<Split, Map<String, MetricValue>> values, Split split, String metric) {
        Map<String, MetricValue> bySplit = values.get(split);
        MetricValue v = bySplit == null ? null : bySplit.get(metric);
        return v == null ? null : v.value();
    }

    private static double @Nullable [] samples(Map<Split, Map<String, MetricValue>> values, Split split, Metric metric) {
        Map<String, MetricValue> bySplit = values.get(split);
        MetricValue v = bySplit == null ? null : bySplit.get(metric.name());
        return v == null || v.perExample().length == 0 ? null : v.perExample();
    }
}
