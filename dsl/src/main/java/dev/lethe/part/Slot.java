package dev.lethe.part;


/**
 * A place in a recipe where one of several kinds of part goes, e.g. an objective: the file names the kind
 * ({@code npo}) and its parameters. A registry holds the kinds of each slot; each part interface declares its slot ({@code Objective.SLOT}).
 *
 * @param name the slot's name in messages and {@code lethe list} ({@code objective})
 * @param type what its parts are
 * @param <T> what its parts are
 */
public record Slot<T>(String name, Class<T> type) {
}
