package dev.lethe.eval;

import static dev.lethe.part.ParamTypes.choice;
import static dev.lethe.part.ParamTypes.integer;
import static dev.lethe.part.ParamTypes.numberOr;
import static dev.lethe.part.ParamTypes.real;

import ai.djl.ndarray.NDArray;

import dev.lethe.data.Encoded;
import dev.lethe.data.MuseProbes;
import dev.lethe.data.Passage;
import dev.lethe.data.QaExample;
import dev.lethe.data.Split;
import dev.lethe.data.SplitData;
import dev.lethe.eval.stats.MiaScores;
import dev.lethe.model.CausalLm;
import dev.lethe.model.Tokenizer;
import dev.lethe.part.Kind;
import dev.lethe.part.Param;
import dev.lethe.part.ParamTypes.Range;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.jspecify.annotations.Nullable;

/**
 * Membership-inference scores of every example (computed on the answer tokens after the question; on data
 * read from MUSE's files, of every text of the split's {@code privleak} file instead, scored whole after
 * {@code <bos>} as muse_bench's {@code privleak/get_ppl_utils.py} does), kept per example so that
 * {@link CrossModelMetrics} can turn forget (members of the learned model) against holdout (never trained on)
 * into ROC AUCs and MUSE's PrivLeak. Which answer tokens each score reads follows open-unlearning's TOFU code:
 * {@code mia_loss} and {@code mia_zlib} average over the answer and its closing {@code <eos>} (its
 * {@code evaluate_probability}), Min-K%, Min-K%++ and GradNorm over the answer without that last target (its
 * {@code tokenwise_logprobs} drops it; an answer with a single target keeps it); a MUSE text has no {@code <eos>}
 * target. Each score is lower for text the model has memorised: {@code mia_loss} = avgNLL (Yeom et al. 2018),
 * {@code mia_zlib} = avgNLL / zlib length of the answer or text (Carlini et al. 2021), {@code mia_min_k} = Min-K% with
 * k = 0.4 (Shi et al. 2024; MUSE's {@code Min-40%}), {@code mia_min_k_pp} = Min-K%++ (Zhang et al. 2024), and on forget
 * and holdout only (the two splits its AUC compares; it costs one backward pass per example) {@code mia_gradnorm}, the
 * mean per-tensor gradient norm of the example's loss ({@code GradientNorms}; open-unlearning's {@code mia_gradnorm},
 * in its default TOFU evaluation with p = 2). The reported value is the split's mean. The reference-model attack needs
 * no score of its own: {@link CrossModelMetrics} takes the difference of this model's and the reference's
 * {@code mia_loss}.
 *
 * <p>With {@code privleak_retrain_auc} ({@code news}, {@code books} or a number in (0, 1)), {@link CrossModelMetrics}
 * also reports {@code privleak_published} for every model measured, PrivLeak against that retrained model's AUC
 * instead of the run's reference model, as MUSE's {@code eval.py} computes it against its published
 * {@code AUC_RETRAIN} ({@link MuseRetrainAuc}); a run needs no reference model for it.
 *
 * @param batchSize examples per forward pass
 * @param gradNorm the norm of {@code mia_gradnorm}, or {@link GradNorm#OFF} to skip it
 * @param privleakRetrainAuc the retrained model's AUC {@code privleak_published} is relative to, or null for none
 */
