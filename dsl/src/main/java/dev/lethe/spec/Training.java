package dev.lethe.spec;

import dev.lethe.optim.Optimizer;
import dev.lethe.optim.Optimizers;
import dev.lethe.optim.Schedules;

/**
 * How a training stage ({@link Learn}, {@link Finetune}, {@link Reference}) optimises: next-token NLL of its
 * texts, with the prompt masked, over the stage's splits.
 *
 * @param steps optimisation steps
 * @param batchSize examples per step (shared among the splits in proportion to their sizes)
 * @param optimizer the optimizer
 */
public record Training(long steps, int batchSize, Optimizer optimizer) {

    /** Validates the numbers. */
    public Training {
        if (steps < 0) {
            throw new IllegalArgumentException("steps must be >= 0, was " + steps);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be >= 1, was " + batchSize);
        }
    }

    /** {@code steps} steps of batch 32 with AdamW (lr 3e-3, 5 % warm-up, linear decay, weight decay 0.01). */
    public static Training of(long steps) {
        return new Training(steps, 32,
                Optimizers.adamW(Schedules.warmupLinearDecay(3e-3, Math.max(1, steps / 20)), 0.01));
    }

    /** A copy with another step count. */
    public Training withSteps(long newSteps) {
        return new Training(newSteps, batchSize, optimizer);
    }

    /** A copy with another batch size. */
    public Training withBatchSize(int newBatchSize) {
        return new Training(steps, newBatchSize, optimizer);
    }

    /** A copy with another optimizer. */
    public Training withOptimizer(Optimizer newOptimizer) {
        return new Training(steps, batchSize, newOptimizer);
    }

    /** Short for {@link #withSteps}. */
    public Training steps(long newSteps) {
        return withSteps(newSteps);
    }

    /** Short for {@link #withBatchSize}. */
    public Training batchSize(int newBatchSize) {
        return withBatchSize(newBatchSize);
    }

    /** Short for {@link #withOptimizer}. */
    public Training optimizer(Optimizer newOptimizer) {
        return withOptimizer(newOptimizer);
    }
}
