package dev.lethe.part;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * One kind of part a recipe can hold, e.g. the objective {@code npo}: its name, documentation, typed
 * parameters, how to build the part from them and how to take a part apart into the same values (in
 * parameter order), which is what makes {@code toYaml} and {@code fromYaml} exact inverses. A built-in part
 * declares its kind once, beside its record ({@code Npo.KIND}); its slot's vocabulary lists it
 * ({@code Objectives.KINDS}), and the DSL's defaults ({@link #defaults()}), the codec, {@code lethe list}, the
 * generated parameter tables (docs/parts.md) and the property tests all read that one declaration.
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

    /**
     * A kind for the class {@code type} whose parameters all carry their accessors
     * ({@code Param.of("beta", real(Range.positive()), 0.1, "inverse temperature β", Npo::beta)}): the values
     * of a part are its parameters' accessors applied in order.
     *
     * @throws IllegalArgumentException when a parameter has no accessor
     */
    public static <T, C extends T> Kind<T> of(String name, Class<C> type, String doc, List<Param> params,
            Function<Args, ? extends T> build) {
        return new Kind<>(name, doc, params, build, accessors(name, params), o -> o.getClass() == type, false);
    }

    private static Function<Object, List<?>> accessors(String name, List<Param> params) {
        for (Param p : params) {
            if (p.accessor() == null) {
                throw new IllegalArgumentException(name + "." + p.name() + " has no accessor");
            }
        }
        List<Param> copy = List.copyOf(params);
        return o -> {
            List<@Nullable Object> out = new ArrayList<>();
            for (Param p : copy) {
                out.add(p.accessor().apply(o));
            }
            return out;
        };
    }

    /** A copy that writes the values {@code handles} accepts (e.g. two classes written under one name). */
    public Kind<T> handling(Predicate<Object> newHandles) {
        return new Kind<>(name, doc, params, build, values, newHandles, inline);
    }

    /** A copy whose single parameter is written right after the name. */
    public Kind<T> inlined() {
        return new Kind<>(name, doc, params, build, values, handles, true);
    }

    /**
     * The part with every parameter at its default: what a file that names the kind alone reads as, and what
     * the DSL's factories return ({@code Objectives.npo()} is {@code Npo.KIND.defaults()}).
     *
     * @throws IllegalStateException when a parameter is required
     */
    public T defaults() {
        return create(Map.of());
    }

    /**
     * The part with {@code given} parameter values (of the types their {@link ParamType}s read: {@code Double}
     * for {@code real}, {@code Integer} for {@code integer}, ...) and the others at their defaults.
     *
     * @throws IllegalArgumentException for an unknown key, or what the part's constructor rejects
     * @throws IllegalStateException when a required parameter is not given
     */
    public T create(Map<String, ?> given) {
        for (String key : given.keySet()) {
            if (param(key) == null) {
                throw new IllegalArgumentException(name + " has no parameter '" + key + "'; it has "
                        + (params.isEmpty() ? "none" : String.join(", ", keys())));
            }
        }
        Map<String, @Nullable Object> values = new LinkedHashMap<>();
        for (Param p : params) {
            if (given.containsKey(p.name())) {
                values.put(p.name(), given.get(p.name()));
            } else if (p.required()) {
                throw new IllegalStateException(name + " needs parameter '" + p.name() + "'");
            } else {
                values.put(p.name(), p.defaultValue());
            }
        }
        Set<String> written = new HashSet<>();
        given.forEach((k, v) -> {
            if (v != null) {
                written.add(k);
            }
        });
        return build.apply(new Args(values, written));
    }

    /**
     * The default of parameter {@code key}, for a DSL factory that fills in some parameters
     * ({@code Attacks.relearn()}).
     *
     * @throws IllegalArgumentException for an unknown key or a parameter without a default
     */
    @SuppressWarnings("unchecked")
    public <V> V defaultOf(String key) {
        Param p = param(key);
        if (p == null || p.defaultValue() == null) {
            throw new IllegalArgumentException(name + " has no parameter '" + key + "' with a default");
        }
        return (V) p.defaultValue();
    }

    /** The parameter called {@code key}, or null. */
    public @Nullable Param param(String key) {
        for (Param p : params) {
            if (p.name().equals(key)) {
                return p;
            }
        }
        return null;
    }

    /** Parameter names in order. */
    public List<String> keys() {
        return params.stream().map(Param::name).toList();
    }
}
