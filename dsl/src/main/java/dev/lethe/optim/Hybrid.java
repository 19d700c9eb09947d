package dev.lethe.optim;

import static dev.lethe.part.ParamTypes.choice;
import static dev.lethe.part.ParamTypes.longInteger;
import static dev.lethe.part.ParamTypes.part;
import static dev.lethe.part.ParamTypes.real;

import ai.djl.ndarray.NDArray;
import dev.lethe.model.Weights;
import dev.lethe.part.Kind;
import dev.lethe.part.Param;
import dev.lethe.part.ParamTypes.Range;
import dev.lethe.part.PartText;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Hybrid first/zeroth-order estimate ("Downgrade to Upgrade", 2025): combines a first-order direction
 * g_FO (back-propagation) with a zeroth-order one ĝ_ZO (e.g. {@link Spsa}), in one of two ways:
 * <ul>
 *   <li>{@link Mode#MIX}: the convex mix d = (1 − λ)·g_FO + λ·ĝ_ZO at every step; the loss reported is the
 *       first-order one (at the unperturbed weights). λ = 0 and λ = 1 skip the unused estimator.</li>
 *   <li>{@link Mode#ALTERNATE}: every {@code period}-th step (steps period−1, 2·period−1, ... counted
 *       from 0) is zeroth order, the others first order.</li>
 * </ul>
 *
 * @param firstOrder the first-order estimator (usually {@link FirstOrder})
 * @param zerothOrder the zeroth-order estimator (usually {@link Spsa})
 * @param mode mix or alternate
 * @param lambda λ ∈ [0, 1], the weight of the zeroth-order direction (MIX only)
 * @param period k ≥ 1: one zeroth-order step in every k (ALTERNATE only)
 */
public record Hybrid(Estimator firstOrder, Estimator zerothOrder, Mode mode, double lambda, long period)
        implements Estimator {
    /** The estimator {@code hybrid}; its zeroth-order default is SPSA without the exact loss. */
    public static final Kind<Hybrid> KIND = Kind.of("hybrid", Hybrid.class, "first/zeroth-order mix or alternation "
            + "(\"Downgrade to Upgrade\", 2025)",
            List.of(Param.of("first_order", part(Estimator.SLOT), FirstOrder.KIND.defaults(), "first-order estimator",
                            Hybrid::firstOrder),
                    Param.of("zeroth_order", part(Estimator.SLOT), Spsa.KIND.create(Map.of("exact_loss", false)),
                            "zeroth-order estimator", Hybrid::zerothOrder),
                    Param.of("mode", choice(Mode.class), Mode.MIX, "mix or alternate", Hybrid::mode),
                    Param.of("lambda", real(Range.closed(0, 1)), 0.5, "zeroth-order weight λ (mix)", Hybrid::lambda),
                    Param.of("period", longInteger(1), 1L, "one zeroth-order step in every k (alternate)",
                            Hybrid::period)),
            a -> new Hybrid(a.<Estimator>get("first_order"), a.get("zeroth_order"), a.get("mode"), a.real("lambda"),
                    a.longInteger("period")));

    /** As a recipe file writes it ({@link PartText}). */
    @Override
    public String toString() {
        return PartText.of(this, List.of(KIND));
    }

    /** How the two estimates are combined. */
    public enum Mode {
        /** (1 − λ)·g_FO + λ·ĝ_ZO at every step. */
        MIX,
        /** Zeroth order every k-th step, first order otherwise. */
        ALTERNATE
    }

    /** Checks the arguments. */
    public Hybrid {
        if (!(lambda >= 0 && lambda <= 1) || period < 1) {
            throw new IllegalArgumentException("need 0 <= lambda <= 1 and period >= 1, got " + lambda + ", " + period);
        }
    }

    /** The convex mix (1 − λ)·g_FO + λ·ĝ_ZO. */
    public static Hybrid mix(Estimator firstOrder, Estimator zerothOrder, double lambda) {
        return new Hybrid(firstOrder, zerothOrder, Mode.MIX, lambda, 1);
    }

    /** Zeroth order on every {@code period}-th step, first order on the others. */
    public static Hybrid alternate(Estimator firstOrder, Estimator zerothOrder, long period) {
        return new Hybrid(firstOrder, zerothOrder, Mode.ALTERNATE, 0, period);
    }

    /** Whether step {@code step} (from 0) is a zeroth-order step under {@link Mode#ALTERNATE}. */
    public boolean zerothOrderAt(long step) {
        return (step + 1) % period == 0;
    }

    /** As at step 0. */
    @Override
    public Estimate estimate(LossOracle oracle, Weights weights, long seed) {
        return estimate(oracle, weights, 0, seed);
    }

    @Override
    public Estimate estimate(LossOracle oracle, Weights weights, long step, long seed) {
        if (mode == Mode.ALTERNATE) {
            return (zerothOrderAt(step) ? zerothOrder : firstOrder).estimate(oracle, weights, step, seed);
        }
        if (lambda == 0) {
            return firstOrder.estimate(oracle, weights, step, seed);
        }
        if (lambda == 1) {
            return zerothOrder.estimate(oracle, weights, step, seed);
        }
        Estimate fo = firstOrder.estimate(oracle, weights, step, Rng.derive(seed, 0));
        // scale now: a first-order direction aliases the gradient buffers
        Updates first = fo.direction().map((name, g) -> g.mul((float) (1 - lambda)));
        Estimate zo = zerothOrder.estimate(oracle, weights, step, Rng.derive(seed, 1));
        Map<String, NDArray> mixed = new LinkedHashMap<>();
        first.asMap().forEach((name, g) -> mixed.put(name, g.addi(zo.direction().get(name).mul((float) lambda))));
        return new Estimate(fo.loss(), new Updates(mixed));
    }
}
