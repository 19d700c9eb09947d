package dev.lethe.optim;

import dev.lethe.model.Weights;

/** The last link of a descent chain: u ← −η_t·u, with η_t from a {@link Schedule}. */
public record ScaleByLearningRate(Schedule schedule) implements Transform {
    @Override
    public Updates update(Updates updates, TransformState state, Weights weights, long step, long totalSteps) {
        double lr = schedule.at(step, totalSteps);
        return updates.map((name, u) -> u.mul((float) -lr));
    }
}
