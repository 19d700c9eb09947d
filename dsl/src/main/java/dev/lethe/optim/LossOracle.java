package dev.lethe.optim;

import ai.djl.ndarray.NDArray;

/**
 * Evaluates the current step's loss at the model's current weights, for an {@link Estimator}. An estimator
 * may move the weights (perturb them in place) between calls; each call sees the weights as they are then.
 */
public interface LossOracle {
    /** The loss without an autograd graph (inference memory only). */
    NDArray loss();

    /** The loss and its gradient with respect to every trainable weight. */
    Evaluation lossAndGradients();

    /**
     * A loss and its gradients.
     *
     * @param loss scalar loss
     * @param gradients one array per parameter, owned by the step
     */
    record Evaluation(NDArray loss, Updates gradients) {}
}
