package dev.lethe.recipe;

import dev.lethe.part.Problem;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A recipe file that cannot be read, with every problem found (not just the first). The message is what the
 * command line prints: one line per problem, {@code file:line:column: field: what is wrong}.
 */
public final class RecipeException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final List<Problem> problems;

    /** An exception listing {@code problems} (at least one). */
    public RecipeException(List<Problem> problems) {
        super(message(problems));
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("a RecipeException needs at least one problem");
        }
        this.problems = List.copyOf(problems);
    }

    /** The problems, in the order of the file. */
    public List<Problem> problems() {
        return problems;
    }

    private static String message(List<Problem> problems) {
        String head = problems.size() == 1 ? "1 problem in the recipe:" : problems.size() + " problems in the recipe:";
        return problems.stream().map(p -> "  " + p).collect(Collectors.joining("\n", head + "\n", ""));
    }
}
