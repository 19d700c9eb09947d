package dev.lethe.model;

import ai.djl.ndarray.NDArray;

/**
 * Reads or replaces the residual stream where it enters or leaves a block during a forward pass
 * ({@link CausalLm#forward(NDArray, boolean, boolean, java.util.List)}): the pass continues with what the hook
 * returns. Return {@code hidden} itself to only read it (keep a reference: the pass then frees no hidden
 * state), or a new array of the same shape and type to replace it, e.g. activation steering or ablating a
 * block. A hook runs inside the caller's autograd graph, so a replacement built from {@code hidden} keeps
 * its gradient. From Kotlin: {@code ActivationHook { block, position, hidden -> hidden }}.
 *
 * <p>Order within a pass: {@code (0, ENTERING)} on the embeddings, then for each block l
 * {@code (l, LEAVING)} and, unless l is the last, {@code (l + 1, ENTERING)} on what the first returned (the
 * same point of the residual stream, seen from either side).
 */
@FunctionalInterface
public interface ActivationHook {

    /** Which side of the block the residual stream is seen from. */
    enum Position {
        /** The block's input. */
        ENTERING,
        /** The block's output (residual additions included). */
        LEAVING
    }

    /**
     * The hidden state the pass continues with.
     *
     * @param block the 0-based block
     * @param position whether {@code hidden} enters or leaves it
     * @param hidden the residual stream, (batch, time, width)
     */
    NDArray apply(int block, Position position, NDArray hidden);
}
