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
 * DPO with a refusal as the preferred answer, "IdkPO" (Rafailov et al. 2023, "Direct Preference
 * Optimization", eq. 7, as used for unlearning by Maini et al. 2024, TOFU §5, and Zhang et al. 2024, NPO
 * §3): with {@code Δ(y) = log π_θ(y|x) − log π_ref(y|x)} (sequence log-probabilities summed over answer
 * tokens), {@code L = mean over the forget batch of −(2/β)·log σ(β·[Δ(y_idk) − Δ(y_f)])}, y_idk the
 * example's refusal template ({@link Step#refusalScores}) and y_f its forget answer. Computed stably as
 * {@code (2/β)·softplus(−β·[Δ(y_idk) − Δ(y_f)])}. The 2/β scale follows FORMULAS.md and NPO's convention.
 *
 * @param beta inverse temperature β &gt; 0; 0.1 by default
 */
public record Dpo(double beta) implements Objective.ExampleMean {
    /** The objective {@code dpo}. */
    public static final Kind<Dpo> KIND = Kind.of("dpo", Dpo.class,
            "DPO / IdkPO with refusals preferred (Rafailov et al. 2023)",
            List.of(Param.of("beta", real(Range.positive()), 0.1, "inverse temperature β", Dpo::beta)),
            a -> new Dpo(a.real("beta")));

    /** As a recipe file writes it ({@link PartText}). */
    @Override
    public String toString() {
        return PartText.of(this, List.of(KIND));
    }

    /** Validates β. */
    public Dpo {
        if (!(beta > 0)) {
            throw new IllegalArgumentException("DPO beta must be > 0, was " + beta);
        }
    }

    /** Averages over the forget batch's examples (accumulates over micro-batches). */
    @Override
    public List<Split> averagedOver() {
        return List.of(Split.FORGET);
    }

    @Override
    public NDArray loss(Step step) {
        NDArray preferred = step.refusalScores(Split.FORGET).sequenceLogProb()
                .sub(step.referenceRefusalScores(Split.FORGET).sequenceLogProb());
        NDArray rejected = step.scores(Split.FORGET).sequenceLogProb()
                .sub(step.referenceScores(Split.FORGET).sequenceLogProb());
        NDArray margin = preferred.sub(rejected);
        return Scalars.times(Activation.softPlus(Scalars.times(margin, -beta)).mean(), 2.0 / beta);
    }
}
