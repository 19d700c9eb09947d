package dev.lethe.run;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.lethe.data.BatchStream;
import dev.lethe.data.Encoded;
import dev.lethe.data.Split;
import dev.lethe.model.CausalLm;
import dev.lethe.model.Scalars;
import dev.lethe.model.Tokenizer;
import dev.lethe.objective.CombinedObjective;
import dev.lethe.objective.MicroBatch;
import dev.lethe.objective.Objective;
import dev.lethe.optim.LossOracle;
import dev.lethe.optim.Updates;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Gradient accumulation: the loss oracle of one optimisation step whose batches are cut into {@code count}
 * micro-batches ({@link Draws#micro}). Every evaluation runs the micro-batches one after the other, each in its
 * own {@code NDScope} (so activations, and the reference model's outputs, are held for one micro-batch at a
 * time), and returns Σ_j share_j · L_j ({@link Objective#microLoss}): the loss of the whole batches. With
 * gradients, the micro-batches' backward passes accumulate into the weights' gradient buffers, whose sum is the
 * whole batches' gradient. Every estimator asks only this oracle, so first-order, SAM (both of its gradients
 * accumulated), zeroth-order (each perturbed loss summed over the micro-batches at the same perturbation) and
 * hybrid steps equal their whole-batch steps up to float rounding; so do the per-part gradients of a
 * {@link CombinedObjective}, which are combined after accumulation.
 *
 * <p>Cost: the reference model's passes are recomputed in every evaluation instead of once per step (they are
 * not kept across micro-batches); a zeroth-order step, which evaluates 2q + 1 times, pays that 2q + 1 times.
 */
final class MicroBatches implements LossOracle {
    private final long index;
    private final long total;
    private final CausalLm model;
    private final Supplier<CausalLm> reference;
    private final Draws draws;
    private final Tokenizer tokenizer;
    private final Objective objective;
    private final double lossScale;
    private final int count;
    /** Every micro-batch loss of this step's evaluations, in order: read back only to explain a stop. */
    private final List<NDArray> microLosses = new ArrayList<>();

    MicroBatches(long index, long total, CausalLm model, Supplier<CausalLm> reference, Map<Split, BatchStream> streams,
            Tokenizer tokenizer, Objective objective, double lossScale, int count) {
        if (count < 2) {
            throw new IllegalArgumentException("accumulation needs at least 2 micro-batches, was " + count);
        }
        if (!objective.accumulates()) {
            throw new IllegalArgumentException(refusal(objective, count));
        }
        this.index = index;
        this.total = total;
        this.model = model;
        this.reference = reference;
        this.draws = Draws.of(streams);
        this.tokenizer = tokenizer;
        this.objective = objective;
        this.lossScale = lossScale;
        this.count = count;
    }

    /** Why {@code objective} cannot be accumulated over {@code count} micro-batches. */
    static String refusal(Objective objective, int count) {
        return "accumulate: " + count + " cannot split the objective " + objective + " over micro-batches: its loss is "
                + "not a mean over the examples or answer tokens of its batches (a custom or stateful objective, "
                + "RMU, concept correction), so its gradient on the whole batch is no weighted sum of the "
                + "micro-batches' gradients; use accumulate: 1 for it";
    }

    @Override
    public NDArray loss() {
        return loss(objective);
    }

    private NDArray loss(Objective o) {
        @Nullable NDArray sum = null;
        for (int j = 0; j < count; j++) {
            Share share = new Share(j);
            NDArray l;
            try (NDScope micro = new NDScope()) {
                l = context(j).microLoss(o, share);
                NDScope.unregister(l);
            }
            NDScope.register(l);
            microLosses.add(l);
            sum = sum == null ? l : sum.add(l);
        }
        return sum;
    }

    @Override
    public Evaluation lossAndGradients() {
        if (objective instanceof CombinedObjective combined) {
            return CombinedStep.evaluate(combined, model.weights(), index, this::oracle);
        }
        return lossAndGradients(objective, false);
    }

    /**
     * This oracle, its gradients also carrying the within-step variance σ² = (k·Σ_j ‖c_j‖² − ‖g‖²)/(k − 1) of the k
     * micro-batches' contributions c_j ({@link LossOracle#withWithinStepVariance()}).
     *
     * @throws UnsupportedOperationException for a combined objective, whose direction is no sum over micro-batches
     */
    @Override
    public LossOracle withWithinStepVariance() {
        if (objective instanceof CombinedObjective) {
            throw new UnsupportedOperationException("the within-step gradient variance (scale_by_snr's noise: "
                    + "within_step) is not defined for the combined objective " + objective + ": its combiner's "
                    + "direction is no sum over micro-batches");
        }
        return new LossOracle() {
            @Override
            public NDArray loss() {
                return MicroBatches.this.loss();
            }

            @Override
            public Evaluation lossAndGradients() {
                return MicroBatches.this.lossAndGradients(objective, true);
            }
        };
    }

    /** The oracle of {@code part} alone, accumulated over this step's micro-batches. */
    private LossOracle oracle(Objective part) {
        return new LossOracle() {
            @Override
            public NDArray loss() {
                return MicroBatches.this.loss(part);
            }

            @Override
            public Evaluation lossAndGradients() {
                return MicroBatches.this.lossAndGradients(part, false);
            }
        };
    }

    /**
     * Σ_j share_j · L_j and its gradient, the micro-batches' backward passes accumulated in the weights' buffers;
     * with {@code variance}, also the within-step variance of the gradient (see {@link #withWithinStepVariance()}).
     */
    private Evaluation lossAndGradients(Objective o, boolean variance) {
        model.weights().zeroGradients();
        @Nullable NDArray sum = null;
        @Nullable NDArray contributions = null;
        @Nullable Map<String, NDArray> before = null;
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            for (int j = 0; j < count; j++) {
                Share share = new Share(j);
                NDArray l;
                try (NDScope micro = new NDScope()) {
                    StepContext context = context(j);
                    l = context.microLoss(o, share);
                    if (share.evaluated) {
                        context.backward(collector, l);
                    }
                    NDScope.unregister(l);
                }
                NDScope.register(l);
                microLosses.add(l);
                sum = sum == null ? l : sum.add(l);
                if (variance) {
                    NDArray squares = contributionSquares(before);
                    contributions = contributions == null ? squares : contributions.add(squares);
                    if (j < count - 1) {
                        before = snapshot(before);
                    }
                }
            }
        }
        if (before != null) {
            before.values().forEach(NDArray::close);
        }
        LinkedHashMap<String, NDArray> grads = new LinkedHashMap<>();
        model.weights().forEach((name, w) -> grads.put(name, w.getGradient()));
        @Nullable NDArray sigma2 = null;
        if (contributions != null) {
            NDArray total = squaredNorm(grads);
            sigma2 = contributions.mul((float) count).sub(total).div((float) (count - 1)).maximum(0f);
        }
        return new Evaluation(sum, new Updates(grads, sigma2));
    }

    /** ‖c_j‖² of the last micro-batch's contribution: the gradient buffers minus {@code before} (null: zeros). */
    private NDArray contributionSquares(@Nullable Map<String, NDArray> before) {
        Map<String, NDArray> c = new LinkedHashMap<>();
        model.weights().forEach((name, w) -> c.put(name,
                before == null ? w.getGradient() : w.getGradient().sub(before.get(name))));
        NDArray out = squaredNorm(c);
        if (before != null) {
            c.values().forEach(NDArray::close);
        }
        return out;
    }

    /** Copies of the gradient buffers, replacing (and closing) {@code old}. */
    private Map<String, NDArray> snapshot(@Nullable Map<String, NDArray> old) {
        if (old != null) {
            old.values().forEach(NDArray::close);
        }
        Map<String, NDArray> copy = new LinkedHashMap<>();
        model.weights().forEach((name, w) -> copy.put(name, w.getGradient().duplicate()));
        return copy;
    }

    /**
     * Σ ‖a‖² over {@code arrays}, each array summed in float32 (float16 gradients would overflow), the arrays' sums
     * added in float64 (σ² is a difference of such sums) as a float64 scalar.
     */
    private static NDArray squaredNorm(Map<String, NDArray> arrays) {
        @Nullable NDArray total = null;
        for (NDArray a : arrays.values()) {
            NDArray s;
            try (NDArray wide = a.toType(DataType.FLOAT32, true); NDArray square = wide.square()) {
                s = square.sum().toType(DataType.FLOAT64, false);
            }
            total = total == null ? s : total.add(s);
        }
        if (total == null) {
            throw new IllegalStateException("no trainable weights");
        }
        return total;
    }

    /**
     * Where this step's first NaN or infinite micro-batch loss was, e.g. {@code " (micro-batch 3 of 4)"}; when
     * every micro-batch loss was finite, that the gradient was accumulated over {@code count} of them. Reads the
     * micro-batch losses back: call only to explain a stop.
     */
    String where() {
        for (int i = 0; i < microLosses.size(); i++) {
            NDArray l = microLosses.get(i);
            if (!l.isReleased() && !Double.isFinite(l.toType(DataType.FLOAT64, false).getDouble())) {
                return String.format(Locale.ROOT, " (micro-batch %d of %d)", i % count + 1, count);
            }
        }
        return " (accumulated over " + count + " micro-batches)";
    }

    /** A context on micro-batch {@code j}'s rows, with caches of its own. */
    private StepContext context(int j) {
        return new StepContext(index, total, model, reference, draws.micro(j, count), tokenizer, objective, lossScale);
    }

    /** Micro-batch {@code j}'s shares of the step's batches. */
    private final class Share implements MicroBatch {
        private final int j;
        /** Whether a term with a share above 0 was evaluated (otherwise the loss is a constant 0, no graph). */
        private boolean evaluated;

        Share(int j) {
            this.j = j;
        }

        @Override
        public int index() {
            return j;
        }

        @Override
        public int count() {
            return count;
        }

        @Override
        public double exampleShare(List<Split> splits) {
            long part = 0;
            long whole = 0;
            for (Split s : splits) {
                part += draws.micro(j, count).examples(s).size();
                whole += draws.whole(s).size();
            }
            return whole == 0 ? 0 : (double) part / whole;
        }

        @Override
        public double tokenShare(Split split) {
            long part = answerTokens(draws.micro(j, count).examples(split));
            long whole = answerTokens(draws.whole(split));
            return whole == 0 ? 0 : (double) part / whole;
        }

        @Override
        public NDArray scaled(double share, Supplier<NDArray> loss) {
            if (share == 0) {
                DataType type = model.weights().asMap().values().iterator().next().getDataType();
                return model.manager().zeros(new Shape(), type);
            }
            evaluated = true;
            return Scalars.times(loss.get(), share);
        }
    }

    /** The answer tokens of {@code rows} as {@link dev.lethe.data.Batch#mask()} counts them (answer and eos). */
    private static long answerTokens(List<Encoded> rows) {
        long n = 0;
        for (Encoded e : rows) {
            n += e.answerTargets();
        }
        return n;
    }
}
