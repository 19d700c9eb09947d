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
 * <p><b>Where the activation is applied</b> ({@link Pooling}). The paper's loss (the empirical variational form
 * of its FLAT objective) averages the per-example term −g*(P_e) + f*(g*(P_f)) over the forget data: Lethe's default,
 * {@link Pooling#PER_EXAMPLE}. The authors' code (UCSC-REAL/FLAT, {@code dataloader.py}, loss type {@code cl}:
 * {@code ProbLossStable} per position, stacked over the batch, {@code .mean()}, then
 * {@code get_contrastive_loss}) pools first: it averages the label-token probabilities over the positions of the
 * whole batch and applies g* and f* once to the two pooled means, {@link Pooling#BATCH}:
 * <pre>
 *   L_batch = −g*(P̄_e) + f*(g*(P̄_f)),   P̄ = Σ_{b,t} m_{b,t}·p_{b,t} / Σ_{b,t} m_{b,t}
 * </pre>
 * One remaining difference: the code's mean divides by every position of the padded batch (prompt and padding
 * contribute probability 0), so its P̄ is ours times the batch's fraction of answer positions; Lethe divides by
 * the answer positions only, so the loss does not depend on padding or prompt length. The default stays per
 * example because it is the paper's estimator, it does not change with the batch size, and it is a mean of
 * per-example terms, so it accumulates over micro-batches ({@link #accumulates()}); the batch-pooled form is
 * batch-coupled and refuses accumulation.
 *
 * @param divergence which f-divergence; {@link Divergence#TOTAL_VARIATION} by default, as the paper
 * @param pooling where the activation is applied; {@link Pooling#PER_EXAMPLE} by default
 */
public record Flat(Divergence divergence, Pooling pooling) implements Objective.ExampleMean {
    /** The objective {@code flat}. */
    public static final Kind<Flat> KIND = Kind.of("flat", Flat.class,
            "FLAT, f-divergence loss adjustment (Wang et al. 2024); pooling per_example (the paper, default) or "
                    + "batch (the authors' code)",
            List.of(Param.of("divergence", choice(Divergence.class), Divergence.TOTAL_VARIATION, "the f-divergence",
                            Flat::divergence),
                    Param.of("pooling", choice(Pooling.class), Pooling.PER_EXAMPLE, "per_example: mean of the "
                            + "per-example terms (paper); batch: the terms of the batch-pooled probabilities (code)",
                            Flat::pooling)),
            a -> new Flat(a.get("divergence"), a.get("pooling")));

    /** FLAT with {@code divergence}, per example (the paper's form). */
    public Flat(Divergence divergence) {
        this(divergence, Pooling.PER_EXAMPLE);
    }

    /** Where FLAT applies the f-divergence's activation and conjugate. */
    public enum Pooling {
        /** To each example's mean token probability, then the mean over the batch (the paper's form). */
        PER_EXAMPLE,
        /** Once, to the mean token probability pooled over every answer position of the batch (the authors' code). */
        BATCH
    }

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

    /** Whether the loss is a mean of per-example terms: per example only (the pooled form couples the batch). */
    @Override
    public boolean accumulates() {
        return pooling == Pooling.PER_EXAMPLE;
    }

    @Override
    public NDArray microLoss(Step step, MicroBatch micro) {
        if (!accumulates()) {
            throw new UnsupportedOperationException("FLAT with batch pooling applies its activation to the whole "
                    + "batch's pooled probabilities, so its loss cannot be accumulated over micro-batches: use "
                    + "pooling: per_example or accumulate: 1");
        }
        return Objective.ExampleMean.super.microLoss(step, micro);
    }

    @Override
    public NDArray loss(Step step) {
        TokenScores refusal = step.refusalScores(Split.FORGET);
        TokenScores forget = step.scores(Split.FORGET);
        NDArray pe = pooling == Pooling.BATCH ? pooledTokenProbability(refusal) : meanTokenProbability(refusal);
        NDArray pf = pooling == Pooling.BATCH ? pooledTokenProbability(forget) : meanTokenProbability(forget);
        return divergence.conjugate(divergence.activation(pf)).sub(divergence.activation(pe)).mean();
    }

    /** Σ_{b,t} m·p(y_t | ·) / Σ_{b,t} m over the batch's answer tokens, a scalar. */
    private static NDArray pooledTokenProbability(TokenScores scores) {
        return scores.tokenLogProbs().exp().mul(scores.mask()).sum().div(scores.mask().sum());
    }

    /** (1/n)·Σ_t p(y_t | ·) over each row's answer tokens, shape (batch). */
    private static NDArray meanTokenProbability(TokenScores scores) {
        return scores.tokenLogProbs().exp().mul(scores.mask()).sum(new int[] {1}).div(scores.answerLengths());
    }
}
