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
 * @param accumulate how many micro-batches each step's batch is cut into, their gradients summed (weighted by
 *     their share of the batch's examples) before the one update: the step equals the whole batch's up to
 *     float rounding, with the activation memory of one micro-batch (1: the whole batch at once)
 * @param maxLength the longest training sequence in tokens ({@code <bos>}, prompt and answer), at most the
 *     model's context length; longer examples are cut at the end as TOFU's {@code max_length} cuts them
 *     (0: the model's context length)
 */
public record Training(long steps, int batchSize, Optimizer optimizer, int accumulate, int maxLength) {

    /** Validates the numbers. */
    public Training {
        if (steps < 0) {
            throw new IllegalArgumentException("steps must be >= 0, was " + steps);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be >= 1, was " + batchSize);
        }
        if (accumulate < 1 || accumulate > batchSize) {
            throw new IllegalArgumentException("accumulate must be between 1 and the batch size " + batchSize
                    + " (micro-batches of at least one example), was " + accumulate);
        }
        if (maxLength != 0 && maxLength < 2) {
            throw new IllegalArgumentException("maxLength must be >= 2 tokens (or 0: the model's context length), was "
                    + maxLength);
        }
    }

    /** {@code steps} steps of {@code batchSize} with {@code optimizer}, no accumulation, the model's context length. */
    public Training(long steps, int batchSize, Optimizer optimizer) {
        this(steps, batchSize, optimizer, 1, 0);
    }

    /** {@code steps} steps of batch 32 with AdamW (lr 3e-3, 5 % warm-up, linear decay, weight decay 0.01). */
    public static Training of(long steps) {
        return new Training(steps, 32,
                Optimizers.adamW(Schedules.warmupLinearDecay(3e-3, Math.max(1, steps / 20)), 0.01));
    }

    /** A copy with another step count. */
    public Training withSteps(long newSteps) {
        return new Training(newSteps, batchSize, optimizer, accumulate, maxLength);
    }

    /** A copy with another batch size. */
    public Training withBatchSize(int newBatchSize) {
        return new Training(steps, newBatchSize, optimizer, accumulate, maxLength);
    }

    /** A copy with another optimizer. */
    public Training withOptimizer(Optimizer newOptimizer) {
        return new Training(steps, batchSize, newOptimizer, accumulate, maxLength);
    }

    /** A copy whose steps accumulate gradients over {@code k} micro-batches of the batch (1: none). */
    public Training withAccumulate(int k) {
        return new Training(steps, batchSize, optimizer, k, maxLength);
    }

    /** A copy whose training sequences are cut to {@code tokens} (0: the model's context length). */
    public Training withMaxLength(int tokens) {
        return new Training(steps, batchSize, optimizer, accumulate, tokens);
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

    /** Short for {@link #withAccumulate}. */
    public Training accumulate(int k) {
        return withAccumulate(k);
    }

    /** Short for {@link #withMaxLength}. */
    public Training maxLength(int tokens) {
        return withMaxLength(tokens);
    }
}
