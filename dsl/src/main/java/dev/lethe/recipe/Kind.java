package dev.lethe.recipe;

import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * One kind of part a recipe can hold, e.g. the objective {@code npo}: its name, documentation, typed
 * parameters, how to build the part from them and how to take a part apart into the same values (in
 * parameter order), which is what makes {@code toYaml} and {@code fromYaml} exact inverses.
 *
 * @param name the name in files ({@code snake_case})
 * @param doc one or two lines, with the paper where there is one
 * @param params the parameters, in the order they are written
 * @param build makes the part; may throw {@link IllegalArgumentException} for combinations the types cannot
 *     check (reported as a problem of the part)
 * @param values the part's parameter values, in {@code params} order
 * @param handles whether a value is written as this kind
 * @param inline whether a kind with one parameter writes its value right after the name
 *     ({@code plus: [a, b]} rather than {@code plus: {terms: [a, b]}})
 * @param <T> what it builds
 */
public record Kind<T>(String name, String doc, List<Param> params, Function<Args, ? extends T> build,
        Function<Object, List<?>> values, Predicate<Object> handles, boolean inline) {

    /** Copies the parameters. */
    public Kind {
        params = List.copyOf(params);
        if (inline && params.size() != 1) {
            throw new IllegalArgumentException("an inline kind has exactly one parameter: " + name);
        }
    }

    /**
     * A kind for the class {@code type} (exactly that class, usually a record).
     *
     * @param values the parameter values of a part, in {@code params} order (record accessors)
     */
    public static <T, C extends T> Kind<T> of(String name, Class<C> type, String doc, List<Param> params,
            Function<Args, ? extends T> build, Function<C, List<?>> values) {
        return new Kind<>(name, doc, params, build, o -> values.apply(type.cast(o)),
                o -> o.getClass() == type, false);
    }

    /** A copy that writes the values {@code handles} accepts (e.g. two classes written under one name). */
    public Kind<T> handling(Predicate<Object> newHandles) {
        return new Kind<>(name, doc, params, build, values, newHandles, inline);
    }

    /** A copy that takes values apart with {@code newValues} (for a kind that {@link #handling handles} several classes). */
    public Kind<T> withValues(Function<Object, List<?>> newValues) {
        return new Kind<>(name, doc, params, build, newValues, handles, inline);
    }

    /** A copy whose single parameter is written right after the name. */
    public Kind<T> inlined() {
        return new Kind<>(name, doc, params, build, values, handles, true);
    }

    /** The parameter called {@code key}, or null. */
    @Nullable Param param(String key) {
        for (Param p : params) {
            if (p.name().equals(key)) {
                return p;
            }
        }
        return null;
    }

    /** Parameter names in order. */
    List<String> keys() {
        return params.stream().map(Param::name).toList();
    }
}
