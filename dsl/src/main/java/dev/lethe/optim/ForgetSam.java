package dev.lethe.optim;

import static dev.lethe.part.ParamTypes.real;
import static dev.lethe.part.ParamTypes.text;

import dev.lethe.part.Kind;
import dev.lethe.part.Param;
import dev.lethe.part.ParamTypes.Range;
import dev.lethe.part.PartText;
import java.util.List;

/**
 * Sharpness-aware unlearning with the perturbation along the forget loss only (Fan et al. 2025, "Towards LLM
 * Unlearning Resilient to Relearning Attacks: A Sharpness-Aware Minimization Perspective and Beyond", ICML
 * 2025, arXiv 2502.05374, eq. (4)–(5)): the objective min_θ max_{‖δ‖≤ρ} L_f(θ + δ) + Σ_k L_k(θ) puts the
 * worst case on the forget part alone, so, with SAM's first-order solution of the inner maximum (Foret et al.
 * 2021, eq. (2)),
 * <pre>
 *   g_f = ∇L_f(θ),   δ̂ = ρ·g_f/‖g_f‖₂   (global norm over all parameters)
 *   d   = ∇L_f(θ + δ̂) + Σ_{k ≠ f} ∇L_k(θ)
 * </pre>
 * The retain part (and any other part) is differentiated at θ, unperturbed: only the forgetting is made
 * robust to a neighbourhood of weights (the relearning attack's first steps). This is the difference from
 * {@link Sam}, which perturbs along the gradient of the whole objective and takes every part's gradient at
 * θ + δ̂. A combiner, so it applies to the {@code combined} objective's named parts: {@code combined:
 * {combiner: {forget_sam: {rho: 0.05}}, parts: {forget: npo, retain: {times: ...}}}}; with the
 * first-order estimator (zeroth-order estimators see the summed loss and no combiner). The weights are
 * restored bit for bit after the shifted gradient ({@link Parts#gradientAt}). Costs one backward pass more
 * than plain first order (g_f at θ and at θ + δ̂, each other part at θ). A zero forget gradient gives δ̂ = 0.
 *
 * <p>ρ: the paper tunes it per benchmark; its values are not known to us, so the default is SAM's 0.05.
 *
 * @param forget the name of the forgetting part
 * @param rho ρ ≥ 0, the radius of the perturbation (global L2 norm over the weights)
 */
public record ForgetSam(String forget, double rho) implements GradientCombiner {
    /** The combiner {@code forget_sam}. */
    public static final Kind<ForgetSam> KIND = Kind.of("forget_sam", ForgetSam.class,
            "SAM on the forget part only (Fan et al. 2025): ∇L_f at θ + ρ·g_f/‖g_f‖, the other parts at θ",
            List.of(Param.of("forget", text(), ConflictProjection.FORGET, "the forgetting part's name",
                            ForgetSam::forget),
                    Param.of("rho", real(Range.nonNegative()), 0.05, "perturbation radius ρ", ForgetSam::rho)),
            a -> new ForgetSam(a.text("forget"), a.real("rho")));

    /** As a recipe file writes it ({@link PartText}). */
    @Override
    public String toString() {
        return PartText.of(this, List.of(KIND));
    }

    /** Checks the arguments. */
    public ForgetSam {
        if (!(rho >= 0) || Double.isInfinite(rho)) {
            throw new IllegalArgumentException("forget_sam radius rho must be finite and >= 0, was " + rho);
        }
    }

    /** δ̂ = ρ·g_f/‖g_f‖ for the forget gradient {@code gf}: the perturbation this combiner applies. */
    public Updates perturbation(Updates gf) {
        double norm = Math.sqrt(gf.dot(gf));
        return norm == 0 ? gf.times(0) : gf.times(rho / norm);
    }

    @Override
    public Updates combine(Parts parts) {
        if (!parts.names().contains(forget)) {
            throw new IllegalArgumentException("forget_sam needs a part named '" + forget + "'; the objective has "
                    + parts.names());
        }
        Updates direction = parts.gradientAt(forget, perturbation(parts.gradient(forget)));
        for (String name : parts.names()) {
            if (!name.equals(forget)) {
                direction = direction.plus(parts.gradient(name));
            }
        }
        return direction;
    }
}
