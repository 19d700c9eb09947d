package dev.lethe.cli;

import dev.lethe.recipe.RecipeException;
import dev.lethe.util.Printable;
import java.io.PrintWriter;

/** How a command reports input it cannot use: one line on standard error, no stack trace, exit code 2. */
final class BadInput {
    /** The exit code of bad input. */
    static final int EXIT = 2;

    private BadInput() {}

    /**
     * Prints {@code lethe <command>: <message>}, control characters escaped (the message may quote a file or a
     * path); returns {@link #EXIT}.
     */
    static int report(PrintWriter err, String command, String message) {
        err.println("lethe " + command + ": " + Printable.escape(message));
        err.flush();
        return EXIT;
    }

    /**
     * Reports {@code e}; a {@link RecipeException}'s message already names the file, line and field, one problem a
     * line, each escaped.
     */
    static int report(PrintWriter err, String command, IllegalArgumentException e) {
        if (e instanceof RecipeException) {
            err.println(e.getMessage());
            err.flush();
            return EXIT;
        }
        return report(err, command, e.getMessage());
    }
}
