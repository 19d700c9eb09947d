package dev.lethe.model;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;

/**
 * A reading {@link ActivationHook} that keeps the residual stream as Hugging Face's
 * {@code output_hidden_states} does: the input of block 0 (the embeddings), then the output of every block.
 * One instance per forward pass.
 */
public final class HiddenStates implements ActivationHook {
    private final List<NDArray> states = new ArrayList<>();

    @Override
    public NDArray apply(int block, Position position, NDArray hidden) {
        if (position == Position.LEAVING || block == 0) {
            states.add(hidden);
        }
        return hidden;
    }

    /** What was seen so far: index 0 the embeddings, index l the output of block l (1-based). */
    public List<NDArray> states() {
        return List.copyOf(states);
    }
}
