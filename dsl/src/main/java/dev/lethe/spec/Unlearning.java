package dev.lethe.spec;

import static dev.lethe.part.ParamTypes.choice;
import static dev.lethe.part.ParamTypes.integer;
import static dev.lethe.part.ParamTypes.longInteger;
import static dev.lethe.part.ParamTypes.part;
import static dev.lethe.part.ParamTypes.real;
import static dev.lethe.part.ParamTypes.struct;

import dev.lethe.adapter.Lora;
import dev.lethe.data.Texts;
import dev.lethe.model.Precision;
import dev.lethe.objective.Objective;
import dev.lethe.optim.Optimizer;
import dev.lethe.optim.Optimizers;
import dev.lethe.part.Kind;
import dev.lethe.part.Param;
import dev.lethe.part.ParamTypes.Range;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The {@code unlearn} stage: starting from the current model (e.g. the learned one), minimise
 * {@code objective} for {@code steps} steps; the result becomes the current model, called {@code unlearned}.
 * Each step draws a batch of {@code batchSize} from each split the objective asks for; the frozen reference
 * of NPO-like objectives is the model the stage started from.
 *
 * <p>With {@code requests > 1} the stage is a sequence of unlearning requests: the forget split is cut
 * into {@code requests} disjoint, contiguous chunks of near-equal size (in the split's order, so the same
 * data gives the same chunks), and request {@code i} runs {@code steps} steps with chunk {@code i} as the
 * forget split, continuing from the model request {@code i − 1} left; the other splits and the frozen
 * reference (the model the stage started from) stay the same. The run evaluates the model after each
 * request (stage {@code unlearn.request<i>}) with the continual suites when set, otherwise with the next
 * evaluate stage's; the model after the last request is the {@code unlearned} one.
 *
 * @param objective what to minimise
 * @param optimizer how
 * @param steps optimisation steps (per request)
 * @param batchSize examples per split per step
 * @param accumulate how many micro-batches each step's batches are cut into (each split's batch cut into that
 *     many contiguous parts), their gradients summed with the weights that make the step equal the whole
 *     batches' one up to float rounding, with the activation memory of one micro-batch (1: none); the objective
 *     must be a mean over examples or answer tokens ({@link Objective#accumulates()})
 * @param maxLength the longest training sequence in tokens, at most the model's context length; longer
 *     examples are cut at the end as TOFU's {@code max_length} cuts them (0: the model's context length)
 * @param requests how many sequential unlearning requests the forget split is cut into (1 = one request)
 * @param adapters low-rank adapters to train instead of the full model (merged back afterwards), or null
 * @param divergeAbove the stage stops, keeping the weights of its last good step, at the first step whose
 *     loss has a magnitude above this ({@code +∞}: only NaN or infinite losses and updates stop it)
 * @param trainOn the texts the stage's batches hold: the question-answer pairs (TOFU-style), the passages
 *     (MUSE-style, which unlearns the text itself), or both
 * @param precision what the forward and backward passes compute in: {@link Precision#FLOAT32}, or
 *     {@link Precision#FLOAT16} mixed precision (float32 weights and optimizer state, float16 passes with
 *     static loss scaling; meant for GPUs, not with adapters)
 * @param continual continual evaluation during the stage (each request), or null
 */
public record Unlearning(Objective objective, Optimizer optimizer, long steps, int batchSize, int accumulate,
        int maxLength, int requests,
        @Nullable Lora adapters, double divergeAbove, Texts trainOn, Precision precision,
        @Nullable Continual continual) implements Stage {
    /** The {@code unlearn} stage in recipe files. */
    public static final Kind<Unlearning> KIND = Kind.of("unlearn", Unlearning.class,
            "minimise the objective starting from the current model; it becomes the current model, unlearned",
            List.of(Param.required("objective", part(Objective.SLOT), "what to minimise", (Unlearning x) -> x.objective()),
                    Param.optional("optimizer", struct(Optimizer.KIND), "default: AdamW, lr 1e-3, weight decay 0.01",
                            (Unlearning x) -> x.optimizer()),
                    Param.of("steps", longInteger(0), 100L, "optimisation steps", (Unlearning x) -> x.steps()),
                    Param.of("batch_size", integer(1), 16, "examples per split per step", (Unlearning x) -> x.batchSize()),
                    Param.of("accumulate", integer(1), 1, "micro-batches each step's batches are cut into, their "
                            + "gradients summed before one update (the same step, a micro-batch's memory)",
                            (Unlearning x) -> x.accumulate()),
                    Param.optional("max_length", integer(2), "the longest training sequence in tokens, longer ones "
                            + "cut at the end (absent: the model's context length)",
                            (Unlearning x) -> x.maxLength() == 0 ? null : x.maxLength()),
                    Param.of("requests", integer(1), 1, "sequential unlearning requests the forget split is cut "
                            + "into, each given all the steps", (Unlearning x) -> x.requests()),
                    Param.optional("adapters", struct(Lora.KIND), "LoRA adapters to train instead of the full model "
                            + "(absent: the full model)", (Unlearning x) -> x.adapters()),
                    Param.optional("diverge_above", real(Range.positive()), "stop the stage, keeping the last good "
                            + "weights, when |loss| passes this (absent: only NaN/Inf stop it)",
                            (Unlearning u) -> Double.isInfinite(u.divergeAbove()) ? null : u.divergeAbove()),
                    Param.of("train_on", choice(Texts.class), Texts.ANSWERS,
                            "what the batches hold: answers (question-answer pairs), passages (MUSE) or both",
                            (Unlearning x) -> x.trainOn()),
                    Param.of("precision", choice(Precision.class), Precision.FLOAT32, "float32, or float16 mixed "
                            + "precision (float32 weights and optimizer state; for GPUs)", (Unlearning x) -> x.precision()),
                    TrainingParams.continual()),
            a -> {
                Optimizer o = a.get("optimizer");
                Double bound = a.get("diverge_above");
                Integer maxLength = a.get("max_length");
                return new Unlearning(a.get("objective"), o == null ? Optimizers.adamW(1e-3) : o,
                        a.longInteger("steps"), a.integer("batch_size"), a.integer("accumulate"),
                        maxLength == null ? 0 : maxLength, a.integer("requests"), a.get("adapters"),
                        bound == null ? Double.POSITIVE_INFINITY : bound, a.get("train_on"), a.get("precision"),
                        a.get("continual"));
            });


    /** Validates the numbers. */
    public Unlearning {
        if (steps < 0) {
            throw new IllegalArgumentException("steps must be >= 0, was " + steps);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be >= 1, was " + batchSize);
        }
        if (accumulate < 1 || accumulate > batchSize) {
            throw new IllegalArgumentException("accumulate must be between 1 and the batch size " + batchSize
                    + " (micro-batches of at least one example), was " + accumulate);
        }
        if (accumulate > 1 && !objective.accumulates()) {
            throw new IllegalArgumentException("accumulate: " + accumulate + " cannot split the objective "
                    + objective + " over micro-batches: its loss is not a mean over the examples or answer tokens "
                    + "of its batches (a custom or stateful objective, RMU, concept correction), so its gradient "
                    + "on the whole batch is no weighted sum of the micro-batches' gradients; use accumulate: 1");
        }
        if (maxLength != 0 && maxLength < 2) {
            throw new IllegalArgumentException("maxLength must be >= 2 tokens (or 0: the model's context length), "
                    + "was " + maxLength);
        }
        if (requests < 1) {
            throw new IllegalArgumentException("requests must be >= 1, was " + requests);
        }
        if (!(divergeAbove > 0)) {
            throw new IllegalArgumentException("divergeAbove must be > 0, was " + divergeAbove);
        }
        if (precision != Precision.FLOAT32 && adapters != null) {
            throw new IllegalArgumentException("precision " + precision.name().toLowerCase(Locale.ROOT)
                    + " does not work with adapters yet; use float32 or train the full model");
        }
    }

    /** One request, full-model unlearning on the answers in float32, no divergence bound, no continual evaluation. */
    public Unlearning(Objective objective, Optimizer optimizer, long steps, int batchSize) {
        this(objective, optimizer, steps, batchSize, 1, 0, 1, null, Double.POSITIVE_INFINITY, Texts.ANSWERS,
                Precision.FLOAT32, null);
    }

    /** {@code objective} with AdamW at lr 1e-3 (weight decay 0.01) for 100 steps of batch 16. */
    public static Unlearning of(Objective objective) {
        return new Unlearning(objective, Optimizers.adamW(1e-3), 100, 16);
    }

    /**
     * A copy that minimises {@code newObjective}, e.g. {@code withObjective(npo().plus(nll(Split.RETAIN)))}.
     */
    public Unlearning withObjective(Objective newObjective) {
        return new Unlearning(newObjective, optimizer, steps, batchSize, accumulate, maxLength, requests, adapters,
                divergeAbove, trainOn, precision, continual);
    }

    /**
     * A copy with another optimizer.
     */
    public Unlearning withOptimizer(Optimizer newOptimizer) {
        return new Unlearning(objective, newOptimizer, steps, batchSize, accumulate, maxLength, requests, adapters,
                divergeAbove, trainOn, precision, continual);
    }

    /**
     * A copy with another step count (per request).
     */
    public Unlearning withSteps(long newSteps) {
        return new Unlearning(objective, optimizer, newSteps, batchSize, accumulate, maxLength, requests, adapters,
                divergeAbove, trainOn, precision, continual);
    }

    /**
     * A copy with another batch size (examples per split per step).
     */
    public Unlearning withBatchSize(int newBatchSize) {
        return new Unlearning(objective, optimizer, steps, newBatchSize, accumulate, maxLength, requests, adapters,
                divergeAbove, trainOn, precision, continual);
    }

    /**
     * A copy that cuts the forget split into {@code k} sequential unlearning requests of {@code steps} steps each.
     */
    public Unlearning withRequests(int k) {
        return new Unlearning(objective, optimizer, steps, batchSize, accumulate, maxLength, k, adapters,
                divergeAbove, trainOn, precision, continual);
    }

    /**
     * A copy that trains low-rank adapters instead of the full model, e.g. {@code withAdapters(Lora.rank(8))} or
     * {@code withAdapters(Lora.rank(8).alpha(16).fila())}; null trains the full model.
     */
    public Unlearning withAdapters(@Nullable Lora newAdapters) {
        return new Unlearning(objective, optimizer, steps, batchSize, accumulate, maxLength, requests, newAdapters,
                divergeAbove, trainOn, precision, continual);
    }

    /**
     * A copy that stops the stage at the first step whose loss has a magnitude above {@code bound}, keeping the
     * weights of the step before (the reason is in {@code RunResult.stopReasons()} and the event log).
     */
    public Unlearning withDivergeAbove(double bound) {
        return new Unlearning(objective, optimizer, steps, batchSize, accumulate, maxLength, requests, adapters,
                bound, trainOn, precision, continual);
    }

    /**
     * A copy that trains on {@code texts}: {@code withTrainOn(Texts.PASSAGES)} unlearns the forget passages
     * themselves (MUSE), {@code BOTH} the passages and the question-answer pairs.
     */
    public Unlearning withTrainOn(Texts texts) {
        return new Unlearning(objective, optimizer, steps, batchSize, accumulate, maxLength, requests, adapters,
                divergeAbove, texts, precision, continual);
    }

    /**
     * A copy whose forward and backward passes compute in {@code newPrecision}, e.g.
     * {@code withPrecision(Precision.FLOAT16)} for mixed precision on a GPU.
     */
    public Unlearning withPrecision(Precision newPrecision) {
        return new Unlearning(objective, optimizer, steps, batchSize, accumulate, maxLength, requests, adapters,
                divergeAbove, trainOn, newPrecision, continual);
    }

    /**
     * A copy evaluated continually as {@code newContinual} says (null: not at all).
     */
    public Unlearning withContinual(@Nullable Continual newContinual) {
        return new Unlearning(objective, optimizer, steps, batchSize, accumulate, maxLength, requests, adapters,
                divergeAbove, trainOn, precision, newContinual);
    }

    /**
     * A copy whose steps cut their batches into {@code k} micro-batches and sum their gradients before the one
     * update (1: none), e.g. {@code accumulate(4)} with {@code batchSize(32)}: the memory of 8 examples per split.
     */
    public Unlearning withAccumulate(int k) {
        return new Unlearning(objective, optimizer, steps, batchSize, k, maxLength, requests, adapters, divergeAbove,
                trainOn, precision, continual);
    }

    /** A copy whose training sequences are cut to {@code tokens} (0: the model's context length). */
    public Unlearning withMaxLength(int tokens) {
        return new Unlearning(objective, optimizer, steps, batchSize, accumulate, tokens, requests, adapters,
                divergeAbove, trainOn, precision, continual);
    }

    /** Short for {@link #withAccumulate}. */
    public Unlearning accumulate(int k) {
        return withAccumulate(k);
    }

    /** Short for {@link #withMaxLength}. */
    public Unlearning maxLength(int tokens) {
        return withMaxLength(tokens);
    }

    /** Short for {@link #withOptimizer}. */
    public Unlearning optimizer(Optimizer newOptimizer) {
        return withOptimizer(newOptimizer);
    }

    /** Short for {@link #withSteps}. */
    public Unlearning steps(long newSteps) {
        return withSteps(newSteps);
    }

    /** Short for {@link #withBatchSize}. */
    public Unlearning batchSize(int newBatchSize) {
        return withBatchSize(newBatchSize);
    }

    /** Short for {@link #withAdapters}. */
    public Unlearning adapters(@Nullable Lora newAdapters) {
        return withAdapters(newAdapters);
    }

    /** Short for {@link #withRequests}. */
    public Unlearning sequential(int k) {
        return withRequests(k);
    }

    /** Short for {@link #withDivergeAbove}. */
    public Unlearning divergeAbove(double bound) {
        return withDivergeAbove(bound);
    }

    /** Short for {@link #withTrainOn}. */
    public Unlearning trainOn(Texts texts) {
        return withTrainOn(texts);
    }

    /** Short for {@link #withPrecision}. */
    public Unlearning precision(Precision newPrecision) {
        return withPrecision(newPrecision);
    }

    /** Short for {@link #withContinual}. */
    public Unlearning continual(@Nullable Continual newContinual) {
        return withContinual(newContinual);
    }

    /** A copy evaluated continually every {@code k} steps with {@link Continual#every}'s cheap default. */
    public Unlearning every(long k) {
        return withContinual(Continual.every(k));
    }

    @Override
    public String kind() {
        return KIND.name();
    }

    @Override
    public ModelRole produces() {
        return ModelRole.UNLEARNED;
    }

    @Override
    public boolean trains() {
        return true;
    }
}
