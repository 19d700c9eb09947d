package dev.lethe.optim;

import static dev.lethe.part.ParamTypes.real;

import ai.djl.ndarray.NDArray;
import dev.lethe.model.Weights;
import dev.lethe.part.Kind;
import dev.lethe.part.Param;
import dev.lethe.part.ParamTypes.Range;
import dev.lethe.part.PartText;
import java.util.List;

/**
 * Rescales all updates together so that their global L2 norm is at most {@code maxNorm}
 * (Pascanu et al. 2013): u ← u · min(1, maxNorm / ‖u‖).
 *
 * @param maxNorm the largest allowed global norm
 */
public record ClipByGlobalNorm(double maxNorm) implements Transform {
    /** The transform {@code clip_by_global_norm}. */
    public static final Kind<ClipByGlobalNorm> KIND = Kind.of("clip_by_global_norm", ClipByGlobalNorm.class,
            "rescale so the global norm is at most max_norm",
            List.of(Param.of("max_norm", real(Range.positive()), 1.0, "largest global norm",
                    ClipByGlobalNorm::maxNorm)),
            a -> new ClipByGlobalNorm(a.real("max_norm")));

    /** As a recipe file writes it ({@link PartText}). */
    @Override
    public String toString() {
        return PartText.of(this, List.of(KIND));
    }

    @Override
    public Updates update(Updates updates, TransformState state, Weights weights, long step, long totalSteps) {
        NDArray scale = updates.globalNorm().add(1e-12f).pow(-1f).mul((float) maxNorm).minimum(1f);
        return updates.map((name, u) -> u.mul(scale));
    }
}
