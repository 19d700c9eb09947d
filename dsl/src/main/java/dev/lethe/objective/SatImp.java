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
 * SatImp, saturation-and-importance reweighted gradient ascent (Yang et al. 2025, "Exploring Criteria of Loss
 * Reweighting to Enhance LLM Unlearning", ICML 2025, the SatImp weighting; open-unlearning's
 * {@code compute_satimp_loss}, which the formula below was checked against). As {@link Wga}, a token-weighted
 * gradient ascent over the N answer tokens of the forget batch, with a weight that also vanishes for tokens the
 * model is already sure of:
 * <pre>
 *   w_t = sg(p_t^β1 · (1 − p_t)^β2)          p_t = p_θ(y_t | x, y_&lt;t), stop-gradient
 *   L   = −(1/N)·Σ_t w_t·(−log p_t) = (1/N)·Σ_t w_t·log p_t
 * </pre>
 * The mean is over every answer token of the batch, as in open-unlearning. β2 = 0 is {@link Wga} with β = β1.
 * open-unlearning's trainer adds γ·L + α·NLL(retain) (its config: γ = 0.1, α = 1): here that is
 * {@code satImp().times(0.1).plus(nll())}.
 *
 * @param beta1 the saturation exponent β1 ≥ 0; open-unlearning's default is 5
 * @param beta2 the importance exponent β2 ≥ 0; open-unlearning's default is 1
 */
public record SatImp(double beta1, double beta2) implements Objective.TokenMean {
    /** The objective {@code satimp}. */
    public static final Kind<SatImp> KIND = Kind.of("satimp", SatImp.class,
            "SatImp: token NLLs weighted by sg(p^β1·(1−p)^β2) (Yang et al. 2025, ICML)",
            List.of(Param.of("beta1", real(Range.nonNegative()), 5.0, "saturation exponent β1", SatImp::beta1),
                    Param.of("beta2", real(Range.nonNegative()), 1.0, "importance exponent β2", SatImp::beta2)),
            a -> new SatImp(a.real("beta1"), a.real("beta2")));

    /** As a recipe file writes it ({@link PartText}). */
    @Override
    public String toString() {
        return PartText.of(this, List.of(KIND));
    }

    /** Validates β1 and β2. */
    public SatImp {
        if (!(beta1 >= 0) || !Double.isFinite(beta1) || !(beta2 >= 0) || !Double.isFinite(beta2)) {
            throw new IllegalArgumentException("SatImp beta1 and beta2 must be finite and >= 0, were " + beta1
                    + " and " + beta2);
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
        NDArray held = logP.stopGradient();
        NDArray p = held.exp();
        NDArray importance = Scalars.plus(p.neg(), 1).pow(beta2);
        NDArray weights = Scalars.times(held, beta1).exp().mul(importance).mul(forget.mask());
        return weights.mul(logP).sum().div(forget.mask().sum());
    }
}
