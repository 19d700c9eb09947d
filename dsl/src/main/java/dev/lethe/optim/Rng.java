package dev.lethe.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
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
        return gaussian(new SplittableRandom(seed), like.getManager(), like.getShape(), like.getDataType());
    }

    /**
     * The next {@code shape.size()} N(0, 1) draws of {@code random}, in row-major order. Consecutive calls
     * on the same generator continue the stream, so drawing a tensor in row blocks gives the same values as
     * drawing it whole.
     */
    static NDArray gaussian(SplittableRandom random, NDManager manager, Shape shape, DataType type) {
        FloatBuffer staging = staging(Math.toIntExact(shape.size()));
        for (int i = 0; i < staging.limit(); i++) {
            staging.put(i, (float) random.nextGaussian());
        }
        return owned(manager, shape, type);
    }

    /**
     * The next {@code shape.size()} draws of {@code random}, each scaled: {@code (float) z · scale}, rounded to
     * float32 in Java, which is the value libtorch's float32 multiply gives for the same two floats (both round
     * the exact product once, IEEE 754). The array wraps this thread's staging buffer without a copy, so it is
     * valid only until the next draw on this thread: close it right after its one use (an in-place add). Made
     * on {@code manager}'s device (DJL copies it there when that is not the CPU). Float32 only.
     */
    static NDArray scaledGaussianTransient(SplittableRandom random, NDManager manager, Shape shape, float scale) {
        FloatBuffer staging = staging(Math.toIntExact(shape.size()));
        for (int i = 0; i < staging.limit(); i++) {
            staging.put(i, (float) random.nextGaussian() * scale);
        }
        return manager.create(STAGING.get(), shape, DataType.FLOAT32);
    }

    /** An array shaped like {@code like} of independent U[0, 1) draws (each {@code (float) nextDouble()}). */
    static NDArray uniform(NDArray like, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        FloatBuffer staging = staging(Math.toIntExact(like.getShape().size()));
        for (int i = 0; i < staging.limit(); i++) {
            staging.put(i, (float) r.nextDouble());
        }
        return owned(like.getManager(), like.getShape(), like.getDataType());
    }

    /** An array shaped like {@code like} of independent ±1 draws, each with probability ½. */
    static NDArray signs(NDArray like, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        FloatBuffer staging = staging(Math.toIntExact(like.getShape().size()));
        for (int i = 0; i < staging.limit(); i++) {
            staging.put(i, r.nextBoolean() ? 1f : -1f);
        }
        return owned(like.getManager(), like.getShape(), like.getDataType());
    }

    /**
     * The calling thread's staging buffer, at least {@code count} floats, limited to {@code count}. The draws
     * are written straight into it (no Java array per tensor): creating arrays from Java arrays allocates a
     * fresh direct buffer each time, which only the garbage collector frees, so a zeroth-order run's resident
     * memory grew by hundreds of MiB between collections. It grows to the largest block ever drawn on the
     * thread and is kept.
     */
    private static FloatBuffer staging(int count) {
        int bytes = Math.multiplyExact(count, Float.BYTES);
        ByteBuffer staging = STAGING.get();
        if (staging.capacity() < bytes) {
            staging = ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
            STAGING.set(staging);
        }
        staging.clear().limit(bytes);
        return staging.asFloatBuffer();
    }

    /** Copies the staged values into a new libtorch-owned array (see {@code dev.lethe.model.Scalars} for why). */
    private static NDArray owned(NDManager manager, Shape shape, DataType type) {
        ByteBuffer staging = STAGING.get();
        try (NDArray host = manager.create(staging, shape, DataType.FLOAT32)) {
            NDArray typed = type == DataType.FLOAT32 ? host : host.toType(type, false);
            NDArray out = typed.duplicate();
            if (typed != host) {
                typed.close();
            }
            return out;
        }
    }
}
