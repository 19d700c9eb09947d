package dev.lethe.objective;

import ai.djl.ndarray.NDArray;
import java.util.Map;

/** An objective made from one other (weighted, named, ...), whose state is that other's. */
interface Wrapper extends Objective {
    /** The wrapped objective. */
    Objective objective();

    @Override
    default Map<String, double[]> state() {
        return objective().state();
    }

    @Override
    default void restore(Map<String, double[]> state) {
        objective().restore(state);
    }

    @Override
    default boolean accumulates() {
        return objective().accumulates();
    }

    /** The wrapped objective's share (a weighting wrapper multiplies it by its weight). */
    @Override
    default NDArray microLoss(Step step, MicroBatch micro) {
        return objective().microLoss(step, micro);
    }
}
