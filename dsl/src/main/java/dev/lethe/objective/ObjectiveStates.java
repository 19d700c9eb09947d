package dev.lethe.objective;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/** The states of an objective's parts under prefixed names, and back ({@link Objective#state()}). */
final class ObjectiveStates {
    private ObjectiveStates() {}

    /** Each part's state, its names prefixed with {@code <part name>.}. */
    static Map<String, double[]> join(Map<String, Objective> parts) {
        Map<String, double[]> out = new TreeMap<>();
        parts.forEach((prefix, part) -> part.state().forEach((name, v) -> out.put(prefix + "." + name, v)));
        return out;
    }

    /**
     * Gives each part the entries of {@code state} under its prefix (without it).
     *
     * @throws IllegalArgumentException when an entry belongs to no part
     */
    static void split(Map<String, double[]> state, Map<String, Objective> parts) {
        Map<String, Map<String, double[]>> byPart = new LinkedHashMap<>();
        parts.keySet().forEach(p -> byPart.put(p, new LinkedHashMap<>()));
        state.forEach((key, v) -> {
            int dot = key.indexOf('.');
            Map<String, double[]> part = dot <= 0 ? null : byPart.get(key.substring(0, dot));
            if (part == null) {
                throw new IllegalArgumentException("objective state '" + key + "' belongs to none of the parts "
                        + parts.keySet());
            }
            part.put(key.substring(dot + 1), v);
        });
        parts.forEach((prefix, part) -> part.restore(byPart.get(prefix)));
    }
}
