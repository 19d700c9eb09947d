package dev.lethe.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.lethe.model.Scalars;
import dev.lethe.model.Tokenizer;
import java.util.List;

/**
 * A padded batch for teacher-forced training and scoring. Each row is
 * {@code <bos> prompt answer <eos>} shifted by one: {@code inputs[t]} predicts {@code targets[t]}.
 * {@code mask[t]} is 1 where {@code targets[t]} is an answer token or the closing {@code <eos>}, 0 on
 * prompt and padding positions, so losses and metrics see answer tokens only. An example that was
 * {@linkplain Encoded#cut cut} has no closing {@code <eos>}: its last answer token is its last target.
 *
 * @param inputs token ids, (batch, time), int64
 * @param targets next-token ids, (batch, time), int64
 * @param mask answer-token mask, (batch, time), float32
 */
public record Batch(NDArray inputs, NDArray targets, NDArray mask) {

    /**
     * 1 on every real input position of a row ({@code <bos>}, prompt and answer tokens), 0 on padding,
     * shape (batch, time), in the mask's type. Derived from {@link #mask()}: a row's real inputs are the
     * positions up to its last answer position (the one that predicts {@code <eos>}, always in the mask), so
     * {@code inputMask[t] = 1} iff {@code Σ_{s≥t} mask[s] > 0}. The positions that hidden-state objectives
     * such as RMU (Li et al. 2024, "The WMDP Benchmark", §5) average over.
     */
    public NDArray inputMask() {
        NDArray fromHere = mask.sum(new int[] {1}, true).sub(mask.cumSum(1)).add(mask);
        return fromHere.gt(Scalars.scalar(fromHere, 0.5)).toType(mask.getDataType(), false);
    }

    /** Number of rows. */
    public int size() {
        return (int) inputs.getShape().get(0);
    }

    /** Builds the batch of {@code examples} in {@code manager}. */
    public static Batch of(List<Encoded> examples, Tokenizer tokenizer, NDManager manager) {
        if (examples.isEmpty()) {
            throw new IllegalArgumentException("a batch needs at least one example");
        }
        int rows = examples.size();
        int time = examples.stream().mapToInt(Encoded::inputLength).max().orElseThrow();
        long[] in = new long[rows * time];
        long[] out = new long[rows * time];
        float[] mask = new float[rows * time];
        java.util.Arrays.fill(in, tokenizer.padId());
        java.util.Arrays.fill(out, tokenizer.padId());
        for (int r = 0; r < rows; r++) {
            Encoded e = examples.get(r);
            int[] seq = new int[e.inputLength() + 1];
            seq[0] = tokenizer.bosId();
            System.arraycopy(e.prompt(), 0, seq, 1, e.prompt().length);
            System.arraycopy(e.answer(), 0, seq, 1 + e.prompt().length, e.answer().length);
            if (e.closed()) {
                seq[seq.length - 1] = tokenizer.eosId();
            }
            int base = r * time;
            for (int t = 0; t < seq.length - 1; t++) {
                in[base + t] = seq[t];
                out[base + t] = seq[t + 1];
                mask[base + t] = t >= e.prompt().length ? 1f : 0f;
            }
        }
        Shape shape = new Shape(rows, time);
        return new Batch(manager.create(in, shape), manager.create(out, shape),
                manager.create(mask, shape).toType(DataType.FLOAT32, false));
    }
}
