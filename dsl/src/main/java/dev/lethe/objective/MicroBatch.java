package dev.lethe.objective;

import ai.djl.ndarray.NDArray;
import dev.lethe.data.Split;
import java.util.List;
import java.util.function.Supplier;

/**
 * One micro-batch of a step cut for gradient accumulation: each split's batch of the step is cut into
 * {@link #count()} contiguous parts (sizes differing by at most one, larger ones first), and micro-batch
 * {@link #index()} holds part {@code index} of each. A {@link Step} evaluated on it sees only those rows.
 *
 * <p>An objective that is a mean over its batch's examples (or tokens) has, on the whole batch, the loss
 * Σ_j share_j · L_j, where L_j is its loss on micro-batch j and share_j the fraction of the examples (tokens)
 * it averages over that micro-batch j holds: {@link Objective#microLoss} returns share_j · L_j, so the
 * gradients of the micro-batches sum to the whole batch's gradient (up to float rounding), whatever the split
 * sizes. Gradient accumulation as in Goyal et al. 2017, "Accurate, Large Minibatch SGD", §2, with the
 * weights that make the sum equal to the full-batch mean.
 */
public interface MicroBatch {
    /** This micro-batch's number, from 0. */
    int index();

    /** How many micro-batches the step is cut into. */
    int count();

    /**
     * c_j(S) / B(S): the examples of the union of {@code splits} that this micro-batch holds, over those the
     * whole step's batches hold (0 when it holds none).
     */
    double exampleShare(List<Split> splits);

    /**
     * The answer tokens ({@link dev.lethe.data.Batch#mask()}: answer tokens and the closing {@code <eos>}) of
     * {@code split} that this micro-batch holds, over those of the whole step's batch of {@code split}.
     */
    double tokenShare(Split split);

    /**
     * {@code share · loss.get()}; a zero scalar, without calling {@code loss}, when {@code share} is 0 (a
     * micro-batch that holds no row of the objective's split has no batch of it to evaluate).
     */
    NDArray scaled(double share, Supplier<NDArray> loss);
}
