package dev.lethe.objective;

import static dev.lethe.part.ParamTypes.map;
import static dev.lethe.part.ParamTypes.part;
import static dev.lethe.part.ParamTypes.real;

import ai.djl.ndarray.NDArray;
import dev.lethe.optim.ConflictProjection;
import dev.lethe.optim.GradientCombiner;
import dev.lethe.optim.Schedule;
import dev.lethe.optim.StableUn;
import dev.lethe.part.Kind;
import dev.lethe.part.Param;
import dev.lethe.part.ParamTypes.Range;
import dev.lethe.part.PartText;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Named objectives whose gradients one {@link GradientCombiner} combines (DESIGN.md, "Objectives": a stage
 * holds named objectives and one combiner), e.g. NPO on the forget split and a KL retain term with their
 * conflict projected away: {@code Objectives.conflictProjection(npo(), klRetain().times(0.5))}.
 *
 * <p>Two views of the same objective:
 * <ul>
 *   <li>{@link #loss(Step)} is the plain sum Σ_k L_k of the parts. It is all that zeroth-order estimators
 *       ({@code Spsa}, the zeroth-order half of {@code Hybrid}) see, so for them a combined objective is the
 *       summed objective and the combiner plays no part.</li>
 *   <li>First-order estimation ({@code LossOracle.lossAndGradients()} of the run's step, used by
 *       {@code FirstOrder}, {@code Sam} and {@code Hybrid}) takes one gradient per part, each in its own
 *       backward pass, and returns the combiner's direction; the loss it reports is still Σ_k L_k(θ).</li>
 * </ul>
 * The combination happens only when this is the stage's objective itself: inside another objective's sum
 * it is its summed loss. So {@link #plus} and {@link #times} are overridden to stay combined: {@code times}
 * scales every part (the built-in combiners are positively homogeneous, so this scales the direction), and
 * {@code plus} adds the other objective as one more part, {@code "part<k>"}, which the built-in combiners add
 * unchanged.
 *
 * @param parts name → objective, in order (copied, read-only)
 * @param combiner how the parts' gradients become one direction
 */
public record CombinedObjective(Map<String, Objective> parts, GradientCombiner combiner) implements Objective {
    /**
     * The objective {@code conflict_projection}: {@link Objectives#conflictProjection}, a shorthand of
     * {@link #KIND}.
     */
    public static final Kind<CombinedObjective> CONFLICT_PROJECTION = Kind.of("conflict_projection",
            CombinedObjective.class,
            "forget and retain objectives with PCGrad conflict projection (Yu et al. 2020); shorthand of "
                    + "combined: {combiner: conflict_projection, parts: {forget: F, retain: {times: ...}}}",
            List.of(forgetPart(), retainPart(), retainWeight()),
            a -> Objectives.conflictProjection(a.get("forget"),
                    a.<Objective>get("retain").times(a.real("retain_weight"))))
            .handling(o -> o instanceof CombinedObjective c && isForgetRetain(c)
                    && c.combiner().equals(GradientCombiner.conflictProjection()));

    /** The objective {@code stable_un}: a shorthand of {@link #KIND} for {@link Objectives#stableUn}. */
    public static final Kind<CombinedObjective> STABLE_UN = Kind.of("stable_un", CombinedObjective.class,
            "forget and retain objectives with StableUN's multi-point feedback (Wu et al. 2025, §4); shorthand "
                    + "of combined: {combiner: stable_un, parts: {forget: F, retain: {times: ...}}}",
            List.of(forgetPart(), retainPart(), retainWeight(), stableUnParam("rho"), stableUnParam("points"),
                    stableUnParam("seed")),
            a -> Objectives.stableUn(a.get("forget"), a.<Objective>get("retain").times(a.real("retain_weight")),
                    a.real("rho"), a.integer("points"), a.longInteger("seed")))
            .handling(o -> o instanceof CombinedObjective c && isForgetRetain(c) && c.combiner() instanceof StableUn s
                    && s.forget().equals(ConflictProjection.FORGET) && s.retain().equals(ConflictProjection.RETAIN));

    /** The objective {@code combined}: any combiner over named parts. */
    public static final Kind<CombinedObjective> KIND = Kind.of("combined", CombinedObjective.class,
            "named objectives whose gradients a combiner combines (first-order estimators; zeroth-order ones "
                    + "see the sum of the parts)",
            List.of(Param.required("combiner", part(GradientCombiner.SLOT), "how the parts' gradients become one direction",
                            CombinedObjective::combiner),
                    Param.required("parts", map(part(Objective.SLOT), 1), "name → objective, in order",
                            CombinedObjective::parts)),
            a -> {
                GradientCombiner combiner = a.get("combiner");
                Map<String, Objective> parts = a.get("parts");
                requireParts(combiner, parts);
                return new CombinedObjective(parts, combiner);
            });

    /** As a recipe file writes it ({@link PartText}). */
    @Override
    public String toString() {
        return PartText.of(this, List.of(CONFLICT_PROJECTION, STABLE_UN, KIND));
    }

    private static Param forgetPart() {
        return Param.of("forget", part(Objective.SLOT), Npo.KIND.defaults(), "the forgetting part",
                (CombinedObjective c) -> c.parts().get(ConflictProjection.FORGET));
    }

    private static Param retainPart() {
        return Param.of("retain", part(Objective.SLOT), KlRetain.KIND.defaults(), "the retain part",
                (CombinedObjective c) -> retainScaled(c).objective());
    }

    private static Param retainWeight() {
        return Param.of("retain_weight", real(Range.any()), 1.0, "the retain part's weight",
                (CombinedObjective c) -> retainScaled(c).weight());
    }

    /** {@link StableUn}'s parameter {@code key}, read from the combiner of a shorthand. */
    private static Param stableUnParam(String key) {
        Param p = java.util.Objects.requireNonNull(StableUn.KIND.param(key));
        return new Param(p.name(), p.type(), p.defaultValue(), p.required(), p.doc(),
                o -> p.accessor().apply(((CombinedObjective) o).combiner()));
    }

    private static Objective.Scaled retainScaled(CombinedObjective c) {
        return (Objective.Scaled) c.parts().get(ConflictProjection.RETAIN);
    }

    /**
     * Whether {@code c} has the shorthands' shape: parts {@code forget} then {@code retain}, the retain part a
     * constant multiple (what {@code retain.times(retain_weight)} builds), so that the shorthand reads back equal.
     */
    private static boolean isForgetRetain(CombinedObjective c) {
        return List.copyOf(c.parts().keySet()).equals(List.of(ConflictProjection.FORGET, ConflictProjection.RETAIN))
                && c.parts().get(ConflictProjection.RETAIN) instanceof Objective.Scaled;
    }

    /** The parts the built-in forget/retain combiners name must exist (they would fail at the first step). */
    private static void requireParts(GradientCombiner combiner, Map<String, Objective> parts) {
        List<String> named = combiner instanceof ConflictProjection p ? List.of(p.forget(), p.retain())
                : combiner instanceof StableUn s ? List.of(s.forget(), s.retain()) : List.of();
        for (String name : named) {
            if (!parts.containsKey(name)) {
                throw new IllegalArgumentException("the combiner needs a part named '" + name + "'; the parts are "
                        + parts.keySet());
            }
        }
    }

    /** Copies the parts and checks there is at least one. */
    public CombinedObjective {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("a combined objective needs at least one part");
        }
        parts.keySet().forEach(name -> {
            if (name.isBlank()) {
                throw new IllegalArgumentException("a part's name must not be blank");
            }
        });
        parts = Collections.unmodifiableMap(new LinkedHashMap<>(parts));
    }

    /** Each part's state under {@code <part name>.}. */
    @Override
    public Map<String, double[]> state() {
        return ObjectiveStates.join(parts);
    }

    @Override
    public void restore(Map<String, double[]> state) {
        ObjectiveStates.split(state, parts);
    }

    /** Σ_k L_k: the parts' losses summed, as a zeroth-order estimator sees the objective. */
    /** Whether every part accumulates. */
    @Override
    public boolean accumulates() {
        return parts.values().stream().allMatch(Objective::accumulates);
    }

    @Override
    public NDArray microLoss(Step step, MicroBatch micro) {
        @Nullable NDArray total = null;
        for (Objective part : parts.values()) {
            NDArray l = part.microLoss(step, micro);
            total = total == null ? l : total.add(l);
        }
        return Objects.requireNonNull(total);
    }

    @Override
    public NDArray loss(Step step) {
        @Nullable NDArray total = null;
        for (Objective part : parts.values()) {
            NDArray l = part.loss(step);
            total = total == null ? l : total.add(l);
        }
        return Objects.requireNonNull(total);
    }

    /** One more part named {@code "part<k>"} (k its position from 0), under the same combiner. */
    @Override
    public CombinedObjective plus(Objective other) {
        Map<String, Objective> more = new LinkedHashMap<>(parts);
        int k = parts.size();
        while (more.containsKey("part" + k)) {
            k++;
        }
        more.put("part" + k, other);
        return new CombinedObjective(more, combiner);
    }

    /** Every part times {@code weight}, under the same combiner. */
    @Override
    public CombinedObjective times(double weight) {
        Map<String, Objective> scaled = new LinkedHashMap<>();
        parts.forEach((name, o) -> scaled.put(name, o.times(weight)));
        return new CombinedObjective(scaled, combiner);
    }

    /** Every part times the scheduled weight, under the same combiner. */
    @Override
    public CombinedObjective times(Schedule weight) {
        Map<String, Objective> scaled = new LinkedHashMap<>();
        parts.forEach((name, o) -> scaled.put(name, o.times(weight)));
        return new CombinedObjective(scaled, combiner);
    }
}
