package dev.lethe.recipe;

import org.jspecify.annotations.Nullable;

/**
 * One parameter of a {@link Kind}: its key in the file ({@code snake_case}), type, default and meaning.
 *
 * @param name the key
 * @param type its type (range included)
 * @param defaultValue the value when the key is left out, as {@link ParamType#read} returns it; null with
 *     {@code required} for a key that must be given, null without it for an optional part that is absent
 * @param required whether the key must be given
 * @param doc one line on what it means
 */
public record Param(String name, ParamType type, @Nullable Object defaultValue, boolean required, String doc) {

    /** A parameter that must be given. */
    public static Param required(String name, ParamType type, String doc) {
        return new Param(name, type, null, true, doc);
    }

    /** A parameter with a default. */
    public static Param of(String name, ParamType type, Object defaultValue, String doc) {
        return new Param(name, type, defaultValue, false, doc);
    }

    /** A parameter that may be absent or null (e.g. an optional stage). */
    public static Param optional(String name, ParamType type, String doc) {
        return new Param(name, ParamTypes.nullable(type), null, false, doc);
    }
}
