package dev.lethe.optim;

import ai.djl.ndarray.NDArray;
import java.util.Map;

/**
 * The state a {@link Transform} keeps between steps (e.g. Adam's moments). Its arrays live in the
 * manager given to {@link Transform#init} and are updated in place.
 *
 * <p>A state that a checkpoint must keep exposes its arrays through {@link #arrays()} and takes them back
 * through {@link #restore}; a resumed run then continues bit for bit. A stateless transform keeps the
 * defaults.
 */
public interface TransformState {
    /** The state of a stateless transform. */
    TransformState NONE = new TransformState() {};

    /** The state's arrays by name (the live arrays, not copies), for a checkpoint; empty when it has none. */
    default Map<String, NDArray> arrays() {
        return Map.of();
    }

    /**
     * Sets this state to {@code saved}, arrays named as {@link #arrays()} named them when the checkpoint was
     * written (the values are copied; {@code saved} stays the caller's).
     *
     * @throws IllegalArgumentException when {@code saved} does not fit this state
     */
    default void restore(Map<String, NDArray> saved) {
        if (!saved.isEmpty()) {
            throw new IllegalArgumentException("a stateless transform cannot restore the arrays " + saved.keySet());
        }
    }
}
