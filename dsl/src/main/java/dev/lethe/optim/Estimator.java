package dev.lethe.optim;

import ai.djl.ndarray.NDArray;
import dev.lethe.model.Weights;
import dev.lethe.part.Slot;

/**
 * The first half of an optimizer: estimates a descent direction (a gradient, or something standing in
 * for one) by asking a {@link LossOracle}. Built-ins: {@link FirstOrder}, {@link Spsa} (zeroth order),
 * {@link Sam} (sharpness-aware, wraps another estimator) and {@link Hybrid} (mixes or alternates two).
 */
@FunctionalInterface
public interface Estimator {
    /** The slot of recipe files that holds Estimator: the first half of an optimizer: where the direction comes from. */
    Slot<Estimator> SLOT = new Slot<>("estimator", Estimator.class);

    /**
     * Estimates the gradient at the current weights.
     *
     * @param oracle evaluates the step's loss
     * @param weights the trainable weights; an estimator that perturbs them must restore them exactly
     * @param seed a seed for this step's random numbers, derived from the recipe seed
     */
    Estimate estimate(LossOracle oracle, Weights weights, long seed);

    /**
     * Estimates the gradient at the current weights at optimisation step {@code step} (from 0). The default
     * ignores the step; estimators whose behaviour depends on it (an alternating {@link Hybrid}) override
     * this, and wrappers ({@link Sam}) pass it on. {@link Optimizer#step} calls this form.
     *
     * @param oracle evaluates the step's loss
     * @param weights the trainable weights; an estimator that perturbs them must restore them
     * @param step the step number, from 0
     * @param seed a seed for this step's random numbers, derived from the recipe seed
     */
    default Estimate estimate(LossOracle oracle, Weights weights, long step, long seed) {
        return estimate(oracle, weights, seed);
    }

    /**
     * A direction and the loss at the unperturbed weights.
     *
     * @param loss the loss at the current weights, scalar
     * @param direction the gradient estimate
     */
    record Estimate(NDArray loss, Updates direction) {}
}
