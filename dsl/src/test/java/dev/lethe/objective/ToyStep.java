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
 * all ones.
 */
final class ToyStep implements Step {
    private final Map<Split, TokenScores> scores = new EnumMap<>(Split.class);
    private final Map<Split, TokenScores> reference = new EnumMap<>(Split.class);
    private final Map<Split, Batch> batches = new EnumMap<>(Split.class);

    /** Logits (1, 2, 3) of {@code split} with targets {@code targets}; {@code ref} logits for the reference. */
    ToyStep with(Split split, NDArray logits, long[] targets, NDArray ref) {
        NDManager m = logits.getManager();
        Batch b = new Batch(m.zeros(new Shape(1, 2), DataType.INT64), m.create(targets, new Shape(1, 2)),
                m.ones(new Shape(1, 2), DataType.FLOAT64));
        batches.put(split, b);
        scores.put(split, TokenScores.of(new ModelOutput(logits, List.of()), b));
        reference.put(split, TokenScores.of(new ModelOutput(ref, List.of()), b));
        return this;
    }

    static NDArray logits(NDManager m, double[] values) {
        return m.create(values, new Shape(1, 2, 3));
    }

    @Override
    public long index() {
        return 0;
    }

    @Override
    public long totalSteps() {
        return 1;
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
}
