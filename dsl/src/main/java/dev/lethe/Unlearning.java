package dev.lethe;

import dev.lethe.objective.Objective;
import dev.lethe.optim.Optimizer;
import dev.lethe.optim.Optimizers;

/**
 * The unlearning stage: starting from the learned model, minimise {@code objective} for {@code steps}
 * steps. Each step draws a batch of {@code batchSize} from each split the objective asks for; the frozen
 * reference (for NPO-like objectives) is the learned model.
 *
 * @param objective what to minimise
 * @param optimizer how
 * @param steps optimisation steps
 * @param batchSize examples per split per step
 */
public record Unlearning(Objective objective, Optimizer optimizer, long steps, int batchSize) {

    /** Validates the numbers. */
    public Unlearning {
        if (steps < 0) {
            throw new IllegalArgumentException("steps must be >= 0, was " + steps);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be >= 1, was " + batchSize);
        }
    }

    /** {@code objective} with AdamW at lr 1e-3 (weight decay 0.01) for 100 steps of batch 16. */
    public static Unlearning of(Objective objective) {
        return new Unlearning(objective, Optimizers.adamW(1e-3), 100, 16);
    }

    /** A copy with another optimizer. */
    public Unlearning optimizer(Optimizer newOptimizer) {
        return new Unlearning(objective, newOptimizer, steps, batchSize);
    }

    /** A copy with another step count. */
    public Unlearning steps(long newSteps) {
        return new Unlearning(objective, optimizer, newSteps, batchSize);
    }

    /** A copy with another batch size. */
    public Unlearning batchSize(int newBatchSize) {
        return new Unlearning(objective, optimizer, steps, newBatchSize);
    }
}
