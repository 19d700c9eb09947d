package dev.lethe.optim;

import static dev.lethe.part.ParamTypes.anyLong;
import static dev.lethe.part.ParamTypes.integer;
import static dev.lethe.part.ParamTypes.real;
import static dev.lethe.part.ParamTypes.text;

import dev.lethe.part.Kind;
import dev.lethe.part.Param;
import dev.lethe.part.ParamTypes.Range;
import dev.lethe.part.PartText;
import java.util.List;

/**
 * StableUN's feedback-guided multi-point combination (Wu et al. 2025, "Beyond Sharp Minima: Robust LLM
 * Unlearning via Feedback-Guided Multi-Point Optimization", arXiv 2509.20230, §4): the forgetting feedback
 * is the gradient of the forgetting part at points of a neighbourhood of θ, so that forgetting holds in a
 * flat region instead of a sharp minimum that a few relearning steps undo; the remembering feedback is the
 * retain gradient g_r at θ; the two are aligned by the {@link ConflictProjection conflict projection}.
 * <pre>
 *   g_f = ∇L_f(θ)
 *   p_0 = θ + ρ·g_f/‖g_f‖                       (the adversarial, sharpness-aware point, as SAM)
 *   p_k = θ + ρ·z_k/‖z_k‖,  z_k ~ N(0, I),  k = 1..K−1   (stochastic neighbours)
 *   ḡ_f = (1/K)·Σ_k ∇L_f(p_k)
 *   d   = project(ḡ_f against g_r) + g_r
 * </pre>
 * Norms run over all parameters together. The paper combines an adversarial perturbation with stochastic
 * ones (it studies sharpness-aware and Gaussian parameter-noise perturbations); how it places the extra
 * points is not specified to us, so the extra points here are our documented choice: random directions
 * scaled to the same radius ρ, z_k drawn in Java from {@code Rng.derive(Rng.derive(seed, step), k)} — the same
 * step gives the same points, whatever the engine. K = 1 is the single adversarial point. The weights are
 * restored bit for bit after each point ({@link Parts#gradientAt}). Costs K + 2 backward passes per step
 * (g_f, g_r and one per point) and holds one shift at a time. Parts other than the two named are added
 * unchanged. Like {@link Sam}, it perturbs every parameter the gradients name, also those an
 * {@code Optimizers.onlyLayers} optimizer freezes afterwards.
 *
 * @param forget the name of the forgetting part
 * @param retain the name of the retain part
 * @param rho ρ &gt; 0, the neighbourhood radius (in the units of the flattened weights)
 * @param points K ≥ 1, the number of neighbourhood points
 * @param seed the seed of the stochastic points' directions
 */
public record StableUn(String forget, String retain, double rho, int points, long seed) implements GradientCombiner {
    /**
     * The combiner {@code stable_un}; ρ = 0.05 is SAM's default radius (the paper's value is not known to us).
     */
    public static final Kind<StableUn> KIND = Kind.of("stable_un", StableUn.class,
            "StableUN: forget gradients at K neighbourhood points, conflict-projected (Wu et al. 2025, §4)",
            List.of(Param.of("forget", text(), ConflictProjection.FORGET, "the forgetting part's name",
                    StableUn::forget),
                    Param.of("retain", text(), ConflictProjection.RETAIN, "the retain part's name", StableUn::retain),
                    Param.of("rho", real(Range.positive()), 0.05, "neighbourhood radius ρ", StableUn::rho),
                    Param.of("points", integer(1), 1, "neighbourhood points K", StableUn::points),
                    Param.of("seed", anyLong(), 0L, "seed of the stochastic points", StableUn::seed)),
            a -> new StableUn(a.text("forget"), a.text("retain"), a.real("rho"), a.integer("points"),
                    a.longInteger("seed")));

    /** As a recipe file writes it ({@link PartText}). */
    @Override
    public String toString() {
        return PartText.of(this, List.of(KIND));
    }

    /** Checks the arguments. */
    public StableUn {
        if (forget.equals(retain)) {
            throw new IllegalArgumentException("the forget and retain parts must differ, both are '" + forget + "'");
        }
        if (!(rho > 0) || !Double.isFinite(rho)) {
            throw new IllegalArgumentException("StableUN radius rho must be finite and > 0, was " + rho);
        }
        if (points < 1) {
            throw new IllegalArgumentException("StableUN needs at least one neighbourhood point, was " + points);
        }
    }

    @Override
    public Updates combine(Parts parts) {
        ConflictProjection.requireParts(parts, forget, retain);
        Updates gf = parts.gradient(forget);
        Updates gr = parts.gradient(retain);
        Updates feedback = parts.gradientAt(forget, toRadius(gf));
        long stepSeed = Rng.derive(seed, parts.step());
        for (int k = 1; k < points; k++) {
            long pointSeed = Rng.derive(stepSeed, k);
            int[] index = {0};
            Updates shift = toRadius(gf.map((name, g) -> Rng.gaussian(g, Rng.derive(pointSeed, index[0]++))));
            feedback = feedback.plus(parts.gradientAt(forget, shift));
        }
        Updates averaged = feedback.times(1.0 / points);
        Updates direction = ConflictProjection.project(averaged, gr).plus(gr);
        return ConflictProjection.plusOthers(parts, direction, forget, retain);
    }

    /** ρ·v/‖v‖ (global norm); the zero vector stays zero. */
    private Updates toRadius(Updates v) {
        double norm = Math.sqrt(v.dot(v));
        return norm == 0 ? v.times(0) : v.times(rho / norm);
    }
}
