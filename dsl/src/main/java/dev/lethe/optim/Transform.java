package dev.lethe.optim;

import ai.djl.ndarray.NDManager;
import dev.lethe.model.Weights;
import dev.lethe.part.Slot;

/**
 * One link of an optimizer chain (Optax's {@code GradientTransformation}): turns incoming updates into
 * outgoing ones, keeping state between steps.
 */
public interface Transform {
    /** The slot of recipe files that holds Transform: the links of an optimizer chain. */
    Slot<Transform> SLOT = new Slot<>("transform", Transform.class);

    /** The initial state for {@code weights}; long-lived arrays go into {@code manager}. */
    default TransformState init(Weights weights, NDManager manager) {
        return TransformState.NONE;
    }

    /**
     * Transforms {@code updates}.
     *
     * @param updates incoming updates (a gradient estimate, or the output of the previous transform)
     * @param state this transform's state, updated in place
     * @param weights the current weights
     * @param step step number, from 0
     * @param totalSteps steps in the stage
     */
    Updates update(Updates updates, TransformState state, Weights weights, long step, long totalSteps);
}
