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
 * Simple NPO (Fan et al. 2024, "Simplicity Prevails: Rethinking Negative Preference Optimization for LLM
 * Unlearning", the SimNPO loss): NPO without a reference model and with a length-normalised log-likelihood,
 * {@code L = mean over the forget batch of −(2/β)·log σ(−(β/n)·log π_θ(y|x) − γ)}, n the answer length
 * (the answer tokens and the closing {@code <eos>}, as in {@link TokenScores#answerLengths()}). Since
 * {@code −(1/n)·log π_θ(y|x) = avgNLL}, it is computed stably as {@code (2/β)·softplus(γ − β·avgNLL)}.
 *
 * @param beta inverse temperature β &gt; 0; 2.5 to 4.5 typical (FORMULAS.md), 2.5 by default
 * @param gamma reward margin γ (finite); 0 typical and by default
 */
public record SimNpo(double beta, double gamma) implements Objective.ExampleMean {
    /** The objective {@code simnpo}. */
    public static final Kind<SimNpo> KIND = Kind.of("simnpo", SimNpo.class,
            "SimNPO, reference-free NPO (Fan et al. 2024)",
            List.of(Param.of("beta", real(Range.positive()), 2.5, "inverse temperature β", SimNpo::beta),
                    Param.of("gamma", real(Range.any()), 0.0, "reward margin γ", SimNpo::gamma)),
            a -> new SimNpo(a.real("beta"), a.real("gamma")));

    /** As a recipe file writes it ({@link PartText}). */
    @Override
    public String toString() {
        return PartText.of(this, List.of(KIND));
    }

    /** Validates β and γ. */
    public SimNpo {
        if (!(beta > 0)) {
            throw new IllegalArgumentException("SimNPO beta must be > 0, was " + beta);
        }
        if (!Double.isFinite(gamma)) {
            throw new IllegalArgumentException("SimNPO gamma must be finite, was " + gamma);
        }
    }

    /** Averages over the forget batch's examples (accumulates over micro-batches). */
    @Override
    public List<Split> averagedOver() {
        return List.of(Split.FORGET);
    }

    @Override
    public NDArray loss(Step step) {
        NDArray avgNll = step.scores(Split.FORGET).meanNll();
        NDArray z = Scalars.plus(Scalars.times(avgNll, -beta), gamma);
        return Scalars.times(Activation.softPlus(z).mean(), 2.0 / beta);
    }
}
