package dev.lethe.objective;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.lethe.data.Batch;
import dev.lethe.data.Split;
import dev.lethe.model.ModelOutput;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * A hand-made {@link Step}: for each split, one example whose answer is two tokens, with logits given
 * directly (float64, so finite differences are exact to ~1e-9). Prompt tokens are absent, so the mask is
 * all ones, unless a mask is given ({@link #with(Split, NDArray, long[], double[], NDArray)}). A split may
 * also get a refusal answer with its own logits ({@link #withRefusal}).
 */
final class ToyStep implements Step {
    private final Map<Split, TokenScores> scores = new EnumMap<>(Split.class);
    private final Map<Split, TokenScores> reference = new EnumMap<>(Split.class);
    private final Map<Split, Batch> batches = new EnumMap<>(Split.class);
    private final Map<Split, TokenScores> refusalScores = new EnumMap<>(Split.class);
    private final Map<Split, TokenScores> refusalReference = new EnumMap<>(Split.class);
    private final Map<Split, Batch> refusalBatches = new EnumMap<>(Split.class);
    private final Map<Split, TokenScores> alternateScores = new EnumMap<>(Split.class);
    private final Map<Split, TokenScores> alternateReference = new EnumMap<>(Split.class);
    private final Map<Split, Batch> alternateBatches = new EnumMap<>(Split.class);
    private final Map<Split, NDArray> hidden = new EnumMap<>(Split.class);
    private final Map<Split, NDArray> referenceHidden = new EnumMap<>(Split.class);
    private final Map<Split, TokenScores> oracle = new EnumMap<>(Split.class);
    private final Map<Split, NDArray> shifts = new EnumMap<>(Split.class);
    private NDArray theta;
    private NDArray theta0;
    private int hiddenLayer = -1;
    private int layers = 2;
    private long index;
    private long total = 1;

    /** This step as step {@code stepIndex} of {@code totalSteps}. */
    ToyStep at(long stepIndex, long totalSteps) {
        this.index = stepIndex;
        this.total = totalSteps;
        return this;
    }

    /** A model of {@code blocks} blocks (2 by default), for objectives that pick a layer by depth. */
    ToyStep layers(int blocks) {
        this.layers = blocks;
        return this;
    }

    /**
     * Hidden states (B, T, W) after block {@code layer} of {@code split}, and the reference's; the split's
     * batch gets the answer mask {@code answerMask} (B·T entries, row after row) unless it already has one.
     * Asking for another layer fails, so a test sees which layer an objective reads.
     */
    ToyStep withHidden(Split split, int layer, NDArray states, NDArray ref, double[] answerMask) {
        if (hiddenLayer >= 0 && hiddenLayer != layer) {
            throw new IllegalArgumentException("one hidden layer per toy");
        }
        hiddenLayer = layer;
        hidden.put(split, states);
        referenceHidden.put(split, ref);
        if (!batches.containsKey(split)) {
            NDManager m = states.getManager();
            Shape shape = new Shape(states.getShape().get(0), states.getShape().get(1));
            batches.put(split, new Batch(m.zeros(shape, DataType.INT64), m.zeros(shape, DataType.INT64),
                    m.create(answerMask, shape).toType(states.getDataType(), false)));
        }
        return this;
    }

    /** Logits (1, 2, 3) of {@code split} with targets {@code targets}; {@code ref} logits for the reference. */
    ToyStep with(Split split, NDArray logits, long[] targets, NDArray ref) {
        return with(split, logits, targets, new double[] {1, 1}, ref);
    }

    /** Logits (B, T, V) of {@code split} with targets and answer mask of B·T entries, row after row. */
    ToyStep with(Split split, NDArray logits, long[] targets, double[] mask, NDArray ref) {
        Batch b = batch(logits, targets, mask);
        batches.put(split, b);
        scores.put(split, TokenScores.of(new ModelOutput(logits, List.of()), b));
        reference.put(split, TokenScores.of(new ModelOutput(ref, List.of()), b));
        return this;
    }

    /** The oracle's logits on {@code split}'s batch (given with {@link #with} first), same shape. */
    ToyStep withOracle(Split split, NDArray logits) {
        oracle.put(split, TokenScores.of(new ModelOutput(logits, List.of()), batches.get(split)));
        return this;
    }

    /** The attributed shift of {@code split}'s batch, shaped like its logits. */
    ToyStep withShift(Split split, NDArray shift) {
        shifts.put(split, shift);
        return this;
    }

    /** Trained weights θ (with or without gradient) and the start θ₀ for {@link #squaredDistanceFromStart()}. */
    ToyStep withWeights(NDArray trained, NDArray start) {
        this.theta = trained;
        this.theta0 = start;
        return this;
    }

    /** The refusal answer of {@code split}'s example: logits (1, 2, 3), targets, reference logits. */
    ToyStep withRefusal(Split split, NDArray logits, long[] targets, NDArray ref) {
        return withRefusal(split, logits, targets, new double[] {1, 1}, ref);
    }

    /** The refusal answer of {@code split}'s example with logits (1, T, V) and a mask of length T. */
    ToyStep withRefusal(Split split, NDArray logits, long[] targets, double[] mask, NDArray ref) {
        Batch b = batch(logits, targets, mask);
        refusalBatches.put(split, b);
        refusalScores.put(split, TokenScores.of(new ModelOutput(logits, List.of()), b));
        refusalReference.put(split, TokenScores.of(new ModelOutput(ref, List.of()), b));
        return this;
    }

    /**
     * The alternate answers of {@code split}'s examples ({@link Step#alternateBatch}: row b·K + k is example b's k-th),
     * logits (B·K, T, V) with targets and mask of B·K·T entries; the same for any {@link Alternates}.
     */
    ToyStep withAlternates(Split split, NDArray logits, long[] targets, double[] mask, NDArray ref) {
        Batch b = batch(logits, targets, mask);
        alternateBatches.put(split, b);
        alternateScores.put(split, TokenScores.of(new ModelOutput(logits, List.of()), b));
        alternateReference.put(split, TokenScores.of(new ModelOutput(ref, List.of()), b));
        return this;
    }

    /**
     * A batch shaped like {@code logits}' first two axes; targets and mask given row after row; the mask in
     * the logits' type, as the runner's float32 mask goes with float32 models.
     */
    private static Batch batch(NDArray logits, long[] targets, double[] mask) {
        NDManager m = logits.getManager();
        Shape shape = new Shape(logits.getShape().get(0), logits.getShape().get(1));
        return new Batch(m.zeros(shape, DataType.INT64), m.create(targets, shape),
                m.create(mask, shape).toType(logits.getDataType(), false));
    }

    /** One row of logits over a vocabulary of 3: shape (1, values.length / 3, 3). */
    static NDArray logits(NDManager m, double[] values) {
        return logits(m, values, 1);
    }

    /** {@code rows} rows of logits over a vocabulary of 3. */
    static NDArray logits(NDManager m, double[] values, int rows) {
        return m.create(values, new Shape(rows, values.length / 3 / rows, 3));
    }

    @Override
    public long index() {
        return index;
    }

    @Override
    public long totalSteps() {
        return total;
    }

    @Override
    public NDArray hidden(Split split, int layer) {
        if (layer != hiddenLayer || !hidden.containsKey(split)) {
            throw new IllegalArgumentException("the toy has no hidden states of " + split + " at layer " + layer);
        }
        return hidden.get(split);
    }

    @Override
    public NDArray referenceHidden(Split split, int layer) {
        if (layer != hiddenLayer || !referenceHidden.containsKey(split)) {
            throw new IllegalArgumentException("the toy has no reference hidden states of " + split + " at " + layer);
        }
        return referenceHidden.get(split).stopGradient();
    }

    @Override
    public int layers() {
        return layers;
    }

    @Override
    public Batch batch(Split split) {
        return batches.get(split);
    }

    @Override
    public TokenScores scores(Split split) {
        return scores.get(split);
    }

    @Override
    public TokenScores referenceScores(Split split) {
        return reference.get(split);
    }

    @Override
    public Batch refusalBatch(Split split) {
        return refusalBatches.get(split);
    }

    @Override
    public TokenScores refusalScores(Split split) {
        return refusalScores.get(split);
    }

    @Override
    public TokenScores referenceRefusalScores(Split split) {
        return refusalReference.get(split);
    }

    @Override
    public Batch alternateBatch(Split split, Alternates alternates) {
        return alternateBatches.get(split);
    }

    @Override
    public TokenScores alternateScores(Split split, Alternates alternates) {
        return alternateScores.get(split);
    }

    @Override
    public TokenScores referenceAlternateScores(Split split, Alternates alternates) {
        return alternateReference.get(split);
    }

    @Override
    public TokenScores oracleScores(Split split) {
        if (!oracle.containsKey(split)) {
            throw new IllegalStateException("the toy has no oracle on " + split);
        }
        return oracle.get(split);
    }

    @Override
    public NDArray attributedShift(Split split) {
        if (!shifts.containsKey(split)) {
            throw new IllegalStateException("the toy has no shift on " + split);
        }
        return shifts.get(split);
    }

    @Override
    public NDArray squaredDistanceFromStart() {
        if (theta == null) {
            throw new IllegalStateException("the toy has no weights");
        }
        return theta.sub(theta0).square().sum();
    }
}
