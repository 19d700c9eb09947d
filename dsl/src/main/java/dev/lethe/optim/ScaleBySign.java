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
 * <p>signAdam is Signum with an exponential moving average, not a method of its own: Adam's update is
 * m̂/(√v̂ + ε) with √v̂ + ε &gt; 0, so sign(m̂/(√v̂ + ε)) = sign(m̂), and m̂ = m/(1 − β₁ᵗ) with
 * m ← β₁m + (1 − β₁)g has the sign of the trace m' ← β₁m' + g (m = (1 − β₁)·m'): signAdam(β₁) equals
 * Signum with momentum β₁ step for step, whatever β₂ and ε (Adam's second moment is computed and thrown
 * away). In float arithmetic the two can differ only where a momentum component rounds to exactly 0 in one
 * form and not the other. Lang et al. 2025 ("Downgrade to Upgrade", §3) count both as the 1-bit member of
 * N-bit gradient compression; {@link QuantizeUpdates} is the N-bit transform.
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
            "u ← sign(u) (Bernstein et al. 2018); after scale_by_adam it is Signum with an EMA, as sign(m̂/(√v̂+ε)) = "
                    + "sign(m̂): signAdam = Signum(β₁)",
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
