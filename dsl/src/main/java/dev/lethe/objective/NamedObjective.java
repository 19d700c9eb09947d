package dev.lethe.objective;

import ai.djl.ndarray.NDArray;
import dev.lethe.part.Args;
import dev.lethe.part.Kind;
import dev.lethe.part.Param;
import dev.lethe.part.PartText;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * A custom objective (typically a Java or Kotlin lambda) made by its {@link Kind}, remembered by the kind's name
 * and the parameters given, so that a recipe holding it can be written to a file and read back: two named
 * objectives are equal when their names and parameters are, whatever lambda they hold. A custom objective
 * registers exactly as a built-in does (DESIGN.md, "Objectives": custom objectives are lambdas, registered by
 * name to appear in a recipe):
 *
 * <pre>{@code
 * Kind<NamedObjective> doubleNpo = NamedObjective.kind("double_npo", "NPO twice",
 *         List.of(Param.of("beta", ParamTypes.real(Range.positive()), 0.1, "β")),
 *         a -> Objectives.npo(a.real("beta")).times(2));
 * PartRegistry parts = PartRegistry.standard().add(Objective.SLOT, doubleNpo);
 * RecipeCodec codec = new RecipeCodec(parts);          // reads objective: {double_npo: {beta: 0.5}}
 * Objective o = doubleNpo.create(Map.of("beta", 0.5)); // the same objective in the DSL
 * }</pre>
 *
 * @param name the kind's name
 * @param params the parameters as its kind read them (absent optional ones left out), in order
 * @param objective what the kind made of them
 */
public record NamedObjective(String name, Map<String, Object> params, Objective objective) implements Wrapper {

    /** Copies the parameters, keeping their order. */
    public NamedObjective {
        params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
    }

    /**
     * The kind of a custom objective with typed parameters: a file names it {@code name}, its parameters are
     * read and checked like a built-in's, and {@code build} makes the objective from them.
     */
    public static Kind<NamedObjective> kind(String name, String doc, List<Param> params,
            Function<Args, ? extends Objective> build) {
        if (name.isBlank()) {
            throw new IllegalArgumentException("an objective's name must not be blank");
        }
        List<Param> copy = List.copyOf(params);
        return new Kind<NamedObjective>(name, doc, copy, a -> new NamedObjective(name, given(a), build.apply(a)),
                o -> valuesOf((NamedObjective) o, copy), o -> o instanceof NamedObjective n && n.name().equals(name),
                false);
    }

    /** The kind of a custom objective without parameters: a file names it {@code name}. */
    public static Kind<NamedObjective> kind(String name, String doc, Objective objective) {
        return kind(name, doc, List.of(), a -> objective);
    }

    private static Map<String, Object> given(Args a) {
        Map<String, Object> out = new LinkedHashMap<>();
        a.values().forEach((k, v) -> {
            if (v != null) {
                out.put(k, v);
            }
        });
        return out;
    }

    private static List<@Nullable Object> valuesOf(NamedObjective n, List<Param> params) {
        List<@Nullable Object> out = new ArrayList<>();
        for (Param p : params) {
            out.add(n.params().get(p.name()));
        }
        return out;
    }

    /**
     * A custom objective known by {@code name} alone, e.g. a Kotlin lambda:
     * {@code NamedObjective.of("bounded_ascent") { step -> ... }}. It shows as its name; to write a recipe
     * that holds it to a file, register its kind ({@link #kind(String, String, Objective)}) under the same name.
     */
    public static NamedObjective of(String name, Objective objective) {
        return kind(name, "a custom objective", objective).defaults();
    }

    /** As a recipe file writes it: {@code name}, or {@code {name: {parameters}}} ({@link PartText#named}). */
    @Override
    public String toString() {
        return PartText.named(name, params);
    }

    @Override
    public NDArray loss(Step step) {
        return objective.loss(step);
    }

    /** Equal when the names and parameters are (the objective follows from them through the kind). */
    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof NamedObjective n && n.name.equals(name) && n.params.equals(params);
    }

    @Override
    public int hashCode() {
        return 31 * name.hashCode() + params.hashCode();
    }
}
