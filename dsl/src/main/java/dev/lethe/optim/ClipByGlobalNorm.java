package dev.lethe.optim;

import ai.djl.ndarray.NDArray;
import dev.lethe.model.Weights;

/**
 * Rescales all updates together so that their global L2 norm is at most {@code maxNorm}
 * (Pascanu et al. 2013): u ← u · min(1, maxNorm / ‖u‖).
 *
 * @param maxNorm the largest allowed global norm
 */
public record ClipByGlobalNorm(double maxNorm) implements Transform {
    @Override
    public Updates update(Updates updates, TransformState state, Weights weights, long step, long totalSteps) {
        NDArray scale = updates.globalNorm().add(1e-12f).pow(-1f).mul((float) maxNorm).minimum(1f);
        return updates.map((name, u) -> u.mul(scale));
    }
}
