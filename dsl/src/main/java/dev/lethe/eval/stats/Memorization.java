package dev.lethe.eval.stats;

/**
 * Per-example memorisation scores of an answer from its teacher-forced argmax hits: {@code hits[t]} is whether the
 * model's most likely next token at answer position t, given the question and the true answer before t, is the true
 * token y_t. The callers pass the answer's tokens <b>without</b> the closing {@code <eos>}, as open-unlearning's
 * {@code tokenwise_vocab_logprobs} drops the last labelled token before both scores
 * ({@code src/evals/metrics/memorization.py}, {@code utils.py}).
 *
 * <ul>
 *   <li>Exact memorisation (Tirumala et al., 2022, "Memorization without overfitting: analyzing the training
 *       dynamics of large language models", NeurIPS; used for unlearning by Wang et al., 2025; open-unlearning's
 *       {@code exact_memorization}): EM = (1/n) Σ_t 1[argmax_v p(v | x, y_&lt;t) = y_t], the share of answer tokens
 *       the model predicts.
 *   <li>Extraction strength (after Carlini et al., 2021, "Extracting training data from large language models";
 *       Wang et al., 2025, "Towards effective evaluations and comparisons for LLM unlearning methods", ICLR;
 *       open-unlearning's {@code extraction_strength}):
 *       ES = 1 − k/n with k the smallest index such that greedy decoding after x, y_&lt;k reproduces y_≥k, i.e.
 *       every hit from k on is true (teacher-forced argmax equals greedy decoding as long as every earlier
 *       prediction matched). ES = 1 when the answer follows from the question alone, and the least prefix
 *       needed shrinks it.
 * </ul>
 */
public final class Memorization {
    private Memorization() {}

    /**
     * EM = (number of true hits) / n.
     *
     * @return NaN for an answer with no token (open-unlearning scores it None and leaves it out of the mean)
     */
    public static double exactMemorization(boolean[] hits) {
        if (hits.length == 0) {
            return Double.NaN;
        }
        int right = 0;
        for (boolean h : hits) {
            right += h ? 1 : 0;
        }
        return (double) right / hits.length;
    }

    /**
     * ES = 1 − k/n, k the start of the longest all-true suffix of {@code hits}, as open-unlearning's loop computes
     * it: {@code for k in range(n): if preds[k:] == labels[k:]: break}. When no suffix matches (the last token is
     * missed) that loop ends at k = n − 1, so ES = 1/n, not 0 (and 1 for a missed one-token answer); this follows
     * the code, whose numbers published tables hold. An answer with no token scores 0, as open-unlearning scores it.
     */
    public static double extractionStrength(boolean[] hits) {
        int n = hits.length;
        if (n == 0) {
            return 0;
        }
        int k = n;
        while (k > 0 && hits[k - 1]) {
            k--;
        }
        return 1 - (double) Math.min(k, n - 1) / n;
    }
}
