package dev.lethe.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.lethe.model.Weights;
import java.util.ArrayList;
import java.util.List;

/**
 * An optimizer = an {@link Estimator} of the descent direction followed by a chain of
 * {@link Transform}s whose output is added to the weights (Optax's shape: {@code adamW} is a named chain,
 * not a class).
 *
 * @param estimator where the direction comes from
 * @param transforms applied in order to the estimate
 */
public record Optimizer(Estimator estimator, List<Transform> transforms) {

    /** Copies the transform list. */
    public Optimizer {
        transforms = List.copyOf(transforms);
    }

    /** The states of a chain, and the manager that owns their arrays. */
    public static final class State implements AutoCloseable {
        private final List<TransformState> states;
        private final NDManager manager;

        State(List<TransformState> states, NDManager manager) {
            this.states = states;
            this.manager = manager;
        }

        /** The state of the {@code i}-th transform. */
        public TransformState get(int i) {
            return states.get(i);
        }

        @Override
        public void close() {
            manager.close();
        }
    }

    /** Initial states for {@code weights}, owned by a sub-manager of {@code parent}. Close it after the stage. */
    public State init(Weights weights, NDManager parent) {
        NDManager manager = parent.newSubManager();
        List<TransformState> states = new ArrayList<>();
        for (Transform t : transforms) {
            states.add(t.init(weights, manager));
        }
        return new State(states, manager);
    }

    /**
     * One optimisation step: estimate, transform, and add the result to the weights in place. Call inside an
     * {@code NDScope} so the step's temporaries are freed.
     *
     * @return the loss at the weights before the update
     */
    public NDArray step(LossOracle oracle, Weights weights, State state, long step, long totalSteps, long seed) {
        Estimator.Estimate estimate = estimator.estimate(oracle, weights, seed);
        Updates u = estimate.direction();
        for (int i = 0; i < transforms.size(); i++) {
            u = transforms.get(i).update(u, state.get(i), weights, step, totalSteps);
        }
        u.asMap().forEach((name, delta) -> weights.get(name).addi(delta));
        return estimate.loss();
    }
}
