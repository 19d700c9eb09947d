package dev.lethe.objective;

import ai.djl.ndarray.NDArray;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * An objective made by an {@link ObjectiveRegistry} entry (typically a custom lambda), remembered by its name
 * and the parameters given, so that a recipe holding it can be written to a file and read back: two named
 * objectives are equal when their names and parameters are, whatever lambda they hold.
 *
 * @param name the registry name
 * @param params the parameters as given (plain values: numbers, strings, booleans, lists of them)
 * @param objective what the registry made of them
 */
public record NamedObjective(String name, Map<String, Object> params, Objective objective) implements Wrapper {

    /** Copies the parameters, keeping their order. */
    public NamedObjective {
        params = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(params));
    }

    /** The entry {@code name} of {@code registry} with {@code params}. */
    public static NamedObjective of(ObjectiveRegistry registry, String name, Map<String, Object> params) {
        return new NamedObjective(name, params, registry.create(name, params));
    }

    @Override
    public NDArray loss(Step step) {
        return objective.loss(step);
    }

    /** Equal when the names and parameters are (the objective follows from them through the registry). */
    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof NamedObjective n && n.name.equals(name) && n.params.equals(params);
    }

    @Override
    public int hashCode() {
        return 31 * name.hashCode() + params.hashCode();
    }
}
