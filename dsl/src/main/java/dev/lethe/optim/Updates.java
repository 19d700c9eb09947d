package dev.lethe.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiFunction;
import org.jspecify.annotations.Nullable;

/**
 * Per-parameter arrays flowing through an optimizer: a gradient estimate going in, the update to add to
 * the weights coming out. Immutable; {@link #map} gives a new one.
 */
public final class Updates {
    private final Map<String, NDArray> arrays;
    private final @Nullable NDArray variance;

    /** Wraps {@code arrays} (copied, order kept). */
    public Updates(Map<String, NDArray> arrays) {
        this(arrays, null);
    }

    /**
     * Wraps {@code arrays} (copied, order kept), a gradient with {@code variance}, the estimated variance of
     * this gradient as an estimate of the expected one, E‖g − E g‖², from the step's micro-batches (see
     * {@link LossOracle#withWithinStepVariance()}), or null.
     */
    public Updates(Map<String, NDArray> arrays, @Nullable NDArray variance) {
        this.arrays = Collections.unmodifiableMap(new LinkedHashMap<>(arrays));
        this.variance = variance;
    }

    /**
     * The within-step variance estimate of this gradient (a scalar), when the oracle computed one; null otherwise,
     * and always null for updates made by {@link #map} and the other arithmetic (a transformed update has none).
     */
    public @Nullable NDArray variance() {
        return variance;
    }

    /** The array for parameter {@code name}. */
    public NDArray get(String name) {
        NDArray a = arrays.get(name);
        if (a == null) {
            throw new IllegalArgumentException("no update for parameter '" + name + "'");
        }
        return a;
    }

    /** Name → array, read-only, in parameter order. */
    public Map<String, NDArray> asMap() {
        return arrays;
    }

    /** A new {@code Updates} with {@code f(name, array)} for each entry. */
    public Updates map(BiFunction<String, NDArray, NDArray> f) {
        LinkedHashMap<String, NDArray> out = new LinkedHashMap<>();
        arrays.forEach((k, v) -> out.put(k, f.apply(k, v)));
        return new Updates(out);
    }

    /**
     * {@code this + other}, parameter by parameter (Kotlin's {@code +}); both must name the same parameters.
     * For arrays without an autograd graph (gradients, updates).
     */
    public Updates plus(Updates other) {
        requireSameNames(other);
        return map((name, a) -> a.add(other.get(name)));
    }

    /** {@code factor · this} (Kotlin's {@code *}); for arrays without an autograd graph. */
    public Updates times(double factor) {
        return map((name, a) -> a.mul((float) factor));
    }

    /**
     * The inner product Σ_p ⟨this_p, other_p⟩ over all parameters together, read back as a double (each
     * parameter's sum in the arrays' type, the parameters accumulated in double).
     */
    public double dot(Updates other) {
        requireSameNames(other);
        double total = 0;
        for (Map.Entry<String, NDArray> e : arrays.entrySet()) {
            total += e.getValue().mul(other.get(e.getKey())).sum().toType(DataType.FLOAT64, false).getDouble();
        }
        return total;
    }

    private void requireSameNames(Updates other) {
        if (!arrays.keySet().equals(other.arrays.keySet())) {
            throw new IllegalArgumentException("updates name different parameters: " + arrays.keySet() + " and "
                    + other.arrays.keySet());
        }
    }

    /** The global L2 norm √(Σ‖u‖²) as a scalar array. */
    public NDArray globalNorm() {
        NDArray total = null;
        for (NDArray a : arrays.values()) {
            NDArray sq = a.square().sum();
            total = total == null ? sq : total.add(sq);
        }
        if (total == null) {
            throw new IllegalStateException("no arrays");
        }
        return total.sqrt();
    }
}
