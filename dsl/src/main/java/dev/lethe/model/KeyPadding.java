package dev.lethe.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import java.util.HashMap;
import java.util.Map;

/**
 * The key padding of one cached forward pass (a left-padded batch): which keys are real tokens, and the additive
 * attention masks made from it, one per (queries, keys, sliding window, type), made by the first block that
 * needs it and shared by the others, instead of a dozen mask-building calls per block and step. Closing it
 * frees the masks; the key mask itself belongs to the caller.
 */
final class KeyPadding implements AutoCloseable {
    private final NDArray keyValid;
    private final Map<String, NDArray> masks = new HashMap<>();

    /** @param keyValid which keys are real tokens, (batch, S) boolean */
    KeyPadding(NDArray keyValid) {
        this.keyValid = keyValid;
    }

    /** The (batch, 1, T, S) additive mask of {@link CausalAttention#paddedMask} for these keys. */
    NDArray mask(long time, long keys, int window, DataType type) {
        return masks.computeIfAbsent(time + ":" + keys + ":" + window + ":" + type,
                k -> CausalAttention.paddedMask(keyValid.getManager(), time, keys, window, keyValid, type));
    }

    @Override
    public void close() {
        masks.values().forEach(NDArray::close);
        masks.clear();
    }
}
