package dev.lethe.optim;

import static dev.lethe.part.ParamTypes.bool;
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
 * Hybrid first/zeroth-order estimate (Lang et al. 2025, "Downgrade to Upgrade: Optimizer Simplification
 * Enhances Robustness in LLM Unlearning", arXiv 2510.00761, the FO–ZO hybrid of its §5): combines a
 * first-order direction g_FO (back-propagation) with a zeroth-order one ĝ_ZO (e.g. {@link Spsa}), in one of
 * two ways:
 * <ul>
 *   <li>{@link Mode#ALTERNATE} (the default, the paper's hybrid): every {@code period}-th step (steps
 *       period−1, 2·period−1, ... counted from 0) is zeroth order, the others first order; the direction is
 *       s_ZO·ĝ_ZO on a zeroth-order step and s_FO·g_FO on the others.</li>
 *   <li>{@link Mode#MIX}: the convex mix d = (1 − λ)·s_FO·g_FO + λ·s_ZO·ĝ_ZO at every step; the loss reported
 *       is the first-order one (at the unperturbed weights). λ = 0 and λ = 1 skip the unused estimator.</li>
 * </ul>
 *
 * <p>Why each branch has its own scale: a one-query SPSA estimate is unbiased, E[ĝ_ZO] = ∇L, but its norm is
 * about √(d + 2) times the gradient's (E‖ĝ‖² = (d + 2)‖∇L‖² for Gaussian z, d the parameter count), so under
 * one learning rate the zeroth-order steps are mostly noise of that size, and a mix with the same λ is
 * dominated by it. The chain's learning rate η applies to both branches; s_FO and s_ZO make their rates
 * η·s_FO and η·s_ZO (MeZO, Malladi et al. 2023, §4, runs its zeroth-order steps at rates 10 to 1000 times
 * below first-order fine-tuning's). In MIX mode, {@code normalize} instead rescales ĝ_ZO to the first-order
 * gradient's global norm before mixing: d = (1 − λ)·s_FO·g + λ·s_ZO·(‖g‖/‖ĝ‖)·ĝ, so λ weighs two
 * directions of equal length. Scales of 1 leave a direction untouched, bit for bit.
 *
 * <p>Changed in issue 16: the default was MIX with λ = 0.5 under one rate, and {@code period} defaulted to 1
 * (which, in ALTERNATE mode, is zeroth order at every step); the default is now ALTERNATE with period 2
 * (first and zeroth order in turn). The paper says the two alternate; its period and its zeroth-order
 * learning rate are not known to us, so period 2 and s_ZO = 1 are our defaults, to be tuned.
 *
 * @param firstOrder the first-order estimator (usually {@link FirstOrder})
 * @param zerothOrder the zeroth-order estimator (usually {@link Spsa})
 * @param mode alternate or mix
 * @param lambda λ ∈ [0, 1], the weight of the zeroth-order direction (MIX only)
 * @param period k ≥ 1: one zeroth-order step in every k (ALTERNATE only)
 * @param firstOrderScale s_FO ≥ 0, the first-order branch's learning rate relative to the chain's
 * @param zerothOrderScale s_ZO ≥ 0, the zeroth-order branch's learning rate relative to the chain's
 * @param normalize whether ĝ_ZO is rescaled to ‖g_FO‖ before mixing (MIX only)
 */
public record Hybrid(Estimator firstOrder, Estimator zerothOrder, Mode mode, double lambda, long period,
        double firstOrderScale, double zerothOrderScale, boolean normalize) implements Estimator {
    /** The estimator {@code hybrid}; its zeroth-order default is SPSA without the exact loss. */
    public static final Kind<Hybrid> KIND = Kind.of("hybrid", Hybrid.class, "first/zeroth-order alternation "
            + "(default: the paper's hybrid, Lang et al. 2025) or convex mix, each branch with its own rate scale",
            List.of(Param.of("first_order", part(Estimator.SLOT), FirstOrder.KIND.defaults(), "first-order estimator",
                            Hybrid::firstOrder),
                    Param.of("zeroth_order", part(Estimator.SLOT), Spsa.KIND.create(Map.of("exact_loss", false)),
                            "zeroth-order estimator", Hybrid::zerothOrder),
                    Param.of("mode", choice(Mode.class), Mode.ALTERNATE, "alternate (the paper's) or mix",
                            Hybrid::mode),
                    Param.of("lambda", real(Range.closed(0, 1)), 0.5, "zeroth-order weight λ (mix)", Hybrid::lambda),
                    Param.of("period", longInteger(1), 2L, "one zeroth-order step in every k (alternate)",
                            Hybrid::period),
                    Param.of("first_order_scale", real(Range.nonNegative()), 1.0,
                            "first-order rate relative to the chain's", Hybrid::firstOrderScale),
                    Param.of("zeroth_order_scale", real(Range.nonNegative()), 1.0,
                            "zeroth-order rate relative to the chain's", Hybrid::zerothOrderScale),
                    Param.of("normalize", bool(), false, "rescale ĝ_ZO to ‖g_FO‖ before mixing (mix)",
                            (Hybrid h) -> h.normalize())),
            a -> new Hybrid(a.<Estimator>get("first_order"), a.get("zeroth_order"), a.get("mode"), a.real("lambda"),
                    a.longInteger("period"), a.real("first_order_scale"), a.real("zeroth_order_scale"),
                    a.bool("normalize")));

    /** As a recipe file writes it ({@link PartText}). */
    @Override
    public String toString() {
        return PartText.of(this, List.of(KIND));
    }

    /** How the two estimates are combined. */
    public enum Mode {
        /** (1 − λ)·s_FO·g_FO + λ·s_ZO·ĝ_ZO at every step. */
        MIX,
        /** Zeroth order (scaled by s_ZO) every k-th step, first order (scaled by s_FO) otherwise. */
        ALTERNATE
    }

    /** Checks the arguments. */
    public Hybrid {
        if (!(lambda >= 0 && lambda <= 1) || period < 1) {
            throw new IllegalArgumentException("need 0 <= lambda <= 1 and period >= 1, got " + lambda + ", " + period);
        }
        if (!(firstOrderScale >= 0) || !(zerothOrderScale >= 0) || Double.isInfinite(firstOrderScale)
                || Double.isInfinite(zerothOrderScale)) {
            throw new IllegalArgumentException("the branch scales must be finite and >= 0, got " + firstOrderScale
                    + ", " + zerothOrderScale);
        }
    }

    /** The convex mix (1 − λ)·g_FO + λ·ĝ_ZO under one rate. */
    public static Hybrid mix(Estimator firstOrder, Estimator zerothOrder, double lambda) {
        return new Hybrid(firstOrder, zerothOrder, Mode.MIX, lambda, KIND.<Long>defaultOf("period"), 1, 1, false);
    }

    /** The convex mix (1 − λ)·g + λ·(‖g‖/‖ĝ‖)·ĝ of the gradient and the zeroth-order estimate rescaled to its norm. */
    public static Hybrid normalizedMix(Estimator firstOrder, Estimator zerothOrder, double lambda) {
        return new Hybrid(firstOrder, zerothOrder, Mode.MIX, lambda, KIND.<Long>defaultOf("period"), 1, 1, true);
    }

    /** Zeroth order on every {@code period}-th step, first order on the others, under one rate. */
    public static Hybrid alternate(Estimator firstOrder, Estimator zerothOrder, long period) {
        return alternate(firstOrder, zerothOrder, period, 1);
    }

    /**
     * Zeroth order on every {@code period}-th step at {@code zerothOrderScale} times the chain's rate, first
     * order on the others at the chain's rate.
     */
    public static Hybrid alternate(Estimator firstOrder, Estimator zerothOrder, long period, double zerothOrderScale) {
        return new Hybrid(firstOrder, zerothOrder, Mode.ALTERNATE, KIND.<Double>defaultOf("lambda"), period, 1,
                zerothOrderScale, false);
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
            boolean zo = zerothOrderAt(step);
            Estimate e = (zo ? zerothOrder : firstOrder).estimate(oracle, weights, step, seed);
            return scaled(e, zo ? zerothOrderScale : firstOrderScale);
        }
        if (lambda == 0) {
            return scaled(firstOrder.estimate(oracle, weights, step, seed), firstOrderScale);
        }
        if (lambda == 1 && !normalize) {
            return scaled(zerothOrder.estimate(oracle, weights, step, seed), zerothOrderScale);
        }
        Estimate fo = firstOrder.estimate(oracle, weights, step, Rng.derive(seed, 0));
        // materialise now: a first-order direction aliases the gradient buffers
        double firstNorm = normalize ? Math.sqrt(fo.direction().dot(fo.direction())) : 0;
        Updates first = fo.direction().map((name, g) -> g.mul((float) ((1 - lambda) * firstOrderScale)));
        Estimate zo = zerothOrder.estimate(oracle, weights, step, Rng.derive(seed, 1));
        double zoFactor = lambda * zerothOrderScale;
        if (normalize) {
            double zoNorm = Math.sqrt(zo.direction().dot(zo.direction()));
            zoFactor *= zoNorm > 0 ? firstNorm / zoNorm : 0;
        }
        float z = (float) zoFactor;
        Map<String, NDArray> mixed = new LinkedHashMap<>();
        first.asMap().forEach((name, g) -> mixed.put(name, g.addi(zo.direction().get(name).mul(z))));
        return new Estimate(fo.loss(), new Updates(mixed));
    }

    /** {@code e} with its direction times {@code scale}; the same object when the scale is 1. */
    private static Estimate scaled(Estimate e, double scale) {
        return scale == 1 ? e : new Estimate(e.loss(), e.direction().times(scale));
    }
}
