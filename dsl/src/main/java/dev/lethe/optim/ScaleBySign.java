package dev.lethe.optim;

import static dev.lethe.part.ParamTypes.anyLong;
import static dev.lethe.part.ParamTypes.bool;

import ai.djl.ndarray.NDArray;
import dev.lethe.model.Weights;
import dev.lethe.part.Kind;
import dev.lethe.part.Param;
import dev.lethe.part.PartText;
import java.util.List;

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
    /** The transform {@code scale_by_sign}. */
    public static final Kind<ScaleBySign> KIND = Kind.of("scale_by_sign", ScaleBySign.class,
            "u ← sign(u) (Bernstein et al. 2018)",
            List.of(Param.of("random_zeros", bool(), false, "zeros become a random ±1", ScaleBySign::randomZeros),
                    Param.of("seed", anyLong(), 0L, "seed of those signs", ScaleBySign::seed)),
            a -> new ScaleBySign(a.bool("random_zeros"), a.longInteger("seed")));

    /** As a recipe file writes it ({@link PartText}). */
    @Override
    public String toString() {
        return PartText.of(this, List.of(KIND));
    }

    /** sign(u), with sign(0) = 0. */
    public ScaleBySign() {
        this(KIND.<Boolean>defaultOf("random_zeros"), KIND.<Long>defaultOf("seed"));
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
