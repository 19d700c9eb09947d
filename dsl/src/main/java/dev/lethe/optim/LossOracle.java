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
     * This oracle, with {@link #lossAndGradients()} also estimating the gradient's within-step variance
     * ({@link Updates#variance()}) from the step's micro-batches, for {@link ScaleBySnr.Noise#WITHIN_STEP}: with k
     * micro-batches whose gradient contributions c_j sum to g, each g_j = k·c_j estimates the gradient, and
     * σ² = Σ_j ‖g_j − g‖² / (k(k − 1)) = (k·Σ_j ‖c_j‖² − ‖g‖²)/(k − 1) estimates the variance of g (exact for
     * micro-batches of equal size; the run cuts batches into parts differing by at most one row). Costs one
     * gradient-sized copy and a pass over the gradients per micro-batch.
     *
     * @throws UnsupportedOperationException for an oracle without micro-batches (the default): a stage must
     *     accumulate over at least 2
     */
    default LossOracle withWithinStepVariance() {
        throw new UnsupportedOperationException("the within-step gradient variance (scale_by_snr's noise: "
                + "within_step) is estimated from the step's micro-batches: set the stage's accumulate to 2 or more");
    }

    /**
     * A loss and its gradients.
     *
     * @param loss scalar loss
     * @param gradients one array per parameter, owned by the step
     */
    record Evaluation(NDArray loss, Updates gradients) {}
}
