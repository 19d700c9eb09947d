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
 * Unlearning", the SimNPO loss): NPO without a reference model and with a length-normalised
 * log-likelihood, {@code L = mean over the forget batch of −(2/β)·log σ(−(β/n)·log π_θ(y|x) − γ)}, n the answer
 * length (the answer tokens and the closing {@code <eos>}, as in {@link TokenScores#answerLengths()}). Since
 * {@code −(1/n)·log π_θ(y|x) = avgNLL}, it is computed stably as {@code (2/β)·softplus(γ − β·avgNLL)}.
 *
 * <p><b>γ in the paper and in the code.</b> Lethe's γ is the paper's, a margin on the scaled reward
 * β·avgNLL. The authors' TOFU trainer ({@code loss_type: simnpo}) and open-unlearning's {@code SimNPO} put the
 * margin inside the scaling instead: {@code −(2/β)·log σ(β·(avgNLL − δ))}, with the margin called
 * {@code gamma} in the authors' code and {@code delta} in open-unlearning's. The two agree when
 * <pre>
 *   γ_paper = β · δ_code        (δ_code = γ_paper / β)
 * </pre>
 * so a published setting {@code beta: 2.5, delta: 0.4} (code) is Lethe's {@code beta: 2.5, gamma: 1.0}.
 * A recipe may give the code's margin by name, {@code {simnpo: {beta: 2.5, delta: 0.4}}}, or from the DSL
 * {@link #ofCodeMargin(double, double)}; either way the objective holds (and a recipe file writes) the paper's γ.
 * With the default margin 0 the two forms are the same.
 *
 * @param beta inverse temperature β &gt; 0; 2.5 to 4.5 typical (FORMULAS.md), 2.5 by default
 * @param gamma reward margin γ of the paper (finite); 0 typical and by default
 */
public record SimNpo(double beta, double gamma) implements Objective.ExampleMean {
    /** The objective {@code simnpo}. */
    public static final Kind<SimNpo> KIND = Kind.of("simnpo", SimNpo.class,
            "SimNPO, reference-free NPO (Fan et al. 2024); gamma is the paper's margin, delta the official "
                    + "code's (gamma = beta * delta)",
            List.of(Param.of("beta", real(Range.positive()), 2.5, "inverse temperature β", SimNpo::beta),
                    Param.of("gamma", real(Range.any()), 0.0, "reward margin γ (the paper's)", SimNpo::gamma),
                    Param.optional("delta", real(Range.any()), "the margin as the official code and "
                            + "open-unlearning write it, −(2/β)·log σ(β·(avgNLL − δ)): read as γ = β·δ (give gamma "
                            + "or delta, not both; written back as gamma)", (SimNpo x) -> null)),
            a -> {
                if (a.given("delta")) {
                    if (a.given("gamma")) {
                        throw new IllegalArgumentException("simnpo takes gamma (the paper's margin) or delta (the "
                                + "official code's, gamma = beta * delta), not both");
                    }
                    return ofCodeMargin(a.real("beta"), a.real("delta"));
                }
                return new SimNpo(a.real("beta"), a.real("gamma"));
            });

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

    /**
     * SimNPO with the margin δ of the official code and open-unlearning, {@code −(2/β)·log σ(β·(avgNLL − δ))}:
     * the paper's γ = β·δ.
     */
    public static SimNpo ofCodeMargin(double beta, double delta) {
        if (!Double.isFinite(delta)) {
            throw new IllegalArgumentException("SimNPO delta must be finite, was " + delta);
        }
        return new SimNpo(beta, beta * delta);
    }

    /** The margin as the official code writes it, δ = γ/β. */
    public double codeMargin() {
        return gamma / beta;
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
