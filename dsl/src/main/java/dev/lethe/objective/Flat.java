package dev.lethe.objective;

import static dev.lethe.part.ParamTypes.choice;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import dev.lethe.data.Split;
import dev.lethe.model.Scalars;
import dev.lethe.part.Kind;
import dev.lethe.part.Param;
import dev.lethe.part.PartText;
import java.util.List;

/**
 * FLAT, "loss adjustment" unlearning with only forget data (Wang et al., ICLR 2025, "LLM Unlearning via
 * Loss Adjustment with Only Forget Data", the FLAT loss): the variational form of an f-divergence between the
 * template-answer distribution and the forget-answer distribution,
 * {@code L = mean over the forget batch of −g*(P_e) + f*(g*(P_f))}, where P_e is the mean token probability
 * {@code (1/n)·Σ_t p_θ(y_t|x, y_<t)} of the example's template answer ({@link Step#refusalScores}, a
 * refusal from {@link dev.lethe.data.Refusals}) and P_f the same of its forget answer, each over its own
 * answer tokens (and {@code <eos>}). Minimising it raises P_e and lowers P_f. No reference model.
 *
 * @param divergence which f-divergence; {@link Divergence#TOTAL_VARIATION} by default, as the paper
 */
public record Flat(Divergence divergence) implements Objective.ExampleMean {
    /** The objective {@code flat}. */
    public static final Kind<Flat> KIND = Kind.of("flat", Flat.class,
            "FLAT, f-divergence loss adjustment (Wang et al. 2024)",
            List.of(Param.of("divergence", choice(Divergence.class), Divergence.TOTAL_VARIATION, "the f-divergence",
                    Flat::divergence)),
            a -> new Flat(a.get("divergence")));

    /** As a recipe file writes it ({@link PartText}). */
    @Override
    public String toString() {
        return PartText.of(this, List.of(KIND));
    }

    /**
     * The f-divergences of FLAT (the paper's Table 2, after Nowozin et al. 2016, "f-GAN", Table 2): the
     * activation g* and the convex conjugate f*.
     */
    public enum Divergence {
        /** Kullback–Leibler: g*(v) = v, f*(t) = e^{t−1}. */
        KL,
        /** Total variation: g*(v) = tanh(v)/2, f*(t) = t. */
        TOTAL_VARIATION,
        /** Jensen–Shannon: g*(v) = log 2 − log(1 + e^{−v}), f*(t) = −log(2 − e^t). */
        JENSEN_SHANNON,
        /** Pearson χ²: g*(v) = v, f*(t) = t + t²/4. */
        PEARSON;

        /** The activation g*(v), element-wise. */
        public NDArray activation(NDArray v) {
            return switch (this) {
                case KL, PEARSON -> v;
                case TOTAL_VARIATION -> Scalars.times(v.tanh(), 0.5);
                case JENSEN_SHANNON -> Scalars.plus(Activation.softPlus(v.neg()).neg(), Math.log(2));
            };
        }

        /** The convex conjugate f*(t), element-wise. */
        public NDArray conjugate(NDArray t) {
            return switch (this) {
                case KL -> Scalars.plus(t, -1).exp();
                case TOTAL_VARIATION -> t;
                case JENSEN_SHANNON -> Scalars.plus(t.exp().neg(), 2).log().neg();
                case PEARSON -> t.add(Scalars.times(t.mul(t), 0.25));
            };
        }
    }

    /** Averages over the forget batch's examples (accumulates over micro-batches). */
    @Override
    public List<Split> averagedOver() {
        return List.of(Split.FORGET);
    }

    @Override
    public NDArray loss(Step step) {
        NDArray pe = meanTokenProbability(step.refusalScores(Split.FORGET));
        NDArray pf = meanTokenProbability(step.scores(Split.FORGET));
        return divergence.conjugate(divergence.activation(pf)).sub(divergence.activation(pe)).mean();
    }

    /** (1/n)·Σ_t p(y_t | ·) over each row's answer tokens, shape (batch). */
    private static NDArray meanTokenProbability(TokenScores scores) {
        return scores.tokenLogProbs().exp().mul(scores.mask()).sum(new int[] {1}).div(scores.answerLengths());
    }
}
