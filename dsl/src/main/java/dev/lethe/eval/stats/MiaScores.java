package dev.lethe.eval.stats;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.Deflater;

/**
 * Membership-inference scores of one text from its per-token log-probabilities log p(x_t | x_&lt;t) under the
 * model. All are oriented like a loss: <b>members score lower</b>; feed {@code −score} to {@link RocAuc#auc}
 * with members as positives.
 *
 * <ul>
 *   <li>LOSS (Yeom et al., 2018): avgNLL = −(1/n) Σ_t log p_t.
 *   <li>zlib (Carlini et al., 2021, "Extracting training data from large language models"): avgNLL divided by
 *       the length in bytes of {@code zlib.compress(text.encode('utf-8'))}.
 *   <li>Min-K% (Shi et al., 2024, "Detecting pretraining data from large language models"): −mean of the
 *       int(k·n) lowest token log-probabilities (at least one).
 *   <li>Min-K%++ (Zhang et al., 2024, "Min-K%++: improved baseline for detecting pre-training data from large
 *       language models"): the same on z_t = (log p_t − μ_t)/σ_t, μ_t and σ_t from {@link #moments}.
 *   <li>GradNorm ({@link #gradNorm}): the mean per-tensor gradient norm of the example's loss.
 *   <li>Reference ({@link #reference}): avgNLL minus a reference model's avgNLL on the same text.
 * </ul>
 */
public final class MiaScores {
    /** The default fraction k of tokens kept by Min-K% and Min-K%++. */
    public static final double DEFAULT_K = 0.4;

    private MiaScores() {}

    /** LOSS: avgNLL = −mean_t log p_t. */
    public static double loss(double[] tokenLogProbs) {
        requireTokens(tokenLogProbs);
        double sum = 0;
        for (double lp : tokenLogProbs) {
            sum += lp;
        }
        return -sum / tokenLogProbs.length;
    }

    /**
     * zlib: {@link #loss} / {@link #zlibLength}(text), as in Carlini et al. 2021 and MUSE/mimir's
     * {@code loss / len(zlib.compress(bytes(text, 'utf-8')))}.
     */
    public static double zlib(double[] tokenLogProbs, String text) {
        return loss(tokenLogProbs) / zlibLength(text);
    }

