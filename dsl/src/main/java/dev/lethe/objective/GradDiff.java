package dev.lethe.objective;

import ai.djl.ndarray.NDArray;
import dev.lethe.data.Split;
import dev.lethe.model.Scalars;

/**
 * Gradient difference (Liu et al. 2022, "Continual Learning and Private Unlearning"; TOFU §5): gradient
 * ascent on the forget split plus α times the NLL of the retain split,
 * {@code L = −mean avgNLL(forget) + α · mean avgNLL(retain)}.
 *
 * @param alpha weight of the retain term, 1 by default in the papers
 */
public record GradDiff(double alpha) implements Objective {
    @Override
    public NDArray loss(Step step) {
        return new GradientAscent(Split.FORGET).loss(step).add(Scalars.times(new Nll(Split.RETAIN).loss(step), alpha));
    }
}
