package dev.lethe.optim;

import static dev.lethe.part.ParamTypes.text;

import dev.lethe.part.Kind;
import dev.lethe.part.Param;
import dev.lethe.part.PartText;
import java.util.List;

/**
 * Conflict projection (PCGrad: Yu et al. 2020, "Gradient Surgery for Multi-Task Learning", Algorithm 1,
 * eq. in §2.2; in unlearning the "concept-preserving gradient"): with g_f the gradient of the forgetting
 * part and g_r that of the retain part, if g_f·g_r &lt; 0 then g_f ← g_f − (g_f·g_r / ‖g_r‖²)·g_r, and the
 * direction is g_f + g_r. Dot products and norms run over all parameters together (the flattened parameter
 * vector), not parameter by parameter. The retain gradient is never changed: only the forgetting direction
 * gives way. Parts other than the two named are added unchanged. The dot products include parameters that
 * an {@code Optimizers.onlyLayers} optimizer freezes after estimation (the combiner sees every gradient).
 *
 * @param forget the name of the forgetting part, whose gradient is projected
 * @param retain the name of the retain part, projected against
 */
public record ConflictProjection(String forget, String retain) implements GradientCombiner {
    /** The combiner {@code conflict_projection}. */
    public static final Kind<ConflictProjection> KIND = Kind.of("conflict_projection", ConflictProjection.class,
            "PCGrad: the forget gradient loses its component against the retain gradient (Yu et al. 2020)",
            List.of(Param.of("forget", text(), ConflictProjection.FORGET, "the forgetting part's name",
                    ConflictProjection::forget),
                    Param.of("retain", text(), ConflictProjection.RETAIN, "the retain part's name",
                            ConflictProjection::retain)),
            a -> new ConflictProjection(a.text("forget"), a.text("retain")));

    /** As a recipe file writes it ({@link PartText}). */
    @Override
    public String toString() {
        return PartText.of(this, List.of(KIND));
    }

    /** The default name of the forgetting part. */
    public static final String FORGET = "forget";
    /** The default name of the retain part. */
    public static final String RETAIN = "retain";

    /** Checks the names. */
    public ConflictProjection {
        if (forget.equals(retain)) {
            throw new IllegalArgumentException("the forget and retain parts must differ, both are '" + forget + "'");
        }
    }

    @Override
    public Updates combine(Parts parts) {
        requireParts(parts, forget, retain);
        Updates gr = parts.gradient(retain);
        return plusOthers(parts, project(parts.gradient(forget), gr).plus(gr), forget, retain);
    }

    /**
     * {@code g} with its component against {@code onto} removed when they conflict:
     * g − (g·onto / ‖onto‖²)·onto if g·onto &lt; 0, else g itself (also when onto = 0).
     */
    public static Updates project(Updates g, Updates onto) {
        double dot = g.dot(onto);
        if (!(dot < 0)) {
            return g;
        }
        double normSquared = onto.dot(onto);
        return g.plus(onto.times(-dot / normSquared));
    }

    static void requireParts(Parts parts, String forget, String retain) {
        if (!parts.names().contains(forget) || !parts.names().contains(retain)) {
            throw new IllegalArgumentException("this combiner needs parts named '" + forget + "' and '" + retain
                    + "'; the objective has " + parts.names());
        }
    }

    /** {@code direction} plus the gradients at θ of the parts other than {@code forget} and {@code retain}. */
    static Updates plusOthers(Parts parts, Updates direction, String forget, String retain) {
        Updates out = direction;
        for (String name : parts.names()) {
            if (!name.equals(forget) && !name.equals(retain)) {
                out = out.plus(parts.gradient(name));
            }
        }
        return out;
    }
}
