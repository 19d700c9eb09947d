package dev.lethe.objective;

import dev.lethe.data.Batch;
import dev.lethe.data.Split;

/**
 * What an {@link Objective} sees during one optimisation step. Everything is computed lazily and cached
 * for the duration of one loss evaluation: a split's batch is drawn the first time an objective asks for
 * it, the trained model's scores keep their autograd graph, the reference model's scores have none.
 */
public interface Step {
    /** Step number, from 0. */
    long index();

    /** Steps in the stage. */
    long totalSteps();

    /** This step's batch of {@code split}. */
    Batch batch(Split split);

    /** The trained model's scores on this step's batch of {@code split} (with gradients). */
    TokenScores scores(Split split);

    /**
     * The frozen reference model's scores on the same batch (no gradients). The reference is a copy of
     * the model taken when the stage began.
     */
    TokenScores referenceScores(Split split);

    /**
     * This step's batch of {@code split} with each answer replaced by a template refusal
     * ({@link dev.lethe.data.Refusals#forExample} of the example's position in its split): the same
     * examples, in the same order, with the same prompts as {@link #batch(Split)}. The alternative answer of
     * IdK, IdkPO and FLAT.
     */
    Batch refusalBatch(Split split);

    /** The trained model's scores on {@link #refusalBatch(Split)} (with gradients). */
    TokenScores refusalScores(Split split);

    /** The frozen reference model's scores on {@link #refusalBatch(Split)} (no gradients). */
    TokenScores referenceRefusalScores(Split split);
}
