package dev.lethe;

import dev.lethe.objective.Objective;
import dev.lethe.optim.Optimizer;
import dev.lethe.optim.Optimizers;

/**
 * The unlearning stage: starting from the learned model, minimise {@code objective} for {@code steps}
 * steps. Each step draws a batch of {@code batchSize} from each split the objective asks for; the frozen
 * reference (for NPO-like objectives) is the learned model.
 *
 * <p>With {@code requests > 1} the stage is a sequence of unlearning requests: the forget split is cut
 * into {@code requests} disjoint, contiguous chunks of near-equal size (in the split's order, so the same
 * data gives the same chunks), and request {@code i} runs {@code steps} steps with chunk {@code i} as the
 * forget split, continuing from the model request {@code i − 1} left; the other splits and the frozen
 * reference (the learned model) stay the same. The run evaluates the model after each request (stage
 * {@code unlearn.request<i>}); the model after the last request is the {@code unlearned} one.
 *
 * @param objective what to minimise
 * @param optimizer how
 * @param steps optimisation steps (per request)
 * @param batchSize examples per split per step
 * @param requests how many sequential unlearning requests the forget split is cut into (1 = one request)
 */
public record Unlearning(Objective objective, Optimizer optimizer, long steps, int batchSize, int requests) {

    /** Validates the numbers. */
    public Unlearning {
        if (steps < 0) {
            throw new IllegalArgumentException("steps must be >= 0, was " + steps);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be >= 1, was " + batchSize);
        }
        if (requests < 1) {
            throw new IllegalArgumentException("requests must be >= 1, was " + requests);
        }
    }

    /** One request. */
    public Unlearning(Objective objective, Optimizer optimizer, long steps, int batchSize) {
        this(objective, optimizer, steps, batchSize, 1);
    }

    /** {@code objective} with AdamW at lr 1e-3 (weight decay 0.01) for 100 steps of batch 16. */
    public static Unlearning of(Objective objective) {
        return new Unlearning(objective, Optimizers.adamW(1e-3), 100, 16);
    }

    /** A copy with another optimizer. */
    public Unlearning optimizer(Optimizer newOptimizer) {
        return new Unlearning(objective, newOptimizer, steps, batchSize, requests);
    }

    /** A copy with another step count (per request). */
    public Unlearning steps(long newSteps) {
        return new Unlearning(objective, optimizer, newSteps, batchSize, requests);
    }

    /** A copy with another batch size. */
    public Unlearning batchSize(int newBatchSize) {
        return new Unlearning(objective, optimizer, steps, newBatchSize, requests);
    }

    /** A copy that cuts the forget split into {@code k} sequential unlearning requests of {@code steps} steps each. */
    public Unlearning sequential(int k) {
        return new Unlearning(objective, optimizer, steps, batchSize, k);
    }
}
