package dev.lethe.objective;

import static dev.lethe.part.ParamTypes.real;

import ai.djl.ndarray.NDArray;
import dev.lethe.data.Split;
import dev.lethe.model.Scalars;
import dev.lethe.part.Kind;
import dev.lethe.part.Param;
import dev.lethe.part.ParamTypes.Range;
import dev.lethe.part.PartText;
import java.util.List;

/**
 * Weighted gradient ascent, WGA (Wang et al. 2025, "Rethinking LLM Unlearning Objectives: A Gradient
 * Perspective and Go Beyond", ICLR 2025, §4: gradient ascent whose token terms are weighted by the model's
 * confidence; open-unlearning's {@code compute_wga_loss}). Over the N answer tokens of the forget batch:
 * <pre>
 *   w_t = sg(p_θ(y_t | x, y_&lt;t))^β                confidence weight, stop-gradient
 *   L   = −(1/N)·Σ_t w_t·(−log p_θ(y_t | x, y_&lt;t)) = (1/N)·Σ_t w_t·log p_θ(y_t | x, y_&lt;t)
 * </pre>
 * The mean is over every answer token of the batch (not per example first), as in open-unlearning. Tokens
 * the model has already forgotten (small p) get small weights, so the ascent stops pushing them towards
 * −∞, which is what makes plain gradient ascent collapse. β = 0 gives token-averaged gradient ascent. The
 * weights are p^β = exp(β·log p), computed from the stopped log-probabilities. open-unlearning's trainer adds
 * a retain term (γ·L + α·NLL(retain)); here that is a sum: {@code wga().plus(nll())}.
 *
 * @param beta the confidence exponent β ≥ 0; open-unlearning's default is 1
 */
public record Wga(double beta) implements Objective.TokenMean {
    /** The objective {@code wga}. */
    public static final Kind<Wga> KIND = Kind.of("wga", Wga.class,
            "weighted gradient ascent: token NLLs weighted by sg(p)^β (Wang et al. 2025, ICLR)",
            List.of(Param.of("beta", real(Range.nonNegative()), 1.0, "confidence exponent β", Wga::beta)),
            a -> new Wga(a.real("beta")));

    /** As a recipe file writes it ({@link PartText}). */
    @Override
    public String toString() {
        return PartText.of(this, List.of(KIND));
    }

    /** Validates β. */
    public Wga {
        if (!(beta >= 0) || !Double.isFinite(beta)) {
            throw new IllegalArgumentException("WGA beta must be finite and >= 0, was " + beta);
        }
    }

    /** Averages over the forget batch's answer tokens (accumulates over micro-batches). */
    @Override
    public Split tokensOf() {
        return Split.FORGET;
    }

    @Override
    public NDArray loss(Step step) {
        TokenScores forget = step.scores(Split.FORGET);
        NDArray logP = forget.tokenLogProbs();
        NDArray weights = Scalars.times(logP.stopGradient(), beta).exp().mul(forget.mask());
        return weights.mul(logP).sum().div(forget.mask().sum());
    }
}
