package dev.lethe.objective;

import static dev.lethe.part.ParamTypes.list;
import static dev.lethe.part.ParamTypes.numberOr;
import static dev.lethe.part.ParamTypes.part;
import static dev.lethe.part.ParamTypes.real;

import ai.djl.ndarray.NDArray;
import com.google.errorprone.annotations.CheckReturnValue;
import dev.lethe.data.Split;
import dev.lethe.model.Scalars;
import dev.lethe.optim.Schedule;
import dev.lethe.part.Kind;
import dev.lethe.part.Param;
import dev.lethe.part.ParamTypes.Range;
import dev.lethe.part.PartText;
import dev.lethe.part.Slot;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;

/**
 * A scalar loss to minimise, computed from a {@link Step}. One method, so a Java or Kotlin lambda is an
 * objective: {@code step -> step.scores(FORGET).meanNll().mean().neg()}.
 */
@FunctionalInterface
public interface Objective {
    /** The slot of recipe files that holds Objective: unlearning objectives and their combinators. */
    Slot<Objective> SLOT = new Slot<>("objective", Objective.class);

    /** The loss of this step, a scalar array that keeps its autograd graph. */
    NDArray loss(Step step);

    /**
     * What this objective keeps from one step to the next (an adversary's weights, say), as named vectors,
     * for a checkpoint; empty for the usual stateless objective. An objective with state must expose it here
     * and take it back in {@link #restore}, or a resumed run would not continue exactly where it stopped.
     * Sums, weights and combinations list their parts' states under prefixed names.
     */
    default Map<String, double[]> state() {
        return Map.of();
    }

    /**
     * Sets the state to {@code state}, as {@link #state()} returned it when the checkpoint was written.
     *
     * @throws IllegalArgumentException when {@code state} does not fit this objective
     */
    default void restore(Map<String, double[]> state) {
        if (!state.isEmpty()) {
            throw new IllegalArgumentException("a stateless objective cannot restore the state " + state.keySet());
        }
    }

    /**
     * Whether this objective's loss on a batch is a weighted sum of its losses on the batch's micro-batches
     * ({@link #microLoss}), so that a stage may accumulate gradients over micro-batches (its {@code accumulate}
     * option). True for means over examples ({@link ExampleMean}) or answer tokens ({@link TokenMean}) and their
     * sums and weightings; false by default (a lambda, a stateful or batch-coupled objective), and then a stage
     * with {@code accumulate} above 1 refuses it.
     */
    default boolean accumulates() {
        return false;
    }

    /**
     * This objective's share of the loss on {@code micro}, evaluated on {@code step}, whose batches are the
     * micro-batch's rows: summed over the step's micro-batches it is the loss on the whole batches, so the
     * summed gradients are the whole batches' gradient.
     *
     * @throws UnsupportedOperationException when {@link #accumulates()} is false
     */
    default NDArray microLoss(Step step, MicroBatch micro) {
        throw new UnsupportedOperationException("the objective " + this + " is not a mean over the examples or "
                + "tokens of its batches, so its loss cannot be accumulated over micro-batches");
    }

    /**
     * An objective whose loss is the mean, over the examples of the union of {@link #averagedOver()}'s batches,
     * of a per-example value that depends on that example alone (NLL, NPO, DPO, ...): on a micro-batch it
     * weighs {@link MicroBatch#exampleShare}.
     */
    interface ExampleMean extends Objective {
        /** The splits whose examples the loss averages over. */
        List<Split> averagedOver();

        @Override
        default boolean accumulates() {
            return true;
        }

        @Override
        default NDArray microLoss(Step step, MicroBatch micro) {
            return micro.scaled(micro.exampleShare(averagedOver()), () -> loss(step));
        }
    }

    /**
     * An objective whose loss is the mean, over the answer tokens ({@link dev.lethe.data.Batch#mask()}) of
     * {@link #tokensOf()}'s batch, of a per-token value that depends on that token's row alone (KL to the
     * reference, ...): on a micro-batch it weighs {@link MicroBatch#tokenShare}.
     */
    interface TokenMean extends Objective {
        /** The split whose answer tokens the loss averages over. */
        Split tokensOf();

        @Override
        default boolean accumulates() {
            return true;
        }

        @Override
        default NDArray microLoss(Step step, MicroBatch micro) {
            return micro.scaled(micro.tokenShare(tokensOf()), () -> loss(step));
        }
    }

    /** {@code this + other}; Kotlin's {@code +}. */
    @CheckReturnValue
    default Objective plus(Objective other) {
        return new Sum(this, other);
    }

    /** {@code weight · this}; Kotlin's {@code *}. */
    @CheckReturnValue
    default Objective times(double weight) {
        return new Scaled(this, weight);
    }

