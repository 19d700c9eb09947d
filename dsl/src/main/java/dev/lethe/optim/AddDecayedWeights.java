package dev.lethe.optim;

import ai.djl.ndarray.NDArray;
import dev.lethe.model.Weights;

/**
 * Decoupled weight decay (Loshchilov &amp; Hutter 2019, "Decoupled Weight Decay Regularization"):
 * u ← u + λ·θ for matrices and embeddings; biases and layer-norm parameters are not decayed.
 *
 * @param rate λ
 */
public record AddDecayedWeights(double rate) implements Transform {
    @Override
    public Updates update(Updates updates, TransformState state, Weights weights, long step, long totalSteps) {
        if (rate == 0) {
            return updates;
        }
        return updates.map((name, u) -> {
            var w = weights.get(name);
            if (Weights.isBiasOrNorm(name, w)) {
                return u;
            }
            try (NDArray decay = w.mul((float) rate)) {
                return u.add(decay);
            }
        });
    }
}
