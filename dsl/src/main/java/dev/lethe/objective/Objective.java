package dev.lethe.objective;

import ai.djl.ndarray.NDArray;
import dev.lethe.model.Scalars;

/**
 * A scalar loss to minimise, computed from a {@link Step}. One method, so a Java or Kotlin lambda is an
 * objective: {@code step -> step.scores(FORGET).meanNll().mean().neg()}.
 */
@FunctionalInterface
public interface Objective {
    /** The loss of this step, a scalar array that keeps its autograd graph. */
    NDArray loss(Step step);

    /** {@code this + other}; Kotlin's {@code +}. */
    default Objective plus(Objective other) {
        return new Sum(this, other);
    }

    /** {@code weight · this}; Kotlin's {@code *}. */
    default Objective times(double weight) {
        return new Scaled(this, weight);
    }

    /** The sum of two objectives. */
    record Sum(Objective first, Objective second) implements Objective {
        @Override
        public NDArray loss(Step step) {
            return first.loss(step).add(second.loss(step));
        }
    }

    /** An objective times a constant weight. */
    record Scaled(Objective objective, double weight) implements Objective {
        @Override
        public NDArray loss(Step step) {
            return Scalars.times(objective.loss(step), weight);
        }
    }
}
