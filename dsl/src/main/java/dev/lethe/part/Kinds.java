package dev.lethe.part;

import java.util.Map;

/** Where reading and writing find the kinds of each slot (a recipe codec's registry). */
@FunctionalInterface
public interface Kinds {
    /** The kinds of {@code slot} by name, in the order they are tried when a part is written. */
    Map<String, Kind<?>> kinds(Slot<?> slot);
}
