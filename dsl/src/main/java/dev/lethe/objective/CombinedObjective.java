package dev.lethe.objective;

import ai.djl.ndarray.NDArray;
import dev.lethe.optim.GradientCombiner;
import dev.lethe.optim.Schedule;
import java.util.Collections;
import java.util.LinkedHashMap;
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
