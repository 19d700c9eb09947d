package dev.lethe.run;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import dev.lethe.data.BatchStream;
import dev.lethe.data.Split;
import dev.lethe.model.CausalLm;
import dev.lethe.model.Precision;
import dev.lethe.model.Scalars;
import dev.lethe.model.Tokenizer;
import dev.lethe.model.Weights;
import dev.lethe.objective.Objective;
import dev.lethe.optim.LossOracle;
import dev.lethe.optim.Updates;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Where one optimisation stage evaluates its losses. In {@link Precision#FLOAT32} that is the trained model
 * itself. In {@link Precision#FLOAT16} it is mixed precision (Micikevicius et al. 2018, "Mixed Precision
 * Training", §3.1–3.2): the trained model's float32 weights are the masters that the optimizer updates and
 * whose state it keeps; every loss evaluation first copies them into float16 leaf arrays of a working model
 * (so an estimator that perturbs the masters, SPSA or SAM, is always seen as it left them), runs the forward
 * and backward passes there with the loss multiplied by {@link #LOSS_SCALE}, and hands the optimizer float32
 * gradients divided by it. A float16 gradient that overflows becomes infinite; the optimizer then refuses the
 * update and the stage stops with that reason, keeping the weights of the last good step.
 *
 * <p>The reference model (NPO's, RMU's) stays float32. {@code toType} cannot be used inside the autograd
 * graph (DJL's cast cuts it), hence the separate leaf copies.
 */
final class MixedPrecision implements AutoCloseable {
    /**
     * The static loss scale: the gradient that reaches the float16 part of the graph is this many times the
     * true one, which lifts small gradients out of float16's subnormal range (below about 6e-8 they flush to
     * zero) while ordinary ones stay far below its largest value, 65 504 (Micikevicius et al. 2018, §3.2, used
     * scales from 8 to 32 768).
     */
    static final double LOSS_SCALE = 1024;

    private final CausalLm model;
    private final @Nullable CausalLm half;
    private @Nullable MicroBatches lastMicroBatches;

    private MixedPrecision(CausalLm model, @Nullable CausalLm half) {
        this.model = model;
        this.half = half;
    }

    /** The stage's evaluations of {@code model}'s loss in {@code precision}; close after the stage. */
    static MixedPrecision of(Precision precision, CausalLm model) {
        return new MixedPrecision(model, precision == Precision.FLOAT32 ? null : model.castCopy(precision));
    }

    /** The model the passes run on: the trained model itself, or its float16 working copy. */
    CausalLm working() {
        return half == null ? model : half;
    }

    /** The loss oracle of step {@code index}: a {@link StepContext} on the model or on its float16 copy. */
    LossOracle oracle(long index, long total, Supplier<CausalLm> reference, Map<Split, BatchStream> streams,
            Tokenizer tokenizer, Objective objective) {
        return oracle(index, total, reference, streams, tokenizer, objective, 1);
    }

    /**
     * The loss oracle of step {@code index} with its batches cut into {@code accumulate} micro-batches
     * ({@link MicroBatches}; 1: the whole batches at once, a {@link StepContext}). In float16 the micro-batches'
     * loss-scaled gradients accumulate in the working copy's float16 buffers, then are widened and unscaled once.
     */
    LossOracle oracle(long index, long total, Supplier<CausalLm> reference, Map<Split, BatchStream> streams,
            Tokenizer tokenizer, Objective objective, int accumulate) {
        lastMicroBatches = accumulate == 1 ? null : new MicroBatches(index, total, half == null ? model : half,
                reference, streams, tokenizer, objective, half == null ? 1 : LOSS_SCALE, accumulate);
        if (half == null) {
            return lastMicroBatches != null ? lastMicroBatches
                    : new StepContext(index, total, model, reference, streams, tokenizer, objective);
        }
        LossOracle onHalf = lastMicroBatches != null ? lastMicroBatches
                : new StepContext(index, total, half, reference, streams, tokenizer, objective, LOSS_SCALE);
        return onWorkingCopy(onHalf, half);
    }

    /**
     * {@code onHalf}, evaluated on {@code working} after copying the masters into it, its loss-scaled float16
     * gradients widened and unscaled (and a within-step variance, when it has one, unscaled by the square).
     */
    private LossOracle onWorkingCopy(LossOracle onHalf, CausalLm working) {
        return new LossOracle() {
            @Override
            public NDArray loss() {
                copyMasters(working);
                return onHalf.loss();
            }

            @Override
            public Evaluation lossAndGradients() {
                copyMasters(working);
                Evaluation e = onHalf.lossAndGradients();
                LinkedHashMap<String, NDArray> grads = new LinkedHashMap<>();
                e.gradients().asMap().forEach((name, g) -> {
                    NDArray wide = g.toType(DataType.FLOAT32, true);
                    grads.put(name, Scalars.dividedBy(wide, LOSS_SCALE));
                    wide.close();
                });
                @Nullable NDArray variance = e.gradients().variance();
                return new Evaluation(e.loss(), new Updates(grads,
                        variance == null ? null : Scalars.dividedBy(variance, LOSS_SCALE * LOSS_SCALE)));
            }

            @Override
            public LossOracle withWithinStepVariance() {
                return onWorkingCopy(onHalf.withWithinStepVariance(), working);
            }
        };
    }

    /** The micro-batches of the last oracle made, when it accumulates: where a stopped step failed. */
    @Nullable MicroBatches lastMicroBatches() {
        return lastMicroBatches;
    }

    /** Copies the float32 masters into the working model's float16 arrays, in place (no autograd is on here). */
    private void copyMasters(CausalLm working) {
        Weights masters = model.weights();
        NDIndex all = new NDIndex("...");
        working.weights().forEach((name, w) -> w.set(all, masters.get(name)));
    }

    @Override
    public void close() {
        if (half != null) {
            half.close();
        }
    }
}
