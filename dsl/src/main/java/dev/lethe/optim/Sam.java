package dev.lethe.optim;

import static dev.lethe.part.ParamTypes.bool;
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
 * Sharpness-aware minimisation (Foret et al. 2021, "Sharpness-Aware Minimization for Efficiently Improving
 * Generalization", eq. (2) and Algorithm 1): with g the inner estimate at θ, ε̂ = ρ·g/‖g‖₂ (global norm
 * over all parameters); the direction returned is the inner estimate at θ + ε̂. The adaptive variant
 * (ASAM, Kwon et al. 2021, "ASAM: Adaptive Sharpness-Aware Minimization", Algorithm 1) uses
 * ε̂ = ρ·T²g/‖Tg‖₂ with T = diag(|θ| + η) element-wise.
 *
 * <p>The inner estimator gives both the ascent and the descent direction: {@link FirstOrder} for SAM as
 * published, {@link Spsa} for a zeroth-order SAM. The weights are moved in place by +ε̂ and brought back
 * by subtracting the same ε̂ arrays (exact up to the rounding of two float additions), also when the
 * second estimate throws. The loss reported is the inner estimate's loss at the unperturbed θ. Costs two
 * inner estimates per step and one extra parameter-sized set of arrays (ε̂).
 *
 * <p>Sam perturbs along the gradient of the whole objective (the sum of a combined objective's parts, or the
 * combiner's direction). For unlearning, Fan et al. 2025 perturb along the forget loss only and take the
 * retain gradient at θ: that form is the combiner {@link ForgetSam} ({@code forget_sam}) of a combined objective,
 * with the plain first-order estimator.
 *
 * @param inner where g comes from, at θ and at θ + ε̂
 * @param rho ρ, the radius of the neighbourhood (Foret et al.: 0.05; ASAM: about 0.5 to 2)
 * @param adaptive whether ε̂ is scaled element-wise by T = |θ| + η (ASAM)
 * @param eta η, ASAM's offset that keeps zero weights perturbable (Kwon et al.: 0.01); unused unless adaptive
 */
public record Sam(Estimator inner, double rho, boolean adaptive, double eta) implements Estimator {
    /** The estimator {@code sam}. */
    public static final Kind<Sam> KIND = Kind.of("sam", Sam.class,
            "sharpness-aware minimisation along the whole objective (Foret et al. 2021); ASAM when "
            + "adaptive (Kwon et al. 2021); for SAM on the forget loss only (Fan et al. 2025) use the combiner forget_sam",
            List.of(Param.of("inner", part(Estimator.SLOT), FirstOrder.KIND.defaults(), "the estimator at θ and θ + ε̂",
                            Sam::inner),
                    Param.of("rho", real(Range.nonNegative()), 0.05, "neighbourhood radius ρ", Sam::rho),
                    Param.of("adaptive", bool(), false, "ASAM's element-wise scaling", (Sam s) -> s.adaptive()),
                    Param.of("eta", real(Range.nonNegative()), 0.0, "ASAM's offset η", Sam::eta)),
            a -> new Sam(a.get("inner"), a.real("rho"), a.bool("adaptive"), a.real("eta")));

    /** As a recipe file writes it ({@link PartText}). */
    @Override
    public String toString() {
        return PartText.of(this, List.of(KIND));
    }

    /** Checks the arguments. */
    public Sam {
        if (!(rho >= 0) || !(eta >= 0)) {
            throw new IllegalArgumentException("need rho >= 0 and eta >= 0, got " + rho + ", " + eta);
        }
    }

    /** SAM (Foret et al. 2021) around {@code inner}. */
    public static Sam of(Estimator inner, double rho) {
        return new Sam(inner, rho, false, 0);
    }

    /** ASAM (Kwon et al. 2021) around {@code inner}, with T = |θ| + η. */
    public static Sam adaptive(Estimator inner, double rho, double eta) {
        return new Sam(inner, rho, true, eta);
    }

    @Override
    public Estimate estimate(LossOracle oracle, Weights weights, long seed) {
        return estimate(oracle, weights, 0, seed);
    }

    @Override
    public Estimate estimate(LossOracle oracle, Weights weights, long step, long seed) {
        Estimate at = inner.estimate(oracle, weights, step, Rng.derive(seed, 0));
        // ε̂ must be materialised before the weights move: a first-order direction aliases the gradient
        // buffers, which the next backward pass overwrites.
        Map<String, NDArray> shift = ascent(at.direction(), weights);
        shift.forEach((name, e) -> weights.get(name).addi(e));
        Estimate shifted;
        try {
            shifted = inner.estimate(oracle, weights, step, Rng.derive(seed, 1));
        } finally {
            shift.forEach((name, e) -> weights.get(name).subi(e));
        }
        return new Estimate(at.loss(), shifted.direction());
    }

    /** ε̂ for the direction {@code g} at {@code weights}: ρ·g/‖g‖, or ρ·T²g/‖Tg‖ when adaptive. */
    public Map<String, NDArray> ascent(Updates g, Weights weights) {
        Updates scaled = adaptive ? g.map((name, a) -> a.mul(t(weights.get(name)))) : g;
        NDArray factor = scaled.globalNorm().add(1e-12f).pow(-1f).mul((float) rho);
        Map<String, NDArray> out = new LinkedHashMap<>();
        scaled.asMap().forEach((name, a) -> out.put(name,
                adaptive ? a.mul(t(weights.get(name))).muli(factor) : a.mul(factor)));
        return out;
    }

    private NDArray t(NDArray w) {
        return eta == 0 ? w.abs() : w.abs().addi((float) eta);
    }
}
