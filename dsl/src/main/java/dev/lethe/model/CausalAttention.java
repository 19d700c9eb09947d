package dev.lethe.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Causal scaled dot-product attention (Vaswani et al. 2017, "Attention Is All You Need", eq. 1) with grouped
 * key/value heads (Ainslie et al. 2023, "GQA", §2.2: each of {@code kvHeads} key/value heads serves
 * {@code heads / kvHeads} consecutive query heads, Hugging Face's {@code repeat_kv} order) and an optional
 * sliding window (Beltagy et al. 2020, "Longformer", §3.1; Mistral: query i sees keys j with
 * {@code i − window < j ≤ i}), computed by libtorch's fused attention ({@link LibtorchKernels#attention}),
 * which serves the grouped heads without copying them.
 *
 * <p>A pass over T = S positions without window or padding uses the kernel's own causal mask; otherwise the
 * additive masks of unpadded passes are made on the device of the scores and cached per (queries, keys,
 * window, type, manager); a left-padded batch's masks are made once per pass by its {@link KeyPadding}.
 * Masked scores get the lowest finite value of the type, as transformers does, so that a row with no visible
 * key (a padding query) stays finite.
 */
final class CausalAttention {
    private final int heads;
    private final int kvHeads;
    private final int headDim;
    private final Map<String, NDArray> masks = new HashMap<>();

    /**
     * Attention with {@code heads} query heads and {@code kvHeads} key/value heads (dividing {@code heads}),
     * each {@code headDim} wide.
     */
    CausalAttention(int heads, int kvHeads, int headDim) {
        if (heads <= 0 || kvHeads <= 0 || heads % kvHeads != 0) {
            throw new IllegalArgumentException("query heads (" + heads + ") must be a positive multiple of key/value"
                    + " heads (" + kvHeads + ")");
        }
        this.heads = heads;
        this.kvHeads = kvHeads;
        this.headDim = headDim;
    }

    /**
     * softmax(q·kᵀ/√headDim + mask)·v with heads merged: the T queries are the last T of the S positions
     * whose keys are given (S = T without a cache).
     *
     * @param q queries, (batch, heads, T, headDim)
     * @param k keys, (batch, kvHeads, S, headDim)
     * @param v values, (batch, kvHeads, S, headDim)
     * @param window the sliding window (keys within the last {@code window} positions), or 0 for none
     * @param padding which of the S keys are real tokens, or null when none is padding
     * @return (batch, T, heads·headDim)
     */
    NDArray attend(NDArray q, NDArray k, NDArray v, int window, @Nullable KeyPadding padding) {
        Shape qs = q.getShape();
        long batch = qs.get(0);
        long time = qs.get(2);
        long keys = k.getShape().get(2);
        boolean causal = padding == null && time == keys && (window == 0 || window >= keys);
        @Nullable NDArray mask = causal ? null : padding == null
                ? mask(q.getManager(), time, keys, window, q.getDataType())
                : padding.mask(time, keys, window, q.getDataType());
        NDArray byHead = LibtorchKernels.attention(q, k, v, mask);
        NDArray byTime = byHead.transpose(0, 2, 1, 3);
        NDArray merged = byTime.reshape(batch, time, (long) heads * headDim);
        byHead.close();
        byTime.close();
        return merged;
    }

    /** Which (query, key) pairs may attend, (T, S) boolean, for queries at positions S−T … S−1. */
    private static NDArray allowed(NDManager manager, long time, long keys, int window) {
        NDArray rows = manager.arange(keys - time, keys, 1, DataType.INT64).reshape(time, 1);
        NDArray cols = manager.arange(0, keys, 1, DataType.INT64).reshape(1, keys);
        NDArray causal = cols.lte(rows);
        NDArray out = causal;
        if (window > 0) {
            NDArray start = Scalars.plus(rows, -window);
            NDArray inside = cols.gt(start);
            out = causal.logicalAnd(inside);
            start.close();
            inside.close();
            causal.close();
        }
        rows.close();
        cols.close();
        return out;
    }

    /** Additive mask from a boolean one: 0 where allowed, the lowest finite value of {@code type} elsewhere. */
    private static NDArray additive(NDArray allowed, DataType type) {
        NDArray blocked = allowed.logicalNot();
        NDArray typed = blocked.toType(type, false);
        NDArray out = Scalars.times(typed, type == DataType.FLOAT16 ? -65504.0 : -Float.MAX_VALUE);
        blocked.close();
        typed.close();
        return out;
    }

    /** The cached (T, S) additive mask of an unpadded pass, broadcasting over (batch, head). */
    private synchronized NDArray mask(NDManager manager, long time, long keys, int window, DataType type) {
        String key = time + ":" + keys + ":" + window + ":" + type;
        @Nullable NDArray cached = masks.get(key);
        if (cached != null && !cached.isReleased() && cached.getManager() == manager) {
            return cached;
        }
        NDArray allowed = allowed(manager, time, keys, window);
        NDArray mask = additive(allowed, type);
        allowed.close();
        NDScope.unregister(mask);
        masks.put(key, mask);
        return mask;
    }

    /**
     * The per-call (batch, 1, T, S) additive mask of a pass whose keys include padding: a query sees the
     * valid keys it may see and always itself (so that a padding query has a defined softmax; no valid query
     * sees padding).
     */
    static NDArray paddedMask(NDManager manager, long time, long keys, int window, NDArray keyValid,
            DataType type) {
        NDArray allowed = allowed(manager, time, keys, window);
        long batch = keyValid.getShape().get(0);
        NDArray valid = keyValid.reshape(batch, 1, 1, keys);
        NDArray both = allowed.logicalAnd(valid);
        NDArray rows = manager.arange(keys - time, keys, 1, DataType.INT64).reshape(time, 1);
        NDArray cols = manager.arange(0, keys, 1, DataType.INT64).reshape(1, keys);
        NDArray self = cols.eq(rows);
        NDArray seen = both.logicalOr(self);
        NDArray mask = additive(seen, type);
        for (NDArray a : new NDArray[] {allowed, valid, both, rows, cols, self, seen}) {
            a.close();
        }
        return mask;
    }
}
