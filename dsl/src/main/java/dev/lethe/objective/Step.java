package dev.lethe.objective;

import ai.djl.ndarray.NDArray;
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

    /**
     * Whether this step's batch of {@code split} has rows: always, except in a micro-batch of gradient
     * accumulation ({@link MicroBatch}) that holds none of that split's rows, whose {@link #batch} cannot be
     * read. An objective averaging over several splits skips those that are absent.
     */
    default boolean has(Split split) {
        return true;
    }

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

    /**
     * The trained model's residual stream after block {@code layer} (1-based; 0 = the embeddings) on this
     * step's batch of {@code split}, shape (batch, time, width), with its autograd graph. Comes from the
     * same forward pass as {@link #scores(Split)}, so asking for both runs the model once. Which positions
     * count is the objective's choice: {@link Batch#inputMask()} marks every non-padding input,
     * {@link Batch#mask()} the answer positions. The input of representation objectives such as RMU (Li et
     * al. 2024, "The WMDP Benchmark", §5).
     */
    NDArray hidden(Split split, int layer);

    /**
     * The frozen reference model's residual stream after block {@code layer} on the same batch as
     * {@link #hidden(Split, int)}, shape (batch, time, width), without gradients; from the same forward pass
     * as {@link #referenceScores(Split)}. RMU's retain target (Li et al. 2024, "The WMDP Benchmark", §5).
     */
    NDArray referenceHidden(Split split, int layer);

    /**
     * Number of transformer blocks of the trained model: the largest valid {@code layer} of
     * {@link #hidden(Split, int)}. Lets an objective pick a layer by depth, as RMU's "middle layer" (Li et
     * al. 2024, "The WMDP Benchmark", §5).
     */
    int layers();

    /** The trained model's scores on {@link #refusalBatch(Split)} (with gradients). */
    TokenScores refusalScores(Split split);

    /** The frozen reference model's scores on {@link #refusalBatch(Split)} (no gradients). */
    TokenScores referenceRefusalScores(Split split);

    /**
     * This step's batch of {@code split} with each example's answer replaced by the {@code alternates.samples()}
     * alternate answers sampled from the frozen reference ({@link Alternates}): row {@code b·K + k} holds
     * example b's k-th alternate (K = samples), with the example's prompt. The chosen answers of AltPO.
     */
    Batch alternateBatch(Split split, Alternates alternates);

    /** The trained model's scores on {@link #alternateBatch} (with gradients). */
    TokenScores alternateScores(Split split, Alternates alternates);

    /** The frozen reference model's scores on {@link #alternateBatch} (no gradients). */
    TokenScores referenceAlternateScores(Split split, Alternates alternates);

    /**
     * The <em>oracle</em>'s scores on this step's batch of {@code split}, without gradients: the run's reference
     * model, retrained without the forget split (the {@code reference} stage, the same model {@code kl_to_reference}
     * compares with), not the frozen copy of {@link #referenceScores}. The target of oracle matching (Georgiev et al.
     * 2024, "Attribute-to-Delete: Machine Unlearning via Datamodel Matching", arXiv:2410.23232, §3).
     *
     * @throws IllegalStateException when the stage has no oracle (no reference stage ran before it)
     */
    default TokenScores oracleScores(Split split) {
        throw new IllegalStateException("this step has no oracle: add a reference stage (the model retrained without "
                + "the forget split) before the unlearn stage");
    }

    /**
     * The datamodel's predicted effect of the forget set on the logits of this step's batch of {@code split},
     * shape (batch, time, vocabulary), without gradients: Σ_{i∈F} β_i(x_j) at each answer position (0 at the other
     * positions), from the {@code attribute} stage that ran before this stage. {@code f_θ₀(x_j) − m·shift} is the
     * target of datamodel matching (Georgiev et al. 2024, arXiv:2410.23232, §3, Algorithm 1).
     *
     * @throws IllegalStateException when no attribute stage ran before this stage, or it did not predict an example
     *     of the batch
     */
    default NDArray attributedShift(Split split) {
        throw new IllegalStateException("this step has no datamodel: add an attribute stage before the unlearn stage");
    }

    /**
     * ‖θ − θ₀‖², the squared Euclidean distance of the trained weights from those of the frozen reference copy (the
     * model the stage started from), summed over every trained tensor, with its autograd graph: the optional
     * proximity term of oracle and datamodel matching (Georgiev et al. 2024, arXiv:2410.23232, §3).
     *
     * @throws IllegalStateException when the trained weights are not the reference's (adapters)
     */
    default NDArray squaredDistanceFromStart() {
        throw new IllegalStateException("this step cannot measure the distance of the weights from the start");
    }
}
