package dev.lethe.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Arithmetic with constants that is safe inside an autograd graph.
 *
 * <p>Why this exists: DJL's PyTorch engine implements {@code array.mul(2.0)} (and {@code div}, {@code pow},
 * ... with a {@link Number}) by wrapping the number in a tensor that shares the memory of a Java direct
 * buffer, multiplying, and closing the wrapper at once. Autograd keeps that scalar tensor for the
 * backward pass, but the buffer behind it is freed whenever the garbage collector runs, so the backward
 * pass can read garbage: runs stop being reproducible and sometimes turn NaN. The scalars made here are
 * allocated by libtorch itself ({@code torch::full}), so autograd owns them safely. Use these helpers in
 * every objective; plain {@code mul(Number)} is fine only outside a {@code GradientCollector}.
 */
public final class Scalars {
    private Scalars() {}

    /** A 0-dimensional array holding {@code value}, of {@code like}'s type and device, owned by libtorch. */
    public static NDArray scalar(NDArray like, double value) {
        return like.getManager().full(new Shape(), (float) value, like.getDataType(), like.getDevice());
    }

    /** {@code x · value}. */
    public static NDArray times(NDArray x, double value) {
        return x.mul(scalar(x, value));
    }

    /** {@code x / value}. */
    public static NDArray dividedBy(NDArray x, double value) {
        return x.div(scalar(x, value));
    }

    /** {@code x + value}. */
    public static NDArray plus(NDArray x, double value) {
        return x.add(scalar(x, value));
    }
}
