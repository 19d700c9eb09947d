package dev.lethe.optim;

import dev.lethe.part.Kind;
import dev.lethe.part.PartText;
import dev.lethe.part.Slot;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Turns the gradients of a stage's named objectives into one descent direction (DESIGN.md, "Objectives":
 * a stage holds named objectives and one combiner). One method, so a Java or Kotlin lambda is a combiner:
 * {@code parts -> parts.gradient("forget")}. Built-ins: {@link #sum()}, {@link #conflictProjection()}
 * (PCGrad, {@link ConflictProjection}), {@link #stableUn(double, int, long)} ({@link StableUn}) and
 * {@link #forgetSam(double)} ({@link ForgetSam}, SAM on the forget part only).
 *
 * <p>Only first-order estimation sees the combiner: {@link LossOracle#lossAndGradients()} of a combined
 * objective computes one gradient per part and combines them, while zeroth-order estimators, which only
 * ever see losses, minimise the plain sum of the parts.
 */
@FunctionalInterface
public interface GradientCombiner {
    /** The slot of recipe files that holds GradientCombiner: how a combined objective turns its parts' gradients into one direction. */
    Slot<GradientCombiner> SLOT = new Slot<>("combiner", GradientCombiner.class);

    /** The combined direction, one array per parameter (arrays the combiner creates or gets from {@code parts}). */
    Updates combine(Parts parts);

    /** The combiner slot's vocabulary, in the order {@code lethe list} shows it. */
    List<Kind<? extends GradientCombiner>> KINDS = List.of(
            Sum.KIND,
            ConflictProjection.KIND,
            StableUn.KIND,
            ForgetSam.KIND);

    /** The plain sum Σ_k g_k of every part's gradient at θ: the gradient of the summed loss. */
    static GradientCombiner sum() {
        return new Sum();
    }

    /** PCGrad conflict projection of the part {@code "forget"} against the part {@code "retain"}. */
    static GradientCombiner conflictProjection() {
        return new ConflictProjection(ConflictProjection.FORGET, ConflictProjection.RETAIN);
    }

    /** StableUN with forgetting feedback from {@code points} neighbourhood points of radius {@code rho}. */
    static GradientCombiner stableUn(double rho, int points, long seed) {
        return new StableUn(ConflictProjection.FORGET, ConflictProjection.RETAIN, rho, points, seed);
    }

    /** SAM on the part {@code "forget"} only ({@link ForgetSam}, Fan et al. 2025): the other parts at θ. */
    static GradientCombiner forgetSam(double rho) {
        return new ForgetSam(ConflictProjection.FORGET, rho);
    }

    /** The plain sum Σ_k g_k of every part's gradient at θ ({@link #sum()}); a record, so recipes can hold it. */
    record Sum() implements GradientCombiner {
        /** The combiner {@code sum}. */
        public static final Kind<Sum> KIND = Kind.of("sum", Sum.class, "the sum of the parts' gradients", List.of(),
                a -> new Sum());

        /** As a recipe file writes it ({@link PartText}). */
        @Override
        public String toString() {
            return PartText.of(this, List.of(KIND));
        }

        @Override
        public Updates combine(Parts parts) {
            @Nullable Updates total = null;
            for (String name : parts.names()) {
                total = total == null ? parts.gradient(name) : total.plus(parts.gradient(name));
            }
            if (total == null) {
                throw new IllegalArgumentException("a combined objective needs at least one part");
            }
            return total;
        }
    }

    /**
     * What a combiner may ask about the parts of one optimisation step. Gradients are copies the step owns,
     * so backward passes of later parts do not overwrite them.
     */
    interface Parts {
        /** The part names, in the order the objective declared them. */
        Set<String> names();

        /** ∇L_part(θ) at the current weights; computed once per step and part, then cached. */
        Updates gradient(String part);

        /**
         * ∇L_part(θ + shift): the weights are moved by {@code shift} (one array per parameter named in it),
         * the gradient is taken, and the weights are restored bit for bit (also when the evaluation throws).
         */
        Updates gradientAt(String part, Updates shift);

        /** The optimisation step number (from 0), for combiners that draw random numbers per step. */
        long step();
    }
}
