package dev.lethe.optim;

/**
 * The state a {@link Transform} keeps between steps (e.g. Adam's moments). Its arrays live in the
 * manager given to {@link Transform#init} and are updated in place.
 */
public interface TransformState {
    /** The state of a stateless transform. */
    TransformState NONE = new TransformState() {};
}