    /**
     * Length in bytes of the zlib stream (RFC 1950 header, deflate, Adler-32) of the UTF-8 text at the default
     * compression level, i.e. {@code len(zlib.compress(text.encode('utf-8')))} in Python.
     */
    public static int zlibLength(String text) {
        byte[] input = text.getBytes(StandardCharsets.UTF_8);
        Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, false);
        try {
            deflater.setInput(input);
            deflater.finish();
            byte[] buffer = new byte[input.length + 64];
            int total = 0;
            while (!deflater.finished()) {
                total += deflater.deflate(buffer);
            }
            return total;
        } finally {
            deflater.end();
        }
    }

    /** Min-K% with k = {@value #DEFAULT_K}. */
    public static double minK(double[] tokenLogProbs) {
        return minK(tokenLogProbs, DEFAULT_K);
    }

    /**
     * Min-K%: −(1/K) Σ of the K = max(1, int(k·n)) smallest log p_t, k·n truncated as Python's {@code int()} does,
     * as Shi et al.'s released code and MUSE's {@code privleak/get_ppl_utils.py} keep them ({@code Min-40%} for
     * k = 0.4). Those keep no token for n·k &lt; 1 (a NaN mean); here a text that short keeps its lowest token.
     *
     * @param k the fraction of tokens kept, in (0, 1]
     */
    public static double minK(double[] tokenLogProbs, double k) {
        requireTokens(tokenLogProbs);
        if (!(k > 0 && k <= 1)) {
            throw new IllegalArgumentException("k must be in (0, 1], got " + k);
        }
        double[] sorted = tokenLogProbs.clone();
        Arrays.sort(sorted);
        int keep = Math.max(1, (int) (k * sorted.length));
        double sum = 0;
        for (int i = 0; i < keep; i++) {
            sum += sorted[i];
        }
        return -sum / keep;
    }

    /** Min-K%++ with k = {@value #DEFAULT_K}. */
    public static double minKPlusPlus(double[] tokenLogProbs, double[] mu, double[] sigma) {
        return minKPlusPlus(tokenLogProbs, mu, sigma, DEFAULT_K);
    }

    /**
     * Min-K%++: {@link #minK} applied to z_t = (log p(x_t) − μ_t)/σ_t, where μ_t = Σ_v p_t(v) log p_t(v) and
     * σ_t² = Σ_v p_t(v) (log p_t(v))² − μ_t² are the mean and variance of log p under the model's next-token
     * distribution p_t at position t (Zhang et al. 2024, §3). The paper's score is the mean of the lowest z;
     * here it is negated like the other scores.
     *
     * @param mu μ_t per token; see {@link #moments}
     * @param sigma σ_t per token, positive (a position whose next-token distribution is uniform over its support
     *     has σ = 0 and gives an infinite or NaN z)
     */
    public static double minKPlusPlus(double[] tokenLogProbs, double[] mu, double[] sigma, double k) {
        if (mu.length != tokenLogProbs.length || sigma.length != tokenLogProbs.length) {
            throw new IllegalArgumentException("need one μ and one σ per token");
        }
        double[] z = new double[tokenLogProbs.length];
        for (int t = 0; t < z.length; t++) {
            z[t] = (tokenLogProbs[t] - mu[t]) / sigma[t];
        }
        return minK(z, k);
    }

    /**
     * μ and σ of log p(v) under v ~ p, from one position's full vector of vocabulary log-probabilities
     * (log-softmax of the logits). Terms with p(v) = 0 contribute 0.
     */
    public static VocabMoments moments(double[] vocabLogProbs) {
        double mean = 0;
        double second = 0;
        for (double lp : vocabLogProbs) {
            if (lp == Double.NEGATIVE_INFINITY) {
                continue;
            }
            double p = Math.exp(lp);
            mean += p * lp;
            second += p * lp * lp;
        }
        return new VocabMoments(mean, Math.sqrt(Math.max(0, second - mean * mean)));
    }

    /**
     * GradNorm (open-unlearning's and mimir's {@code GradNormAttack}): the mean of the per-tensor gradient norms
     * ‖∇_{θ_j} L‖_p of one example's loss L = avgNLL, {@code torch.stack(norms).mean()} in their code; lower for
     * members. The norms come from {@code dev.lethe.eval.GradientNorms}.
     *
     * @param tensorNorms one norm per trained parameter tensor
     */
    public static double gradNorm(double[] tensorNorms) {
        if (tensorNorms.length == 0) {
            throw new IllegalArgumentException("GradNorm needs at least one trained parameter tensor");
        }
        double sum = 0;
        for (double v : tensorNorms) {
            sum += v;
        }
        return sum / tensorNorms.length;
    }

    /**
     * The reference-model score (Carlini et al., 2021, "Extracting training data from large language models":
     * the ratio to a second model's likelihood; mimir's and open-unlearning's {@code ReferenceAttack}):
     * avgNLL_target − avgNLL_reference = −log(P̃_target / P̃_reference), P̃ = exp(−avgNLL) the length-normalised
     * likelihood, so the difference is the log of the likelihood ratio and ranks examples as the ratio does. Lower
     * for text the target holds better than a model that never saw it. open-unlearning's code computes
     * {@code target_loss − ref_loss}; mimir's {@code ref_loss − loss} with the opposite sign convention.
     */
    public static double reference(double targetLoss, double referenceLoss) {
        return targetLoss - referenceLoss;
    }

    private static void requireTokens(double[] tokenLogProbs) {
        if (tokenLogProbs.length == 0) {
            throw new IllegalArgumentException("a score needs at least one token");
        }
    }
}
