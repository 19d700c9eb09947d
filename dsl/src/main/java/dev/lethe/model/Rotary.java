package dev.lethe.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Rotary position embeddings (Su et al. 2021, "RoFormer: Enhanced Transformer with Rotary Position
 * Embedding", eq. 34) in the "rotate half" convention of Hugging Face's Llama, GPT-NeoX and Phi: for a head
 * vector x whose first {@code dims} entries are rotated, {@code x' = x·cos + rotateHalf(x)·sin} with
 * {@code rotateHalf([x₁, x₂]) = [−x₂, x₁]} (halves of the rotated part), {@code cos = cos([p·θ, p·θ])} and
 * {@code sin} alike at position p; the remaining {@code headDim − dims} entries pass unchanged (partial
 * rotary, GPT-NeoX's {@code rotary_pct}, Phi's {@code partial_rotary_factor}). The inverse frequencies θ come
 * from a {@link RopeScaling}.
 *
 * <p>The tables for positions 0…T−1 are made on the weights' device and cached per (length, manager, type);
 * tables for explicit positions (left-padded batches, decoding with a cache) are made per call.
 */
public final class Rotary {
    private final int headDim;
    private final int dims;
    private final double base;
    private final RopeScaling scaling;
    private final int maxPositions;
    private final Map<String, NDList> tables = new HashMap<>();

    /**
     * Rotary embeddings for heads of {@code headDim} entries, of which the first
     * {@code (int) (headDim · fraction)} are rotated.
     *
     * @param base the rotary base θ ({@code rope_theta})
     * @param maxPositions the model's {@code max_position_embeddings} (dynamic scaling's reference length)
     */
    public Rotary(int headDim, double fraction, double base, RopeScaling scaling, int maxPositions) {
        if (!(fraction > 0 && fraction <= 1)) {
            throw new IllegalArgumentException("rotary fraction must be in (0, 1], was " + fraction);
        }
        int d = (int) (headDim * fraction);
        if (d < 2 || d % 2 != 0) {
            throw new IllegalArgumentException("rotary dimensions (head dim " + headDim + " × fraction " + fraction
                    + " = " + d + ") must be even and at least 2");
        }
        if (!(base > 1)) {
            throw new IllegalArgumentException("rotary base must be > 1, was " + base);
        }
        this.headDim = headDim;
        this.dims = d;
        this.base = base;
        this.scaling = scaling;
        this.maxPositions = maxPositions;
    }

    /** The number of rotated entries per head. */
    public int dims() {
        return dims;
    }

    /** The inverse frequencies of a pass covering {@code span} positions ({@link RopeScaling#inverseFrequencies}). */
    public float[] inverseFrequencies(long span) {
        return scaling.inverseFrequencies(base, dims, maxPositions, span);
    }

    /**
     * cos and sin for positions 0…{@code length}−1, each (length, dims) of {@code type}, cached in
     * {@code manager} (the weights' manager, so they live on the weights' device and as long as them).
     */
    public synchronized NDList table(NDManager manager, long length, DataType type) {
        String key = length + ":" + type;
        @Nullable NDList cached = tables.get(key);
        if (cached != null && !cached.get(0).isReleased() && cached.get(0).getManager() == manager) {
            return cached;
        }
        NDArray positions = manager.arange(0f, (float) length, 1f, DataType.FLOAT32);
        NDList t = table(positions, length, type);
        positions.close();
        for (NDArray a : t) {
            NDScope.unregister(a);
        }
        tables.put(key, t);
        return t;
    }

    /**
     * cos and sin at explicit {@code positions} (any shape P, integer or float), each of shape (P…, dims) and
     * type {@code type}, made in the positions' manager; {@code span} is the number of positions the pass
     * covers (the largest position + 1), which only dynamic scaling reads. The caller frees them.
     */
    public NDList table(NDArray positions, long span, DataType type) {
        NDManager m = positions.getManager();
        NDArray inverse = m.create(inverseFrequencies(span));
        NDArray p = positions.getDataType() == DataType.FLOAT32 ? positions : positions.toType(DataType.FLOAT32, false);
        NDArray column = p.expandDims(-1);
        NDArray angles = column.mul(inverse);
        NDArray both = angles.concat(angles, angles.getShape().dimension() - 1);
        double scale = scaling.attentionScaling();
        NDArray cos = both.cos();
        NDArray sin = both.sin();
        if (scale != 1) {
            cos = scaled(cos, scale);
            sin = scaled(sin, scale);
        }
        NDList out = new NDList(cast(cos, type), cast(sin, type));
        if (p != positions) {
            p.close();
        }
        inverse.close();
        column.close();
        angles.close();
        both.close();
        return out;
    }

    private static NDArray scaled(NDArray a, double scale) {
        NDArray s = Scalars.times(a, scale);
        a.close();
        return s;
    }

    private static NDArray cast(NDArray a, DataType type) {
        if (a.getDataType() == type) {
            return a;
        }
        NDArray c = a.toType(type, false);
        a.close();
        return c;
    }

    /**
     * Rotates {@code x}, (…, time, headDim), by tables {@code cos} and {@code sin} that broadcast against
     * its (…, time, dims) part: (time, dims) for every sequence alike, or (batch, 1, time, dims) per sequence.
     */
    public NDArray apply(NDArray x, NDArray cos, NDArray sin) {
        if (dims == headDim) {
            return rotate(x, cos, sin);
        }
        NDList parts = x.split(new long[] {dims}, x.getShape().dimension() - 1);
        NDArray rotated = rotate(parts.get(0), cos, sin);
        NDArray out = rotated.concat(parts.get(1), x.getShape().dimension() - 1);
        rotated.close();
        parts.close();
        return out;
    }

    private NDArray rotate(NDArray x, NDArray cos, NDArray sin) {
        int last = x.getShape().dimension() - 1;
        NDList halves = x.split(2, last);
        NDArray negated = halves.get(1).neg();
        NDArray half = negated.concat(halves.get(0), last);
        NDArray a = x.mul(cos);
        NDArray b = half.mul(sin);
        NDArray out = a.add(b);
        halves.close();
        negated.close();
        half.close();
        a.close();
        b.close();
        return out;
    }
}
