package dev.lethe.optim;

import static dev.lethe.part.ParamTypes.anyLong;
import static dev.lethe.part.ParamTypes.bool;
import static dev.lethe.part.ParamTypes.choice;
import static dev.lethe.part.ParamTypes.integer;

import ai.djl.ndarray.NDArray;
import dev.lethe.model.Weights;
import dev.lethe.part.Kind;
import dev.lethe.part.Param;
import dev.lethe.part.PartText;
import java.util.List;

/**
 * N-bit gradient compression Q(u; N), the "intra-order downgrade" of Lang et al. 2025 ("Downgrade to
 * Upgrade", arXiv 2510.00761, §3: θ ← θ − η·Q(m_t; N), with Q(m; 1) = sign(m) giving signSGD and signAdam).
 * The paper names the operator but we did not find its N &gt; 1 definition, so this is our documented choice, a
 * sign-magnitude uniform quantizer per parameter tensor (as QSGD, Alistarh et al. 2017, quantizes per bucket):
 * <pre>
 *   s = max_i |u_i|                    (the tensor's scale, ℓ∞; kept in full precision)
 *   L = 2^(N−1)                        (one sign bit, N − 1 bits for L magnitude levels)
 *   x_i = |u_i| / s ∈ [0, 1]
 *   k_i = clamp(round(L·x_i), 1, L)    (nearest level; stochastic: ⌊L·x_i⌋ + Bernoulli(L·x_i − ⌊L·x_i⌋), then clamped)
 *   Q(u)_i = sign(u_i)·(k_i/L)·s       (unscaled: sign(u_i)·k_i/L)
 * </pre>
 * The L codes stand for the magnitudes 1/L, 2/L, ..., 1 (no code is spent on a zero magnitude; an exact zero
 * stays 0 through its sign), so N = 1 is sign(u)·s, and unscaled N = 1 is sign(u), {@link ScaleBySign}
 * exactly. The stochastic rounding is unbiased for x ≥ 1/L and rounds smaller values up to the first level
 * (as the sign does). Rounding halves: ⌊L·x + ½⌋. A tensor of zeros stays zeros. The random draws of the
 * stochastic form are made in Java from {@code seed}, the step and the parameter's index, so runs are
 * reproducible. Put it where {@link ScaleBySign} would go: after momentum or Adam, before the learning rate.
 *
 * @param bits N ≥ 1, the bits per component (1 to 24)
 * @param scaled whether the levels are multiplied by the tensor's scale s (otherwise the largest level is 1)
 * @param rounding nearest or stochastic
 * @param seed the seed of the stochastic rounding (unused otherwise)
 */
public record QuantizeUpdates(int bits, boolean scaled, Rounding rounding, long seed) implements Transform {
    /** How a magnitude between two levels is rounded. */
    public enum Rounding {
        /** To the nearest level, halves up. */
        NEAREST,
        /** Up with probability equal to the distance from the lower level (in level units), else down. */
        STOCHASTIC
    }

    /** The transform {@code quantize_updates}. */
    public static final Kind<QuantizeUpdates> KIND = Kind.of("quantize_updates", QuantizeUpdates.class,
            "N-bit gradient compression, sign and N − 1 magnitude bits per tensor, scale max|u| (N = 1: "
                    + "sign·scale; unscaled: sign) (Lang et al. 2025's Q(·; N); the level set is ours)",
            List.of(Param.required("bits", integer(1, 24), "bits per component N", QuantizeUpdates::bits),
                    Param.of("scaled", bool(), true, "multiply the levels by the tensor's max |u|",
                            (QuantizeUpdates q) -> q.scaled()),
                    Param.of("rounding", choice(Rounding.class), Rounding.NEAREST, "nearest or stochastic",
                            QuantizeUpdates::rounding),
                    Param.of("seed", anyLong(), 0L, "seed of the stochastic rounding", QuantizeUpdates::seed)),
            a -> new QuantizeUpdates(a.integer("bits"), a.bool("scaled"), a.get("rounding"), a.longInteger("seed")));

    /** As a recipe file writes it ({@link PartText}). */
    @Override
    public String toString() {
        return PartText.of(this, List.of(KIND));
    }

    /** Checks the arguments. */
    public QuantizeUpdates {
        if (bits < 1 || bits > 24) {
            throw new IllegalArgumentException("quantize_updates needs 1 to 24 bits, got " + bits);
        }
    }

    /** N bits, scaled by max |u|, rounded to the nearest level. */
    public static QuantizeUpdates of(int bits) {
        return new QuantizeUpdates(bits, true, Rounding.NEAREST, 0);
    }

    /** L = 2^(N−1), the number of magnitude levels. */
    public int levels() {
        return 1 << (bits - 1);
    }

    @Override
    public Updates update(Updates updates, TransformState state, Weights weights, long step, long totalSteps) {
        float levels = levels();
        long stepSeed = Rng.derive(seed, step);
        int[] index = {0};
        return updates.map((name, u) -> {
            int i = index[0]++;
            try (NDArray abs = u.abs();
                    NDArray max = abs.max();
                    NDArray safe = max.maximum(Float.MIN_NORMAL);
                    NDArray x = abs.div(safe).muli(levels)) {
                NDArray k;
                if (rounding == Rounding.NEAREST) {
                    try (NDArray shifted = x.add(0.5f)) {
                        k = shifted.floor();
                    }
                } else {
                    try (NDArray floor = x.floor();
                            NDArray fraction = x.sub(floor);
                            NDArray draw = Rng.uniform(u, Rng.derive(stepSeed, i));
                            NDArray up = draw.lt(fraction).toType(u.getDataType(), false)) {
                        k = floor.add(up);
                    }
                }
                NDArray q = k.clip(1, levels).muli(u.sign()).divi(levels);
                k.close();
                return scaled ? q.muli(max) : q;
            }
        });
    }
}
