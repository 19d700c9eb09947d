package dev.lethe.part;

import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * One parameter of a {@link Kind}: its key in the file ({@code snake_case}), type, default, meaning and, for a
 * kind declared beside its record, the accessor that takes the value back out of a part (so a kind's
 * {@link Kind#values} follow from its parameters and their order cannot drift).
 *
 * @param name the key
 * @param type its type (range included)
 * @param defaultValue the value when the key is left out, as {@link ParamType#read} returns it; null with
 *     {@code required} for a key that must be given, null without it for an optional part that is absent
 * @param required whether the key must be given
 * @param doc one line on what it means
 * @param accessor the value of this parameter in a part of the kind (of the type {@code type} reads; null
 *     for an absent optional value), or null when the kind lists its values itself
 */
public record Param(String name, ParamType type, @Nullable Object defaultValue, boolean required, String doc,
        @Nullable Function<Object, ?> accessor) {

    /** A parameter that must be given. */
    public static Param required(String name, ParamType type, String doc) {
        return new Param(name, type, null, true, doc, null);
    }

    /** A parameter with a default. */
    public static Param of(String name, ParamType type, Object defaultValue, String doc) {
        return new Param(name, type, defaultValue, false, doc, null);
    }

    /** A parameter that may be absent or null (e.g. an optional stage). */
    public static Param optional(String name, ParamType type, String doc) {
        return new Param(name, ParamTypes.nullable(type), null, false, doc, null);
    }

    /** A parameter that must be given, read back from a part with {@code accessor} (e.g. {@code Prune::sparsity}). */
    public static <P> Param required(String name, ParamType type, String doc, Function<P, ?> accessor) {
        return new Param(name, type, null, true, doc, erase(accessor));
    }

    /** A parameter with a default, read back from a part with {@code accessor} (e.g. {@code Npo::beta}). */
    public static <P> Param of(String name, ParamType type, Object defaultValue, String doc, Function<P, ?> accessor) {
        return new Param(name, type, defaultValue, false, doc, erase(accessor));
    }

    /** A parameter that may be absent or null, read back with {@code accessor} (null when absent). */
    public static <P> Param optional(String name, ParamType type, String doc,
            Function<P, ? extends @Nullable Object> accessor) {
        return new Param(name, ParamTypes.nullable(type), null, false, doc, erase(accessor));
    }

    @SuppressWarnings("unchecked")
    private static <P> Function<Object, ?> erase(Function<P, ?> accessor) {
        return o -> accessor.apply((P) o);
    }
}
