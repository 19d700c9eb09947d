package dev.lethe.optim;

import ai.djl.ndarray.NDArray;
import dev.lethe.model.Weights;

/**
 * signSGD's compression (Bernstein et al. 2018, "signSGD: Compressed Optimisation for Non-Convex
 * Problems"): u ← sign(u). Chained after {@link TraceMomentum} it gives Signum (ibid.:
 * sign of the momentum), after {@link ScaleByAdam} "signAdam"; end the chain with {@link ScaleByLearningRate}.
 *
 * <p>A zero component gives a zero update, as sign(0) = 0. With {@code randomZeros}, each zero component
 * is instead replaced by an independent random ±1, drawn in Java from {@code seed}, the step and the
 * parameter's index, so runs stay reproducible.
 *
 * @param randomZeros whether zeros become a random ±1
 * @param seed the seed of those random signs (unused otherwise)
 */
public record ScaleBySign(boolean randomZeros, long seed) implements Transform {

    /** sign(u), with sign(0) = 0. */
    public ScaleBySign() {
        this(false, 0);
    }

    @Override
    public Updates update(Updates updates, TransformState state, Weights weights, long step, long totalSteps) {
        if (!randomZeros) {
            return updates.map((name, u) -> u.sign());
        }
        long stepSeed = Rng.derive(seed, step);
        int[] index = {0};
        return updates.map((name, u) -> {
            NDArray s = u.sign();
            try (NDArray zeros = u.eq(0f).toType(u.getDataType(), false);
                    NDArray random = Rng.signs(u, Rng.derive(stepSeed, index[0]++))) {
                return s.addi(zeros.mul(random));
            }
        });
    }
}
