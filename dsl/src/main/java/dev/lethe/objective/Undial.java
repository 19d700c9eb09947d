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
 * UNDIAL, unlearning via self-distillation with adjusted logits (Dong et al. 2025, "UNDIAL: Self-Distillation
 * with Adjusted Logits for Robust Unlearning in Large Language Models", NAACL 2025, the method's
 * adjusted-logit target and self-distillation loss; the paper's equation numbers were not available to us, so the
 * formula below was checked against open-unlearning's {@code compute_undial_loss}). The teacher is the frozen
 * reference, the copy of the model taken when the stage began ({@link Step#referenceScores}), whose logit of the
 * answer token is lowered by β before the softmax; the student is trained towards that distribution by
 * cross-entropy, at every answer position t:
 * <pre>
 *   q_t = softmax(z_ref,t − β·onehot(y_t))          the adjusted teacher distribution, no gradient
 *   L   = (1/N)·Σ_t CE(z_θ,t, q_t) = −(1/N)·Σ_t Σ_v q_t(v)·log softmax(z_θ,t)(v)
 * </pre>
 * N the answer tokens of the forget batch (and their closing {@code <eos>}), pooled over the batch. Only the
 * answer token's probability is lowered, and by a bounded amount, so the loss has a minimum (the student equals the
 * teacher) instead of running off as gradient ascent does.
 *
 * <p><b>Deviation from open-unlearning.</b> Its code averages the cross-entropy over every position of the
 * padded batch, prompt and padding included (its one-hot is built from the labels with −100 in place, which
 * indexes vocabulary entry V − 100, and its mean leaves no position out); Lethe averages over the answer
 * positions only, as the paper's sum over the forget sequence's tokens does, and as {@link KlRetain} masks the same
 * problem. open-unlearning's UNDIAL trainer adds γ·L + α·NLL(retain) with α = 0 in its config: a retain term is
 * a {@code plus} here.
 *
 * @param beta the logit adjustment β ≥ 0; open-unlearning's config uses 10 (β = 0 distils the teacher as it is)
 */
public record Undial(double beta) implements Objective.TokenMean {
    /** The objective {@code undial}. */
    public static final Kind<Undial> KIND = Kind.of("undial", Undial.class,
            "UNDIAL: self-distillation towards the frozen reference with the answer's logit lowered by β "
                    + "(Dong et al. 2025, NAACL)",
            List.of(Param.of("beta", real(Range.nonNegative()), 10.0, "logit adjustment β of the answer token",
                    Undial::beta)),
            a -> new Undial(a.real("beta")));

    /** As a recipe file writes it ({@link PartText}). */
    @Override
    public String toString() {
        return PartText.of(this, List.of(KIND));
    }

    /** Validates β. */
    public Undial {
        if (!(beta >= 0) || !Double.isFinite(beta)) {
            throw new IllegalArgumentException("UNDIAL beta must be finite and >= 0, was " + beta);
        }
    }

    /** Averages over the forget batch's answer tokens (accumulates over micro-batches). */
    @Override
    public Split tokensOf() {
        return Split.FORGET;
    }

    @Override
    public NDArray loss(Step step) {
        TokenScores student = step.scores(Split.FORGET);
        NDArray teacher = step.referenceScores(Split.FORGET).output().logits().stopGradient();
        NDArray adjusted = teacher.sub(Scalars.times(SoftTargets.oneHot(step.batch(Split.FORGET).targets(), teacher),
                beta));
        NDArray q = adjusted.softmax(-1);
        return SoftTargets.maskedMean(SoftTargets.crossEntropy(student.output().logits(), q), student.mask());
    }
}
