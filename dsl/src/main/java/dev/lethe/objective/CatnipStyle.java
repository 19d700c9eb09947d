package dev.lethe.objective;

import static dev.lethe.part.ParamTypes.real;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import dev.lethe.data.Split;
import dev.lethe.model.Scalars;
import dev.lethe.part.Kind;
import dev.lethe.part.Param;
import dev.lethe.part.ParamTypes.Range;
import dev.lethe.part.PartText;
import java.util.List;

/**
 * A CATNIP-style calibrated token-level NPO. CATNIP (2026) scales each answer token's NPO contribution by
 * the model's own confidence in that token and uses no retain set; its exact formula is not public to us,
 * so this is our documented variant (FORMULAS.md, "Calibrated token-level NPO"), labelled "CATNIP-style",
 * not the paper's method. For each forget example with answer tokens t = 1..n:
 * <pre>
 *   r_t = log p_θ(y_t | x, y_&lt;t) − log p_ref(y_t | x, y_&lt;t)        token-level log-ratio
 *   ℓ_t = −(2/β)·log σ(−β·r_t) = (2/β)·softplus(β·r_t)           token-level NPO (Zhang et al. 2024, eq. 3, per token)
 *   w_t = sg(p_θ(y_t | x, y_&lt;t))^k / Σ_s sg(p_θ(y_s | x, y_&lt;s))^k   confidence weights, normalised over the answer
 *   L   = mean over examples of Σ_t w_t·ℓ_t
 * </pre>
 * sg is stop-gradient: the weights steer where the forgetting goes (tokens the model is still confident
 * about) without being a second path for the gradient, which would otherwise also push confidence down
 * through the weights themselves. p_ref is the model frozen when the stage began (the step's reference),
 * so its per-token log-probabilities are fixed targets. Normalising over the answer makes every example
 * count equally, whatever its length. k = 0 gives uniform weights: token-averaged token-level NPO.
 * The weights are normalised in log space (the row's largest k·log p subtracted before exponentiating), so
 * they stay defined when every p^k of an answer underflows.
 *
 * @param beta inverse temperature β &gt; 0 of the token-level NPO terms; 0.1 by default, as NPO
 * @param k confidence exponent k ≥ 0; 1 by default
 */
public record CatnipStyle(double beta, double k) implements Objective.ExampleMean {
    /** The objective {@code catnip}. */
    public static final Kind<CatnipStyle> KIND = Kind.of("catnip", CatnipStyle.class,
            "confidence-weighted token-level NPO (CATNIP-style)",
            List.of(Param.of("beta", real(Range.positive()), 0.1, "inverse temperature β", CatnipStyle::beta),
                    Param.of("k", real(Range.nonNegative()), 1.0, "confidence exponent k", CatnipStyle::k)),
            a -> new CatnipStyle(a.real("beta"), a.real("k")));

    /** As a recipe file writes it ({@link PartText}). */
    @Override
    public String toString() {
        return PartText.of(this, List.of(KIND));
    }

    /** Validates β and k. */
    public CatnipStyle {
        if (!(beta > 0)) {
            throw new IllegalArgumentException("CATNIP-style beta must be > 0, was " + beta);
        }
        if (!(k >= 0) || !Double.isFinite(k)) {
            throw new IllegalArgumentException("CATNIP-style k must be finite and >= 0, was " + k);
        }
    }

    /** Averages over the forget batch's examples (accumulates over micro-batches). */
    @Override
    public List<Split> averagedOver() {
        return List.of(Split.FORGET);
    }

    @Override
    public NDArray loss(Step step) {
        TokenScores trained = step.scores(Split.FORGET);
        NDArray mask = trained.mask();
        NDArray logP = trained.tokenLogProbs();
        NDArray logRef = step.referenceScores(Split.FORGET).tokenLogProbs().stopGradient();
        // w_t = exp(k·log p_t − max_s k·log p_s) / Σ_s (same): the row maximum is subtracted so that tokens the
        // model already finds very unlikely cannot underflow every weight of a row to 0 (0/0); masked positions
        // are pushed to −1e4 before the maximum and zeroed after
        NDArray scaled = Scalars.times(logP.stopGradient(), k).add(Scalars.times(Scalars.plus(mask, -1), 1e4));
        NDArray raw = scaled.sub(scaled.max(new int[] {1}, true)).exp().mul(mask);
        NDArray weights = raw.div(raw.sum(new int[] {1}, true));
        NDArray perToken = Scalars.times(Activation.softPlus(Scalars.times(logP.sub(logRef), beta)), 2.0 / beta);
        return perToken.mul(weights).sum(new int[] {1}).mean();
    }
}
