package dev.lethe.optim;

import dev.lethe.part.Slot;
/** A learning rate as a function of the step, e.g. {@code (t, total) -> 1e-3}. */
@FunctionalInterface
public interface Schedule {
    /** The slot of recipe files that holds Schedule: learning-rate schedules and scheduled weights. */
    Slot<Schedule> SLOT = new Slot<>("schedule", Schedule.class);

    /** The learning rate at step {@code step} (from 0) of {@code totalSteps}. */
    double at(long step, long totalSteps);
}
