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
 * Gradient difference (Liu et al. 2022, "Continual Learning and Private Unlearning"; TOFU §5): gradient
 * ascent on the forget split plus α times the NLL of the retain split,
 * {@code L = −mean avgNLL(forget) + α · mean avgNLL(retain)}.
 *
 * @param alpha weight of the retain term, 1 by default in the papers
 */
public record GradDiff(double alpha) implements Objective {
    /** The objective {@code grad_diff}. */
    public static final Kind<GradDiff> KIND = Kind.of("grad_diff", GradDiff.class,
            "GradDiff: −NLL(forget) + α·NLL(retain) (Liu et al. 2022)",
            List.of(Param.of("alpha", real(Range.any()), 1.0, "retain weight α", GradDiff::alpha)),
            a -> new GradDiff(a.real("alpha")));

    /** As a recipe file writes it ({@link PartText}). */
    @Override
    public String toString() {
        return PartText.of(this, List.of(KIND));
    }

    @Override
    public boolean accumulates() {
        return true;
    }

    /** Each term's share: the forget mean's and α times the retain mean's, which may differ. */
    @Override
    public NDArray microLoss(Step step, MicroBatch micro) {
        return new GradientAscent(Split.FORGET).microLoss(step, micro)
                .add(Scalars.times(new Nll(Split.RETAIN).microLoss(step, micro), alpha));
    }

    @Override
    public NDArray loss(Step step) {
        return new GradientAscent(Split.FORGET).loss(step).add(Scalars.times(new Nll(Split.RETAIN).loss(step), alpha));
    }
}
