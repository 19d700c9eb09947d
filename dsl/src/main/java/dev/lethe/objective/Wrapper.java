package dev.lethe.objective;

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
}
