package dev.lethe.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * The named parameter arrays of a model, in a fixed order (the order they were created in), and the
 * {@link Role}s its {@link Architecture} gives them. Names are the architecture's (Hugging Face's layout,
 * e.g. GPT-2's {@code wte.weight}). The arrays are owned by the model's manager; a {@code Weights} never
 * closes them.
 */
public final class Weights {
    private static final NDIndex ALL = new NDIndex("...");

    private final Map<String, NDArray> arrays;
    private final List<RoleModule> roles;

    Weights(LinkedHashMap<String, NDArray> arrays, List<RoleModule> roles) {
        this.arrays = Collections.unmodifiableMap(arrays);
        this.roles = List.copyOf(roles);
    }

    /**
     * Wraps named arrays (kept in the map's order), with no roles; the caller keeps ownership of the arrays.
     */
    public static Weights of(Map<String, NDArray> arrays) {
        return new Weights(new LinkedHashMap<>(arrays), List.of());
    }

    /**
     * The modules of the model's architecture that own these arrays ({@link Architecture#roles()}); empty for
     * arrays that play no role of their own (an adapter view's, or {@link #of}).
     */
    public List<RoleModule> roles() {
        return roles;
    }

    /** The modules owning array {@code name}: none, one, or several for a shared array (a tied head). */
    public List<RoleModule> rolesOf(String name) {
        List<RoleModule> out = new ArrayList<>();
        for (RoleModule m : roles) {
            if (m.owns(name)) {
                out.add(m);
            }
        }
        return out;
    }

    /** The array called {@code name}. */
    public NDArray get(String name) {
        NDArray a = arrays.get(name);
        if (a == null) {
            throw new IllegalArgumentException("no parameter named '" + name + "'; have " + arrays.keySet());
        }
        return a;
    }

    /** Parameter names in order. */
    public Set<String> names() {
        return arrays.keySet();
    }

    /** Name → array, in order, read-only. */
    public Map<String, NDArray> asMap() {
        return arrays;
    }

    /** Calls {@code action} for each parameter in order. */
    public void forEach(BiConsumer<String, NDArray> action) {
        arrays.forEach(action);
    }

    /** Number of scalar parameters. */
    public long size() {
        return arrays.values().stream().mapToLong(a -> a.getShape().size()).sum();
    }

    /**
     * True for parameters that weight decay conventionally skips: biases and layer-norm gains/shifts
     * (everything of rank 1).
     */
    public static boolean isBiasOrNorm(String name, NDArray array) {
        return array.getShape().dimension() < 2;
    }

    /**
     * Overwrites every array with the values of the same-named array of {@code values}, in place: the arrays
     * keep their identity, memory and gradient flags, and the values are copied bit for bit (how a checkpoint
     * is restored). Call outside a {@code GradientCollector}.
     *
     * @param source names where the values come from, for error messages (e.g. a checkpoint file)
     * @throws IllegalArgumentException when a name is missing from {@code values} or a shape or type differs
     */
    public void assign(Map<String, NDArray> values, String source) {
        for (Map.Entry<String, NDArray> e : arrays.entrySet()) {
            NDArray v = values.get(e.getKey());
            if (v == null) {
                throw new IllegalArgumentException(source + ": array '" + e.getKey() + "' is missing");
            }
            assign(e.getValue(), v, source + ": array '" + e.getKey() + "'");
        }
    }

    /**
     * Copies the values of {@code source} into {@code target} in place, bit for bit.
     *
     * @param what names the array, for the error message
     * @throws IllegalArgumentException when the shapes or types differ
     */
    public static void assign(NDArray target, NDArray source, String what) {
        if (!target.getShape().equals(source.getShape()) || target.getDataType() != source.getDataType()) {
            throw new IllegalArgumentException(what + " is " + source.getDataType() + " " + source.getShape()
                    + ", expected " + target.getDataType() + " " + target.getShape());
        }
        target.set(ALL, source);
    }

    /** Sets every accumulated gradient to zero (DJL's PyTorch engine accumulates them across backward calls). */
    public void zeroGradients() {
        NDIndex all = new NDIndex(":");
        for (NDArray a : arrays.values()) {
            if (a.hasGradient()) {
                a.getGradient().set(all, 0f);
            }
        }
    }
}
