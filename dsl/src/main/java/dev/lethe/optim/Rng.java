package dev.lethe.optim;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import java.util.SplittableRandom;

/**
 * Deterministic random arrays from a seed, generated in Java ({@link SplittableRandom}) so that the same
 * seed gives bit-identical values on every engine, device and thread count. Arrays are copied into memory
 * that libtorch allocated itself (see {@code dev.lethe.model.Scalars} for why that matters).
 */
final class Rng {
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;
    private static final ThreadLocal<ByteBuffer> STAGING =
            ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(0).order(ByteOrder.nativeOrder()));

    private Rng() {}

    /** A well-mixed seed for stream {@code salt} of {@code seed} (SplitMix64 of a Weyl step). */
    static long derive(long seed, long salt) {
        return new SplittableRandom(seed ^ ((salt + 1) * GOLDEN)).nextLong();
    }

    /** An array shaped like {@code like} (same type, device and manager) of independent N(0, 1) draws. */
    static NDArray gaussian(NDArray like, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] values = new float[Math.toIntExact(like.getShape().size())];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) r.nextGaussian();
        }
        return owned(like, values);
    }

    /** An array shaped like {@code like} of independent ±1 draws, each with probability ½. */
    static NDArray signs(NDArray like, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] values = new float[Math.toIntExact(like.getShape().size())];
        for (int i = 0; i < values.length; i++) {
            values[i] = r.nextBoolean() ? 1f : -1f;
        }
        return owned(like, values);
    }

    /**
     * Copies {@code values} into a new libtorch-owned array shaped like {@code like}, through one reusable
     * direct buffer per thread: creating arrays from Java arrays allocates a fresh direct buffer each time,
     * which only the garbage collector frees, so a zeroth-order run's resident memory grew by hundreds of MiB
     * between collections.
     */
    private static NDArray owned(NDArray like, float[] values) {
        int bytes = Math.multiplyExact(values.length, Float.BYTES);
        ByteBuffer staging = STAGING.get();
        if (staging.capacity() < bytes) {
            staging = ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
            STAGING.set(staging);
        }
        staging.clear();
        staging.asFloatBuffer().put(values);
        staging.limit(bytes);
        try (NDArray host = like.getManager().create(staging, like.getShape(), DataType.FLOAT32)) {
            NDArray typed = like.getDataType() == DataType.FLOAT32 ? host : host.toType(like.getDataType(), false);
            NDArray out = typed.duplicate();
            if (typed != host) {
                typed.close();
            }
            return out;
        }
    }
}
