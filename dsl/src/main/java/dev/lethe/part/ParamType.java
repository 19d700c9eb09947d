package dev.lethe.part;

import org.jspecify.annotations.Nullable;

/**
 * The type of a part's parameter: reads it from a recipe node (reporting what is wrong) and writes it back
 * as plain data. Build-ins are in {@link ParamTypes}.
 */
public interface ParamType {
    /**
     * The value of {@code node}, or null after reporting a problem to {@code reading}.
     *
     * @param path the field path, for messages
     */
    @Nullable Object read(Node node, String path, Reading reading);

    /** {@code value} (as {@link #read} returns it) as plain data: maps, lists, strings, numbers, booleans. */
    @Nullable Object write(Object value, Writing writing);

    /** What a value looks like, for messages and {@code lethe list}: {@code "a number > 0"}. */
    String describe();
}
