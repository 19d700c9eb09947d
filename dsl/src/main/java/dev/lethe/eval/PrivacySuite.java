package dev.lethe.eval;

import static dev.lethe.part.ParamTypes.integer;

import dev.lethe.data.MuseProbes;
import dev.lethe.data.Passage;
import dev.lethe.data.QaExample;
import dev.lethe.data.SplitData;
import dev.lethe.eval.stats.MiaScores;
import dev.lethe.model.CausalLm;
import dev.lethe.model.Tokenizer;
import dev.lethe.part.Kind;
import dev.lethe.part.Param;
import java.util.List;

/**
 * Membership-inference scores of every example (computed on the answer tokens after the question; on data
 * read from MUSE's files, of every text of the split's {@code privleak} file instead, scored whole after
 * {@code <bos>} as muse_bench's {@code privleak/get_ppl_utils.py} does), kept per example so that
 * {@link CrossModelMetrics} can turn forget (members of the learned model) against holdout (never trained on)
 * into ROC AUCs and MUSE's PrivLeak. Each score is lower for text the model has memorised:
 * {@code mia_loss} = avgNLL (Yeom et al. 2018), {@code mia_zlib} = avgNLL / zlib length of the answer or text
 * (Carlini et al. 2021), {@code mia_min_k} = Min-K% with k = 0.4 (Shi et al. 2024; MUSE's {@code Min-40%}), {@code mia_min_k_pp} =
 * Min-K%++ (Zhang et al. 2024). The reported value is the split's mean.
 *
 * @param batchSize examples per forward pass
 */
public record PrivacySuite(int batchSize) implements Suite {
    /** The suite {@code privacy}. */
    public static final Kind<PrivacySuite> KIND = Kind.of("privacy", PrivacySuite.class,
            "membership-inference scores (MIA AUCs, PrivLeak)",
            List.of(Param.of("batch_size", integer(1), 64, "examples per forward pass", PrivacySuite::batchSize)),
            a -> new PrivacySuite(a.integer("batch_size")));

    /** LOSS (Yeom et al. 2018): avgNLL of the answer. */
    public static final Metric LOSS = score("mia_loss", "LOSS membership score: avgNLL of the answer");
    /** zlib (Carlini et al. 2021): avgNLL over the zlib length of the answer. */
    public static final Metric ZLIB = score("mia_zlib", "zlib membership score: avgNLL / zlib length");
    /** Min-K% with k = 0.4 (Shi et al. 2024). */
    public static final Metric MIN_K = score("mia_min_k", "Min-K% membership score, k = 0.4");
    /** Min-K%++ with k = 0.4 (Zhang et al. 2024). */
    public static final Metric MIN_K_PP = score("mia_min_k_pp", "Min-K%++ membership score, k = 0.4");
    /** The scores, in order. */
    public static final List<Metric> SCORES = List.of(LOSS, ZLIB, MIN_K, MIN_K_PP);

    /** A membership score: lower for memorised text, kept per example for the ROC AUCs. */
    private static Metric score(String name, String doc) {
        return new Metric(name, Metric.Direction.HIGHER_KNOWS_LESS, Metric.Scope.PER_EXAMPLE, doc);
    }

    @Override
    public List<Metric> metrics() {
        return SCORES;
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
        double[][] s = new double[SCORES.size()][n];
        for (int i = 0; i < n; i++) {
            TokenLogProbs t = scored.get(i);
            s[0][i] = MiaScores.loss(t.logProbs());
            s[1][i] = MiaScores.zlib(t.logProbs(), texts.get(i));
            s[2][i] = MiaScores.minK(t.logProbs());
            s[3][i] = MiaScores.minKPlusPlus(t.logProbs(), t.vocabMean(), t.vocabStd());
        }
        return java.util.stream.IntStream.range(0, SCORES.size())
                .mapToObj(k -> new MetricValue(SCORES.get(k), TofuSuite.mean(s[k]), s[k]))
                .toList();
    }
}
