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
 * Negative preference optimisation (Zhang et al. 2024, "Negative Preference Optimization: From
 * Catastrophic Collapse to Effective Unlearning", eq. 3):
 * {@code L = mean over the forget batch of −(2/β)·log σ(−β·[log π_θ(y|x) − log π_ref(y|x)])},
 * with sequence log-probabilities summed over answer tokens and π_ref the frozen model from before
 * unlearning. Computed stably as {@code (2/β)·softplus(β·ratio)}. As β → 0 its gradient tends to
 * gradient ascent's on the sequence log-likelihood.
 *
 * @param beta inverse temperature β &gt; 0; the paper uses 0.1
 */
public record Npo(double beta) implements Objective.ExampleMean {
    /** The objective {@code npo}. */
    public static final Kind<Npo> KIND = Kind.of("npo", Npo.class,
            "negative preference optimisation (Zhang et al. 2024)",
            List.of(Param.of("beta", real(Range.positive()), 0.1, "inverse temperature β", Npo::beta)),
            a -> new Npo(a.real("beta")));

    /** As a recipe file writes it ({@link PartText}). */
    @Override
    public String toString() {
        return PartText.of(this, List.of(KIND));
    }

    /** Validates β. */
    public Npo {
        if (!(beta > 0)) {
            throw new IllegalArgumentException("NPO beta must be > 0, was " + beta);
        }
    }

    /** Averages over the forget batch's examples (accumulates over micro-batches). */
    @Override
    public List<Split> averagedOver() {
        return List.of(Split.FORGET);
    }

    @Override
    public NDArray loss(Step step) {
        NDArray logRatio = step.scores(Split.FORGET).sequenceLogProb()
                .sub(step.referenceScores(Split.FORGET).sequenceLogProb());
        return Scalars.times(Activation.softPlus(Scalars.times(logRatio, beta)).mean(), 2.0 / beta);
    }
}