    /**
     * {@code w(t) · this}, where the weight follows a schedule of the step, e.g. a retain term warmed up over
     * the stage: {@code klRetain().times(Schedules.warmupLinearDecay(1, 100))}. The weight is
     * {@code weight.at(step.index(), step.totalSteps())}, read in Java at each evaluation (a constant of the
     * graph). A schedule is Optax's "a number or a function of the step" (see STYLE.md).
     */
    @CheckReturnValue
    default Objective times(Schedule weight) {
        return new ScheduledWeight(this, weight);
    }

    /** The sum of two objectives. */
    record Sum(Objective first, Objective second) implements Objective {
        /** The objective {@code plus}: {@code plus: [a, b, ...]}, a left-nested sum ((a + b) + c). */
        public static final Kind<Objective> KIND = Kind.<Objective, Sum>of("plus", Sum.class,
                "the sum of the terms: plus: [a, b, ...]",
                List.of(Param.required("terms", list(part(Objective.SLOT), 2), "the objectives to add", Sum::terms)),
                a -> {
                    List<Objective> terms = a.list("terms");
                    Objective sum = terms.get(0);
                    for (int i = 1; i < terms.size(); i++) {
                        sum = sum.plus(terms.get(i));
                    }
                    return sum;
                }).inlined();

        /** As a recipe file writes it ({@link PartText}). */
        @Override
        public String toString() {
            return PartText.of(this, List.of(KIND));
        }

        /** The terms of this left-nested sum, flattened: ((a + b) + c) → [a, b, c]. */
        private static List<Objective> terms(Sum s) {
            Deque<Objective> out = new ArrayDeque<>();
            Objective o = s;
            while (o instanceof Sum sum) {
                out.addFirst(sum.second());
                o = sum.first();
            }
            out.addFirst(o);
            return List.copyOf(out);
        }

        @Override
        public NDArray loss(Step step) {
            return first.loss(step).add(second.loss(step));
        }

        @Override
        public boolean accumulates() {
            return first.accumulates() && second.accumulates();
        }

        @Override
        public NDArray microLoss(Step step, MicroBatch micro) {
            return first.microLoss(step, micro).add(second.microLoss(step, micro));
        }

        /** The first term's state under {@code 0.}, the second's under {@code 1.}. */
        @Override
        public Map<String, double[]> state() {
            return ObjectiveStates.join(Map.of("0", first, "1", second));
        }

        @Override
        public void restore(Map<String, double[]> state) {
            ObjectiveStates.split(state, Map.of("0", first, "1", second));
        }
    }

    /** An objective times a weight that depends on the step: {@code weight.at(index, totalSteps) · objective}. */
    record ScheduledWeight(Objective objective, Schedule weight) implements Wrapper {
        /** As a recipe file writes it, a {@code times} with a schedule ({@link PartText}). */
        @Override
        public String toString() {
            return PartText.of(this, List.of(Scaled.KIND));
        }

        @Override
        public NDArray loss(Step step) {
            return Scalars.times(objective.loss(step), weight.at(step.index(), step.totalSteps()));
        }

        @Override
        public NDArray microLoss(Step step, MicroBatch micro) {
            return Scalars.times(objective.microLoss(step, micro), weight.at(step.index(), step.totalSteps()));
        }
    }

    /** An objective times a constant weight. */
    record Scaled(Objective objective, double weight) implements Wrapper {
        /** The objective {@code times}: a constant or a scheduled weight (a {@link ScheduledWeight} is one too). */
        public static final Kind<Objective> KIND = Kind.<Objective, Scaled>of("times", Scaled.class,
                "the objective times a weight, a number or a schedule of the step",
                List.of(Param.required("weight", numberOr(real(Range.any()), part(Schedule.SLOT)),
                                "a number, or a schedule such as {linear_decay: {lr: 1}}",
                                (Wrapper w) -> w instanceof ScheduledWeight s ? s.weight()
                                        : (Object) ((Scaled) w).weight()),
                        Param.required("objective", part(Objective.SLOT), "the weighted objective",
                                Wrapper::objective)),
                a -> {
                    Object w = a.get("weight");
                    Objective o = a.get("objective");
                    return w instanceof Double d ? o.times(d) : o.times((Schedule) w);
                })
                .handling(o -> o instanceof Scaled || o instanceof ScheduledWeight);

        /** As a recipe file writes it ({@link PartText}). */
        @Override
        public String toString() {
            return PartText.of(this, List.of(KIND));
        }

        @Override
        public NDArray loss(Step step) {
            return Scalars.times(objective.loss(step), weight);
        }

        @Override
        public NDArray microLoss(Step step, MicroBatch micro) {
            return Scalars.times(objective.microLoss(step, micro), weight);
        }
    }
}
