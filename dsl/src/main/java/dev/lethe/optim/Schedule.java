package dev.lethe.optim;

/** A learning rate as a function of the step, e.g. {@code (t, total) -> 1e-3}. */
@FunctionalInterface
public interface Schedule {
    /** The learning rate at step {@code step} (from 0) of {@code totalSteps}. */
    double at(long step, long totalSteps);
}
