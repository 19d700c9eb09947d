package dev.lethe.run;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.training.GradientCollector;
import dev.lethe.data.Batch;
import dev.lethe.data.BatchStream;
import dev.lethe.data.Encoded;
import dev.lethe.data.Refusals;
import dev.lethe.data.Split;
import dev.lethe.model.CausalLm;
import dev.lethe.model.ModelOutput;
import dev.lethe.model.Scalars;
import dev.lethe.model.Tokenizer;
import dev.lethe.model.Weights;
import dev.lethe.objective.Alternates;
import dev.lethe.objective.CombinedObjective;
import dev.lethe.objective.MicroBatch;
import dev.lethe.objective.Objective;
import dev.lethe.objective.Step;
import dev.lethe.objective.TokenScores;
import dev.lethe.optim.LossOracle;
import dev.lethe.optim.Updates;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * One optimisation step's data: batches drawn once per split and the reference model's forward passes
 * (scores and hidden states), shared by every loss evaluation of the step. The trained model's forward pass
 * is recomputed per evaluation, because an estimator may move the weights between evaluations, and run
 * once per split within an evaluation: its scores and hidden states (RMU's input, Li et al. 2024, "The WMDP
 * Benchmark", §5) come from the same pass. Lives inside the step's {@code NDScope}.
 */
final class StepContext implements LossOracle {
    private final long index;
    private final long total;
    private final CausalLm model;
    private final Supplier<CausalLm> reference;
    private final Draws draws;
    private final Tokenizer tokenizer;
    private final Objective objective;
    private final double lossScale;
    private final Map<Split, Batch> batches = new EnumMap<>(Split.class);
    private final Map<Split, ModelOutput> referenceOutputs = new EnumMap<>(Split.class);
    private final Map<Split, TokenScores> referenceScores = new EnumMap<>(Split.class);
    private final Map<Split, Batch> refusalBatches = new EnumMap<>(Split.class);
    private final Map<Split, TokenScores> referenceRefusalScores = new EnumMap<>(Split.class);
    private final Map<AlternateKey, Batch> alternateBatches = new HashMap<>();
    private final Map<AlternateKey, TokenScores> referenceAlternateScores = new HashMap<>();

    /** A split's alternates sampled one way ({@link Step#alternateBatch}). */
    private record AlternateKey(Split split, Alternates alternates) {}
    private final Map<Split, TokenScores> oracleScores = new EnumMap<>(Split.class);
    private final Map<Split, NDArray> shifts = new EnumMap<>(Split.class);

    StepContext(long index, long total, CausalLm model, Supplier<CausalLm> reference, Map<Split, BatchStream> streams,
            Tokenizer tokenizer, Objective objective) {
        this(index, total, model, reference, streams, tokenizer, objective, 1);
    }

    /**
     * A step whose backward passes differentiate {@code lossScale} times the loss (static loss scaling of mixed
     * precision, see {@link MixedPrecision}); the losses it returns are not scaled.
     */
    StepContext(long index, long total, CausalLm model, Supplier<CausalLm> reference, Map<Split, BatchStream> streams,
            Tokenizer tokenizer, Objective objective, double lossScale) {
        this(index, total, model, reference, Draws.of(streams), tokenizer, objective, lossScale);
    }

    /** A step (or micro-batch of one, {@link Draws#micro}) on {@code draws}. */
    StepContext(long index, long total, CausalLm model, Supplier<CausalLm> reference, Draws draws,
            Tokenizer tokenizer, Objective objective, double lossScale) {
        this.lossScale = lossScale;
        this.index = index;
        this.total = total;
        this.model = model;
        this.reference = reference;
        this.draws = draws;
        this.tokenizer = tokenizer;
        this.objective = objective;
    }

    /**
     * The loss without an autograd graph, evaluated in its own {@code NDScope}: the evaluation's
     * intermediates (activations, log-probabilities) are freed as soon as it returns, and only the loss and
     * the step's shared arrays (batches, reference passes) move on to the enclosing scope. A zeroth-order
     * step, which evaluates the loss 2q + 1 times, then needs the memory of one evaluation, not of all.
     */
    @Override
    public NDArray loss() {
        NDArray loss;
        List<NDArray> shared = new ArrayList<>();
        try (NDScope evaluation = new NDScope()) {
            loss = evaluate(objective);
            NDScope.unregister(loss);
            sharedArrays(shared);
            shared.forEach(NDScope::unregister);
        }
        NDScope.register(loss);
        shared.forEach(NDScope::register);
        return loss;
    }

    /**
     * {@code o}'s loss on this step. An objective that reaches an array already closed (typically a constant made
     * once outside the objective, in a notebook cell or a field, and freed since) fails loudly, naming the objective,
     * instead of DJL's bare "Native resource has been released already" or, worse, a freed scalar read as garbage.
     *
     * @throws IllegalStateException naming the objective and what to do
     */
    private NDArray evaluate(Objective o) {
        return evaluate(o, o::loss);
    }

    /**
     * {@code o}'s share of the loss on {@code micro} ({@link Objective#microLoss}), this context being that
     * micro-batch's; with the same loud failure as {@link #evaluate(Objective)}.
     */
    NDArray microLoss(Objective o, MicroBatch micro) {
        return evaluate(o, step -> o.microLoss(step, micro));
    }

    /** The backward pass of {@code loss} in {@code collector}, scaled by the loss scale. */
    void backward(GradientCollector collector, NDArray loss) {
        collector.backward(lossScale == 1 ? loss : Scalars.times(loss, lossScale));
    }

    private NDArray evaluate(Objective o, Function<Step, NDArray> how) {
        try {
            NDArray loss = how.apply(new View());
            if (loss.isReleased()) {
                throw new IllegalStateException("returned a loss that was already closed");
            }
            return loss;
        } catch (IllegalStateException e) {
            if (e.getMessage() == null || !e.getMessage().contains("released") && !e.getMessage().contains("closed")) {
                throw e;
            }
            throw new IllegalStateException("the objective " + o + " used an NDArray that was already closed ("
                    + e.getMessage() + "): create constants inside the objective from the step's arrays (Kotlin: "
                    + "0.5 * loss; Java: Scalars.times(loss, 0.5)), not once outside it", e);
        }
    }

    /** Every array of the step's shared caches, which outlive one evaluation. */
    private void sharedArrays(List<NDArray> out) {
        batches.values().forEach(b -> add(b, out));
        refusalBatches.values().forEach(b -> add(b, out));
        referenceOutputs.values().forEach(o -> add(o, out));
        referenceScores.values().forEach(s -> add(s, out));
        referenceRefusalScores.values().forEach(s -> add(s, out));
        alternateBatches.values().forEach(b -> add(b, out));
        referenceAlternateScores.values().forEach(s -> add(s, out));
        oracleScores.values().forEach(s -> add(s, out));
        out.addAll(shifts.values());
    }

    private static void add(Batch b, List<NDArray> out) {
        out.addAll(List.of(b.inputs(), b.targets(), b.mask()));
    }

    private static void add(ModelOutput o, List<NDArray> out) {
        out.add(o.logits());
        out.addAll(o.hiddenStates());
    }

    private static void add(TokenScores s, List<NDArray> out) {
        out.add(s.tokenLogProbs());
        out.add(s.mask());
        add(s.output(), out);
    }

    /**
     * The loss and its gradients. For a {@link CombinedObjective}: one backward pass per part (each a fresh
     * forward pass on the step's batches), the combiner's direction, and the summed loss at θ.
     */
    @Override
    public Evaluation lossAndGradients() {
        if (objective instanceof CombinedObjective combined) {
            return CombinedStep.evaluate(combined, model.weights(), index, this::oracle);
        }
        return lossAndGradients(objective);
    }

    private Evaluation lossAndGradients(Objective o) {
        model.weights().zeroGradients();
        NDArray loss;
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            loss = evaluate(o);
            backward(collector, loss);
        }
        LinkedHashMap<String, NDArray> grads = new LinkedHashMap<>();
        model.weights().forEach((name, w) -> grads.put(name, w.getGradient()));
        return new Evaluation(loss, new Updates(grads));
    }

    /** The oracle of {@code part} alone, on this step's batches and reference outputs. */
    private LossOracle oracle(Objective part) {
        return new LossOracle() {
            @Override
            public NDArray loss() {
                return evaluate(part);
            }

            @Override
            public Evaluation lossAndGradients() {
                return StepContext.this.lossAndGradients(part);
            }
        };
    }

    private Batch batch(Split split) {
        return batches.computeIfAbsent(split, s -> {
            List<Encoded> examples = draws.examples(s);
            if (examples.isEmpty()) {
                throw new IllegalStateException("this micro-batch holds no row of the " + s.id() + " split: an "
                        + "objective that accumulates must not read it (Step.has)");
            }
            return Batch.of(examples, tokenizer, model.manager());
        });
    }

    /**
     * The examples of this step's batch of {@code split} with their answers replaced by refusal templates, each
     * encoded as an answer to its question ({@link Tokenizer#encodeAnswer}: through the chat template, as the
     * answers it replaces are).
     */
    private Batch refusalBatch(Split split) {
        @Nullable Batch cached = refusalBatches.get(split);
        if (cached != null) {
            return cached;
        }
        batch(split);
        List<Encoded> examples = draws.examples(split);
        int[] indices = draws.indices(split);
        List<String> questions = draws.questions(split);
        List<Encoded> refusals = new ArrayList<>(examples.size());
        for (int i = 0; i < examples.size(); i++) {
            int[] answer = tokenizer.encodeAnswer(questions.get(i), Refusals.forExample(indices[i]));
            refusals.add(new Encoded(examples.get(i).prompt(), answer).fit(model.spec().contextLength()));
        }
        Batch b = Batch.of(refusals, tokenizer, model.manager());
        refusalBatches.put(split, b);
        return b;
    }

    /**
     * The examples of this step's batch of {@code split}, each followed by its alternates sampled from the reference
     * ({@link AlternateAnswers}): row {@code b·K + k} is example b's k-th.
     */
    private Batch alternateBatch(AlternateKey key) {
        @Nullable Batch cached = alternateBatches.get(key);
        if (cached != null) {
            return cached;
        }
        batch(key.split());
        List<Encoded> alternates = AlternateAnswers.of(reference(), tokenizer, draws.examples(key.split()),
                draws.questions(key.split()), key.alternates());
        Batch b = Batch.of(alternates, tokenizer, model.manager());
        alternateBatches.put(key, b);
        return b;
    }

    private CausalLm reference() {
        return Objects.requireNonNull(reference.get(), "reference model");
    }

    /** The oracle's scores on {@code split}'s batch, once per step ({@link Step#oracleScores}). */
    private TokenScores oracleScores(Split split) {
        @Nullable TokenScores cached = oracleScores.get(split);
        if (cached != null) {
            return cached;
        }
        CausalLm oracle = reference instanceof FrozenCopy f ? f.oracle() : null;
        if (oracle == null) {
            throw new IllegalStateException("the objective " + objective + " matches the oracle, and this stage has "
                    + "none: add a reference stage (the model retrained without the forget split) before it");
        }
        Batch b = batch(split);
        TokenScores s = TokenScores.of(oracle.forward(b.inputs()), b);
        oracleScores.put(split, s);
        return s;
    }

    /** The attributed shifts of {@code split}'s batch, once per step ({@link Step#attributedShift}). */
    private NDArray shift(Split split) {
        @Nullable NDArray cached = shifts.get(split);
        if (cached != null) {
            return cached;
        }
        AttributedShifts known = reference instanceof FrozenCopy f ? f.shifts() : null;
        if (known == null) {
            throw new IllegalStateException("the objective " + objective + " needs a datamodel's shifts, and this "
                    + "stage has none: add an attribute stage before it");
        }
        NDArray s = known.of(batch(split), draws.examples(split), model.manager());
        shifts.put(split, s);
        return s;
    }

    /** The objective's view of one loss evaluation: its own cache of the trained model's scores. */
    private final class View implements Step {
        private final Map<Split, ModelOutput> outputs = new EnumMap<>(Split.class);
        private final Map<Split, TokenScores> scores = new EnumMap<>(Split.class);
        private final Map<Split, TokenScores> refusalScores = new EnumMap<>(Split.class);
        private final Map<AlternateKey, TokenScores> alternateScores = new HashMap<>();

        @Override
        public long index() {
            return index;
        }

        @Override
        public long totalSteps() {
            return total;
        }

        @Override
        public Batch batch(Split split) {
            return StepContext.this.batch(split);
        }

        @Override
        public boolean has(Split split) {
            return !draws.examples(split).isEmpty();
        }

        /**
         * The trained model's forward pass on {@code split}'s batch, once per evaluation, keeping the hidden
         * states: they are intermediates of the graph anyway, so keeping references costs no memory.
         */
        private ModelOutput output(Split split) {
            return outputs.computeIfAbsent(split, s -> model.forward(batch(s).inputs(), true, true));
        }

        /** The reference's forward pass on {@code split}'s batch, once per step, with hidden states. */
        private ModelOutput referenceOutput(Split split) {
            @Nullable ModelOutput cached = referenceOutputs.get(split);
            if (cached != null) {
                return cached;
            }
            ModelOutput o = reference().forward(batch(split).inputs(), false, true);
            referenceOutputs.put(split, o);
            return o;
        }

        @Override
        public TokenScores scores(Split split) {
            return scores.computeIfAbsent(split, s -> TokenScores.of(output(s), batch(s)));
        }

        @Override
        public TokenScores referenceScores(Split split) {
            @Nullable TokenScores cached = referenceScores.get(split);
            if (cached != null) {
                return cached;
            }
            TokenScores s = TokenScores.of(referenceOutput(split), batch(split));
            referenceScores.put(split, s);
            return s;
        }

        @Override
        public NDArray hidden(Split split, int layer) {
            return output(split).hidden(checkLayer(layer));
        }

        @Override
        public NDArray referenceHidden(Split split, int layer) {
            return referenceOutput(split).hidden(checkLayer(layer)).stopGradient();
        }

        @Override
        public int layers() {
            return model.architecture().blocks();
        }

        private int checkLayer(int layer) {
            if (layer < 0 || layer > layers()) {
                throw new IllegalArgumentException("hidden layer " + layer + " is out of range: the model has "
                        + layers() + " blocks, so layers 0 (embeddings) to " + layers());
            }
            return layer;
        }

        @Override
        public Batch refusalBatch(Split split) {
            return StepContext.this.refusalBatch(split);
        }

        @Override
        public TokenScores refusalScores(Split split) {
            return refusalScores.computeIfAbsent(split, s -> {
                Batch b = refusalBatch(s);
                return TokenScores.of(model.forward(b.inputs(), true, false), b);
            });
        }

        @Override
        public TokenScores oracleScores(Split split) {
            return StepContext.this.oracleScores(split);
        }

        @Override
        public NDArray attributedShift(Split split) {
            return shift(split);
        }

        /** Σ over the trained tensors of ‖w − w₀‖², w₀ the frozen reference's tensor of the same name. */
        @Override
        public NDArray squaredDistanceFromStart() {
            Weights start = reference().weights();
            @Nullable NDArray sum = null;
            for (Map.Entry<String, NDArray> e : model.weights().asMap().entrySet()) {
                if (!start.names().contains(e.getKey())) {
                    throw new IllegalStateException("the trained tensor " + e.getKey() + " is not one of the model "
                            + "the stage started from (adapters?): the distance ‖θ − θ₀‖² needs the same tensors");
                }
                NDArray w = e.getValue();
                NDArray d = w.sub(start.get(e.getKey()).stopGradient().toType(w.getDataType(), false));
                NDArray term = d.square().sum();
                sum = sum == null ? term : sum.add(term);
            }
            return Objects.requireNonNull(sum, "the model has no weights");
        }

        @Override
        public TokenScores referenceRefusalScores(Split split) {
            @Nullable TokenScores cached = referenceRefusalScores.get(split);
            if (cached != null) {
                return cached;
            }
            Batch b = refusalBatch(split);
            TokenScores s = TokenScores.of(reference().forward(b.inputs()), b);
            referenceRefusalScores.put(split, s);
            return s;
        }
    
        @Override
        public Batch alternateBatch(Split split, Alternates alternates) {
            return StepContext.this.alternateBatch(new AlternateKey(split, alternates));
        }

        @Override
        public TokenScores alternateScores(Split split, Alternates alternates) {
            return alternateScores.computeIfAbsent(new AlternateKey(split, alternates), k -> {
                Batch b = StepContext.this.alternateBatch(k);
                return TokenScores.of(model.forward(b.inputs(), true, false), b);
            });
        }

        @Override
        public TokenScores referenceAlternateScores(Split split, Alternates alternates) {
            AlternateKey key = new AlternateKey(split, alternates);
            @Nullable TokenScores cached = referenceAlternateScores.get(key);
            if (cached != null) {
                return cached;
            }
            Batch b = StepContext.this.alternateBatch(key);
            TokenScores s = TokenScores.of(reference().forward(b.inputs()), b);
            referenceAlternateScores.put(key, s);
            return s;
        }
    }
}
