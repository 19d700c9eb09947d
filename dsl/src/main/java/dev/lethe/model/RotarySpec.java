package dev.lethe.model;

/**
 * The shape of a rotary-position decoder (Llama, Mistral, Qwen, Phi, Phi-3, GPT-NeoX): what such specs share.
 * Its context length is {@code max_position_embeddings}, the length it was trained at; generation may go past
 * it, as transformers lets it (rotary positions have no table to run out of, and rope scaling exists to
 * extend them); and a loaded or initialised model runs without dropout.
 */
public interface RotarySpec extends ModelSpec {

    /** {@code max_position_embeddings}. */
    int maxPositions();

    /** {@link #maxPositions()}. */
    @Override
    default int contextLength() {
        return maxPositions();
    }

    /** Unbounded (see {@link ModelSpec#generationLimit()}). */
    @Override
    default int generationLimit() {
        return Integer.MAX_VALUE;
    }

    /** None: the families' checkpoints train without dropout here. */
    @Override
    default float dropout() {
        return 0f;
    }
}
