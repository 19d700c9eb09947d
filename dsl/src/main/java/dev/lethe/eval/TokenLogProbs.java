package dev.lethe.eval;

/**
 * Per-token statistics of one answer under a model, teacher-forced after its prompt.
 *
 * @param logProbs log p(y_t | x, y_&lt;t) for each answer token (and the closing {@code <eos>})
 * @param vocabMean μ_t = Σ_v p(v) log p(v), the expected log-probability under the model's own next-token
 *     distribution at each answer position (for Min-K%++)
 * @param vocabStd σ_t = √(Σ_v p(v) (log p(v))² − μ_t²) at each answer position
 * @param argmaxCorrect whether the model's top token at each position is the true token
 */
public record TokenLogProbs(double[] logProbs, double[] vocabMean, double[] vocabStd, boolean[] argmaxCorrect) {

    /** Number of answer tokens. */
    public int length() {
        return logProbs.length;
    }

    /** These statistics without the last token's (a text scored without its closing {@code <eos>}). */
    public TokenLogProbs withoutLast() {
        int n = logProbs.length - 1;
        return new TokenLogProbs(java.util.Arrays.copyOf(logProbs, n), java.util.Arrays.copyOf(vocabMean, n),
                java.util.Arrays.copyOf(vocabStd, n), java.util.Arrays.copyOf(argmaxCorrect, n));
    }

    /** avgNLL = −(1/n) Σ_t log p(y_t | ·). */
    public double meanNll() {
        double s = 0;
        for (double v : logProbs) {
            s -= v;
        }
        return s / logProbs.length;
    }

    /** Whether every answer token is the argmax: greedy decoding reproduces the answer and stops. */
    public boolean exactMatch() {
        for (boolean b : argmaxCorrect) {
            if (!b) {
                return false;
            }
        }
        return true;
    }
}
