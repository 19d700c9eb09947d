package dev.lethe.optim;

import dev.lethe.model.Weights;
import dev.lethe.part.Kind;
import dev.lethe.part.PartText;
import java.util.List;

/** The plain gradient g = ∇L(θ), by back-propagation. */
public record FirstOrder() implements Estimator {
    /** The estimator {@code first_order}. */
    public static final Kind<FirstOrder> KIND = Kind.of("first_order", FirstOrder.class, "back-propagated gradients",
            List.of(), a -> new FirstOrder());

    /** As a recipe file writes it ({@link PartText}). */
    @Override
    public String toString() {
        return PartText.of(this, List.of(KIND));
    }

    @Override
    public Estimate estimate(LossOracle oracle, Weights weights, long seed) {
        LossOracle.Evaluation e = oracle.lossAndGradients();
        return new Estimate(e.loss(), e.gradients());
    }
}
