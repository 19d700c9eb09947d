package dev.lethe.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The keys and values of every attention block of an incremental decoding, as the cached forward pass
 * ({@link Architecture#forward(Weights, NDArray, NDArray, NDArray, KvCache, java.util.Map)}) fills it.
 *
 * <p>Per block, keys and values are (batch, kv heads, time, head width), after any rotary embedding and
 * before any repetition of grouped-query heads. Their buffers are allocated on the first {@link #append}
 * of each block, in the type and on the device of the appended keys, with room for {@link #capacity()}
 * positions; {@code append} copies the new positions in place and returns views of everything cached, so
 * a decoding step does not concatenate. When a block would outgrow its room, its buffers are replaced by
 * ones twice as long (or as long as needed).
 *
 * <p>The buffers belong to a manager of the cache's own, made under the one given at creation; they are
 * kept out of any {@link NDScope} open at the time, and {@link #close()} frees them. The views
 * {@code append} returns belong to the caller's scope, like any array a forward pass makes.
 */
public final class KvCache implements AutoCloseable {
    private final NDManager manager;
    private final NDArray[] keys;
    private final NDArray[] values;
    private final long[] lengths;
    private final long batch;
    private final Map<String, NDArray> carried = new HashMap<>();
    private long capacity;

    private KvCache(NDManager manager, int blocks, long batch, long capacity) {
        this.manager = manager;
        this.keys = new NDArray[blocks];
        this.values = new NDArray[blocks];
        this.lengths = new long[blocks];
        this.batch = batch;
        this.capacity = capacity;
    }

    /**
     * An empty cache for {@code blocks} attention blocks and {@code batch} sequences, with room for
     * {@code capacity} positions before it grows, whose arrays belong to a new manager under {@code parent}.
     */
    public static KvCache create(NDManager parent, int blocks, long batch, long capacity) {
        if (blocks <= 0 || batch <= 0 || capacity <= 0) {
            throw new IllegalArgumentException("a cache needs blocks, batch and capacity > 0, was " + blocks + ", "
                    + batch + ", " + capacity);
        }
        return new KvCache(parent.newSubManager(), blocks, batch, capacity);
    }

    /** Number of attention blocks. */
    public int blocks() {
        return keys.length;
    }

    /** Number of sequences. */
    public long batch() {
        return batch;
    }

    /** Positions the buffers hold before they grow. */
    public long capacity() {
        return capacity;
    }

    /**
     * Positions cached in every block: before a cached forward pass, the number of earlier positions its
     * new ones follow (it stays so while the pass appends block by block, until the last block appends).
     */
    public long length() {
        return Arrays.stream(lengths).min().orElseThrow();
    }

    /**
     * Copies {@code newKeys} and {@code newValues}, each (batch, kv heads, new, head width), after the
     * positions block {@code block} holds, and returns views of all its keys and values, each (batch,
     * kv heads, cached + new, head width).
     *
     * @return the keys and the values, in this order
     */
    public NDArray[] append(int block, NDArray newKeys, NDArray newValues) {
        Shape s = newKeys.getShape();
        if (s.dimension() != 4 || s.get(0) != batch || !s.equals(newValues.getShape())) {
            throw new IllegalArgumentException("block " + block + ": keys " + s + " and values "
                    + newValues.getShape() + " must both be (batch " + batch + ", kv heads, new, head width)");
        }
        long start = lengths[block];
        long end = start + s.get(2);
        if (keys[block] == null) {
            keys[block] = buffer(s, Math.max(capacity, end), newKeys);
            values[block] = buffer(s, Math.max(capacity, end), newValues);
        } else if (end > keys[block].getShape().get(2)) {
            long grown = Math.max(end, 2 * keys[block].getShape().get(2));
            keys[block] = grow(keys[block], start, grown);
            values[block] = grow(values[block], start, grown);
            capacity = Math.max(capacity, grown);
        }
        NDIndex fresh = new NDIndex().addAllDim(2).addSliceDim(start, end);
        keys[block].set(fresh, newKeys);
        values[block].set(fresh, newValues);
        lengths[block] = end;
        NDIndex held = new NDIndex().addAllDim(2).addSliceDim(0, end);
        return new NDArray[] {keys[block].get(held), values[block].get(held)};
    }

    private NDArray buffer(Shape like, long positions, NDArray of) {
        NDArray b = manager.zeros(new Shape(like.get(0), like.get(1), positions, like.get(3)), of.getDataType(),
                of.getDevice());
        NDScope.unregister(b);
        return b;
    }

    private NDArray grow(NDArray old, long filled, long positions) {
        NDArray b = buffer(old.getShape(), positions, old);
        NDIndex kept = new NDIndex().addAllDim(2).addSliceDim(0, filled);
        try (NDArray held = old.get(kept)) {
            b.set(kept, held);
        }
        old.close();
        return b;
    }

    /**
     * What an {@link ActivationHook} of the cached passes kept under {@code key} from the pass before (e.g.
     * GUARD-IT's running sums of the pooled residual stream, {@link GatedSteering}); null before the first.
     */
    public @Nullable NDArray carried(String key) {
        return carried.get(key);
    }

    /**
     * Keeps a copy of {@code value} under {@code key} for the next cached pass of this decoding (replacing and
     * freeing the one kept before); the copy belongs to the cache and is freed by {@link #close()}.
     */
    public void carry(String key, NDArray value) {
        NDArray kept = value.duplicate();
        kept.attach(manager);
        NDScope.unregister(kept);
        NDArray old = carried.put(key, kept);
        if (old != null) {
            old.close();
        }
    }

    /** Frees the buffers. */
    @Override
    public void close() {
        manager.close();
    }
}
