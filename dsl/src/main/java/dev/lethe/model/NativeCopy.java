package dev.lethe.model;

import ai.djl.ndarray.NDArray;

/**
 * Arrays made from Java data moved into libtorch's own memory. DJL's {@code manager.create(float[] ...)} wraps a
 * direct buffer of the JVM, which the array keeps as its storage: the JVM caps all such buffers together (by
 * default at the heap's size), so a model whose weights were made that way stops at that cap (a 1B-parameter
 * model's 4.9 GB against a 2 GB heap: "Cannot reserve ... bytes of direct buffer memory").
 */
final class NativeCopy {
    private NativeCopy() {}

    /** A copy of {@code fromJava} in libtorch's memory, named as it is; {@code fromJava} is closed, its buffer let go. */
    static NDArray of(NDArray fromJava) {
        NDArray copy = fromJava.duplicate();
        fromJava.close();
        return copy;
    }
}
