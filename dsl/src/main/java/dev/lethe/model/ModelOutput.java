package dev.lethe.model;

import ai.djl.ndarray.NDArray;
import java.util.List;

/**
 * What one forward pass of a {@link CausalLm} returns.
 *
 * @param logits next-token logits, shape (batch, time, vocab)
 * @param hiddenStates the residual stream: index 0 is the embedding output, index {@code l} the output of
 *     block {@code l} (1-based), as Hugging Face's {@code output_hidden_states}; empty unless requested
 */
public record ModelOutput(NDArray logits, List<NDArray> hiddenStates) {

    /** The residual stream after block {@code layer} (0 = embeddings). */
    public NDArray hidden(int layer) {
        if (hiddenStates.isEmpty()) {
            throw new IllegalStateException("hidden states were not requested in this forward pass");
        }
        return hiddenStates.get(layer);
    }
}
