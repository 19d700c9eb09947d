package dev.lethe.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;

/**
 * The next-token choices of {@link Generator}, on (batch, vocabulary) float32 logits, batched: greedy
 * argmax, and sampling after the warpers of Hugging Face {@code transformers}
 * ({@code generation/logits_process.py}): temperature, top-k, top-p. Filtered tokens get logit -∞.
 */
public final class LogitsWarpers {
    private LogitsWarpers() {}

    /** {@code transformers}' {@code TemperatureLogitsWarper}: the logits divided by {@code t}. */
    public static NDArray temperature(NDArray logits, double t) {
        return Scalars.dividedBy(logits, t);
    }

    /**
     * {@code transformers}' {@code TopKLogitsWarper}: every logit below the k-th largest of its row becomes
     * -∞ (so ties with the k-th stay); {@code k} at least the vocabulary keeps every token.
     */
    public static NDArray topK(NDArray logits, int k) {
        if (k <= 0) {
            throw new IllegalArgumentException("top-k needs k ≥ 1, was " + k);
        }
        long vocabulary = logits.getShape().get(1);
        long kept = Math.min(k, vocabulary);
        try (NDArray sorted = logits.sort(-1);
                NDArray kth = sorted.get(new NDIndex().addAllDim().addSliceDim(vocabulary - kept, vocabulary - kept + 1));
                NDArray removed = logits.lt(kth)) {
            return filtered(logits, removed);
        }
    }

    /**
     * {@code transformers}' {@code TopPLogitsWarper} (Holtzman et al. 2020, "The Curious Case of Neural Text
     * Degeneration", §3.1, nucleus sampling): with the row sorted ascending, a token is removed when the
     * cumulative softmax probability up to and including it is ≤ 1 - p, except the most likely token, which
     * always stays. What remains is the smallest set of most likely tokens whose probability is ≥ p (ties
     * broken by the sort).
     */
    public static NDArray topP(NDArray logits, double p) {
        if (!(p > 0 && p <= 1)) {
            throw new IllegalArgumentException("top-p needs p in (0, 1], was " + p);
        }
        long vocabulary = logits.getShape().get(1);
        try (NDArray order = logits.argSort(-1, true);
                NDArray sorted = logits.gather(order, -1);
                NDArray probabilities = sorted.softmax(-1);
                NDArray cumulative = probabilities.cumSum(-1);
                NDArray low = cumulative.lte((float) (1 - p));
                NDArray notMostLikely = notLast(logits, vocabulary);
                NDArray removedSorted = low.logicalAnd(notMostLikely);
                NDArray removed = removedSorted.scatter(order, removedSorted, 1)) {
            return filtered(logits, removed);
        }
    }

    /** (vocabulary) booleans, true but the last, on {@code like}'s device. */
    private static NDArray notLast(NDArray like, long vocabulary) {
        boolean[] b = new boolean[(int) vocabulary];
        java.util.Arrays.fill(b, 0, b.length - 1, true);
        return like.getManager().create(b).toDevice(like.getDevice(), false);
    }

    /** {@code logits} with -∞ where {@code removed} is true. */
    private static NDArray filtered(NDArray logits, NDArray removed) {
        try (NDArray minusInfinity = logits.getManager().full(logits.getShape(), Float.NEGATIVE_INFINITY,
                logits.getDataType(), logits.getDevice())) {
            return NDArrays.where(removed, minusInfinity, logits);
        }
    }

    /** The logits warped for sampling as {@code options} asks: temperature, then top-k, then top-p. */
    public static NDArray warp(NDArray logits, Generation options) {
        NDArray out = options.temperature() == 1 ? logits : temperature(logits, options.temperature());
        if (options.topK() > 0) {
            NDArray next = topK(out, options.topK());
            closeIfNew(out, logits);
            out = next;
        }
        if (options.topP() < 1) {
            NDArray next = topP(out, options.topP());
            closeIfNew(out, logits);
            out = next;
        }
        return out;
    }

    private static void closeIfNew(NDArray a, NDArray original) {
        if (a != original) {
            a.close();
        }
    }

    /**
     * One token per row drawn from {@code softmax(logits)} by inversion: with {@code uniforms} (batch, 1) in
     * (0, 1], the first token whose cumulative probability reaches {@code u} times the row's total. A
     * token of probability 0 (logit -∞) is never drawn.
     *
     * @return the ids, (batch), int64
     */
    public static NDArray sample(NDArray logits, NDArray uniforms) {
        try (NDArray probabilities = logits.softmax(-1);
                NDArray cumulative = probabilities.cumSum(-1);
                NDArray total = cumulative.get(new NDIndex().addAllDim().addSliceDim(
                        logits.getShape().get(1) - 1, logits.getShape().get(1)));
                NDArray target = uniforms.mul(total);
                NDArray below = cumulative.lt(target);
                NDArray counts = below.toType(DataType.INT64, false)) {
            return counts.sum(new int[] {-1});
        }
    }

    /** The argmax of each row, (batch), int64. */
    public static NDArray greedy(NDArray logits) {
        return logits.argMax(-1);
    }
}
