package dev.lethe.optim;

import dev.lethe.model.Weights;

/** The plain gradient g = ∇L(θ), by back-propagation. */
public record FirstOrder() implements Estimator {
    @Override
    public Estimate estimate(LossOracle oracle, Weights weights, long seed) {
        LossOracle.Evaluation e = oracle.lossAndGradients();
        return new Estimate(e.loss(), e.gradients());
    }
}