public record PrivacySuite(int batchSize, GradNorm gradNorm, @Nullable RetrainAuc privleakRetrainAuc)
        implements Suite {
    /** The suite {@code privacy}. */
    public static final Kind<PrivacySuite> KIND = Kind.of("privacy", PrivacySuite.class,
            "membership-inference scores mia_loss, mia_zlib, mia_min_k, mia_min_k_pp, mia_gradnorm for the "
                    + "mia_auc_* (and mia_auc_reference against the reference model) and PrivLeak",
            List.of(Param.of("batch_size", integer(1), 64, "examples per forward pass", PrivacySuite::batchSize),
                    Param.of("grad_norm", choice(GradNorm.class), GradNorm.L2, "the per-tensor gradient norm of "
                            + "mia_gradnorm on forget and holdout (open-unlearning: p = 2), or off to skip its "
                            + "backward pass per example", PrivacySuite::gradNorm),
                    Param.optional("privleak_retrain_auc",
                            numberOr(real(Range.open(0, 1)), choice(MuseRetrainAuc.class)),
                            "report privleak_published, PrivLeak against this retrained model's Min-40% AUC (forget "
                            + "vs holdout) instead of the reference model's: news or books for MUSE's published "
                            + "AUC_RETRAIN (forget_holdout_Min-40%), or a number in (0, 1); needs no reference stage",
                            (PrivacySuite s) -> s.privleakRetrainAuc() == null ? null
                                    : s.privleakRetrainAuc().spelled())),
            a -> new PrivacySuite(a.integer("batch_size"), a.get("grad_norm"),
                    retrainAuc(a.get("privleak_retrain_auc"))));

    /** LOSS (Yeom et al. 2018): avgNLL of the answer. */
    public static final Metric LOSS = score("mia_loss", "LOSS membership score: avgNLL of the answer");
    /** zlib (Carlini et al. 2021): avgNLL over the zlib length of the answer. */
    public static final Metric ZLIB = score("mia_zlib", "zlib membership score: avgNLL / zlib length");
    /** Min-K% with k = 0.4 (Shi et al. 2024). */
    public static final Metric MIN_K = score("mia_min_k", "Min-K% membership score, k = 0.4");
    /** Min-K%++ with k = 0.4 (Zhang et al. 2024). */
    public static final Metric MIN_K_PP = score("mia_min_k_pp", "Min-K%++ membership score, k = 0.4");
    /** GradNorm: the mean per-tensor gradient norm of the example's loss, on forget and holdout. */
    public static final Metric GRAD_NORM = score("mia_gradnorm", "GradNorm membership score: mean per-tensor "
            + "gradient norm of the answer's avgNLL (forget and holdout only)");
    /** The scores, in order. */
    public static final List<Metric> SCORES = List.of(LOSS, ZLIB, MIN_K, MIN_K_PP, GRAD_NORM);

    /** Which norm of each parameter tensor's gradient {@code mia_gradnorm} averages (open-unlearning's p). */
    public enum GradNorm {
        /** No {@code mia_gradnorm}. */
        OFF,
        /** ‖g‖₁. */
        L1,
        /** ‖g‖₂ (open-unlearning's default). */
        L2,
        /** ‖g‖_∞ = max |g_i|. */
        LINF;

        /** The norm of {@code g}, a scalar array. */
        NDArray of(NDArray g) {
            return switch (this) {
                case OFF -> throw new IllegalStateException("grad_norm is off");
                case L1 -> g.abs().sum();
                case L2 -> g.square().sum().sqrt();
                case LINF -> g.abs().max();
            };
        }
    }

    /** The suite with {@code mia_gradnorm} by the ℓ2 norm, open-unlearning's default. */
    public PrivacySuite(int batchSize) {
        this(batchSize, GradNorm.L2);
    }

    /** The suite with {@code mia_gradnorm} by {@code gradNorm} and no published retrain AUC. */
    public PrivacySuite(int batchSize, GradNorm gradNorm) {
        this(batchSize, gradNorm, null);
    }

    /** The retrain AUC a recipe file gives: null, a number or a corpus. */
    private static @Nullable RetrainAuc retrainAuc(@Nullable Object spelled) {
        return spelled == null ? null : spelled instanceof MuseRetrainAuc corpus ? RetrainAuc.of(corpus)
                : RetrainAuc.of((Double) spelled);
    }

    /**
     * A copy that also reports {@code privleak_published} against MUSE's published retrain AUC of {@code corpus}
     * (Kotlin: {@code privacy.withPrivleakRetrainAuc(MuseRetrainAuc.NEWS)}).
     */
    public PrivacySuite withPrivleakRetrainAuc(MuseRetrainAuc corpus) {
        return new PrivacySuite(batchSize, gradNorm, RetrainAuc.of(corpus));
    }

    /**
     * A copy that also reports {@code privleak_published} against a retrained model's AUC {@code auc} in (0, 1).
     *
     * @throws IllegalArgumentException naming {@code privleak_retrain_auc} when {@code auc} is not in (0, 1)
     */
    public PrivacySuite withPrivleakRetrainAuc(double auc) {
        return new PrivacySuite(batchSize, gradNorm, RetrainAuc.of(auc));
    }

    /** A membership score: lower for memorised text, kept per example for the ROC AUCs. */
    private static Metric score(String name, String doc) {
        return new Metric(name, Metric.Direction.HIGHER_KNOWS_LESS, Metric.Scope.PER_EXAMPLE, doc);
    }

    @Override
    public List<Metric> metrics() {
        return gradNorm == GradNorm.OFF ? SCORES.subList(0, SCORES.size() - 1) : SCORES;
    }

    @Override
    public List<MetricValue> evaluate(CausalLm model, Tokenizer tokenizer, SplitData data) {
        MuseProbes probes = data.muse();
        List<String> texts = probes == null ? data.examples().stream().map(QaExample::answer).toList()
                : probes.privleak().stream().map(Passage::text).toList();
        if (texts.isEmpty()) {
            return List.of();
        }
        AnswerScorer scorer = new AnswerScorer(model, tokenizer, batchSize);
        List<TokenLogProbs> scored = probes == null ? scorer.scoreAnswers(data.examples()) : scorer.scoreTexts(texts);
        int n = texts.size();
        double[][] s = new double[4][n];
        for (int i = 0; i < n; i++) {
            TokenLogProbs t = scored.get(i);
            TokenLogProbs withoutEos = probes == null && t.length() > 1 ? t.withoutLast() : t;
            s[0][i] = MiaScores.loss(t.logProbs());
            s[1][i] = MiaScores.zlib(t.logProbs(), texts.get(i));
            s[2][i] = MiaScores.minK(withoutEos.logProbs());
            s[3][i] = MiaScores.minKPlusPlus(withoutEos.logProbs(), withoutEos.vocabMean(), withoutEos.vocabStd());
        }
        List<MetricValue> out = new ArrayList<>(IntStream.range(0, s.length)
                .mapToObj(k -> new MetricValue(SCORES.get(k), TofuSuite.mean(s[k]), s[k])).toList());
        if (gradNorm != GradNorm.OFF && (data.split() == Split.FORGET || data.split() == Split.HOLDOUT)) {
            List<Encoded> encoded = probes == null
                    ? scorer.encode(data.examples().stream().map(QaExample::question).toList(), texts)
                    : scorer.encodeTexts(texts);
            double[] g = GradientNorms.scores(model, tokenizer, encoded, gradNorm);
            out.add(new MetricValue(GRAD_NORM, TofuSuite.mean(g), g));
        }
        return out;
    }
}
