package dev.lethe.part;

import dev.lethe.util.Printable;

/**
 * One thing wrong with a recipe file.
 *
 * @param file the file's name as the user gave it ({@code <text>} for a string)
 * @param line 1-based line (0 when unknown)
 * @param column 1-based column (0 when unknown)
 * @param path the field, e.g. {@code unlearn.objective.plus[1].npo.beta}; empty for the whole document
 * @param message what is wrong and what was expected, with a did-you-mean where one is close
 */
public record Problem(String file, int line, int column, String path, String message) {

    /**
     * {@code file:line:column: path: message}, the form compilers use, so editors can jump to it; control
     * characters from the file (in its name, keys or values) are escaped ({@link Printable#escape}), so that
     * printing a problem cannot rewrite the terminal.
     */
    @Override
    public String toString() {
        return Printable.escape(file + ":" + line + ":" + column + ": " + (path.isEmpty() ? "" : path + ": ") + message);
    }
}
