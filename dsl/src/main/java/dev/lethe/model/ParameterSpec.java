package dev.lethe.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;

/**
 * Name, shape and initial distribution of one parameter of an {@link Architecture}.
 *
 * @param name the parameter's name, as the architecture's checkpoints spell it
 * @param shape shape; projections are stored (in, out) (see {@link Architecture})
 * @param std standard deviation of the normal initialisation, or a negative value for a constant
 * @param constant the constant value when {@code std < 0}
 */
public record ParameterSpec(String name, Shape shape, double std, float constant) {

    /** A (rows, cols) matrix drawn from N(0, std²). */
    public static ParameterSpec normal(String name, double std, int rows, int cols) {
        return new ParameterSpec(name, new Shape(rows, cols), std, 0f);
    }

    /** A vector of {@code size} entries all equal to {@code value}. */
    public static ParameterSpec constant(String name, float value, int size) {
        return new ParameterSpec(name, new Shape(size), -1, value);
    }

    /**
     * A freshly initialised array in libtorch's memory ({@link NativeCopy}: a model's size is not capped by the
     * JVM's direct memory); normal entries are drawn from {@code random} in row-major order.
     */
    public NDArray create(NDManager manager, SplittableRandom random) {
        float[] values = new float[Math.toIntExact(shape.size())];
        for (int i = 0; i < values.length; i++) {
            values[i] = std < 0 ? constant : (float) (random.nextGaussian() * std);
        }
        return NativeCopy.of(manager.create(values, shape));
    }
}
