package dev.lethe.objective;

import ai.djl.ndarray.NDArray;
import dev.lethe.model.Scalars;
import dev.lethe.optim.Schedule;

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

    /**
     * {@code w(t) · this}, where the weight follows a schedule of the step, e.g. a retain term warmed up over
     * the stage: {@code klRetain().times(Schedules.warmupLinearDecay(1, 100))}. The weight is
     * {@code weight.at(step.index(), step.totalSteps())}, read in Java at each evaluation (a constant of the
     * graph). A schedule is Optax's "a number or a function of the step" (see STYLE.md).
     */
    default Objective times(Schedule weight) {
        return new ScheduledWeight(this, weight);
    }

    /** The sum of two objectives. */
    record Sum(Objective first, Objective second) implements Objective {
        @Override
        public NDArray loss(Step step) {
            return first.loss(step).add(second.loss(step));
        }
    }

    /** An objective times a weight that depends on the step: {@code weight.at(index, totalSteps) · objective}. */
    record ScheduledWeight(Objective objective, Schedule weight) implements Objective {
        @Override
        public NDArray loss(Step step) {
            return Scalars.times(objective.loss(step), weight.at(step.index(), step.totalSteps()));
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
