package dev.lethe.util;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Names a file chooses (a recipe's name, the parts of a combined objective), checked before they reach a
 * terminal or a folder name; did-you-mean suggestions by edit distance, for error messages about misspelt names.
 */
public final class Names {
    /**
     * The longest name a file may choose: a run directory is named {@code <name>-<8-character hash>[-N]}, which
     * stays well under the 255 bytes a file name may have on common file systems.
     */
    public static final int MAX_LENGTH = 100;

    private Names() {}

    /**
     * Why {@code name} cannot be a name a file chooses, or null when it can: it must not be blank, hold no
     * control character (ESC, BEL, CR, NUL, ... would rewrite the terminal that shows it) and be at most
     * {@link #MAX_LENGTH} characters long. The reason shows the name escaped ({@link Printable#escape}).
     */
    public static @Nullable String whyNotAName(String name) {
        if (name.isBlank()) {
            return "a name must not be blank";
        }
        int control = Printable.firstControl(name);
        if (control >= 0) {
            return "a name must not hold control characters; '" + Printable.escape(name) + "' has one at position "
                    + (control + 1);
        }
        if (name.length() > MAX_LENGTH) {
            return "a name must be short enough to name a folder: '" + name.substring(0, 20) + "...' has "
                    + name.length() + " characters; at most " + MAX_LENGTH;
        }
        return null;
    }

    /**
     * The known names within Levenshtein distance 2 of {@code name} (case-insensitive; 1 for names of up to
     * three letters), closest first.
     */
    public static List<String> close(String name, Collection<String> known) {
        String lower = name.toLowerCase(Locale.ROOT);
        int limit = lower.length() <= 3 ? 1 : 2;
        return known.stream().filter(k -> distance(lower, k.toLowerCase(Locale.ROOT)) <= limit)
                .sorted(Comparator.comparingInt(k -> distance(lower, k.toLowerCase(Locale.ROOT)))).toList();
    }

    /** {@code "; did you mean 'a' or 'b'?"}, or empty when nothing is close. */
    public static String didYouMean(String name, Collection<String> known) {
        List<String> close = close(name, known);
        return close.isEmpty() ? "" : "; did you mean " + String.join(" or ",
                close.stream().map(k -> "'" + k + "'").toList()) + "?";
    }

    /** The Levenshtein edit distance (insertions, deletions, substitutions) between {@code a} and {@code b}. */
    public static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j] + 1, current[j - 1] + 1));
            }
            int[] t = previous;
            previous = current;
            current = t;
        }
        return previous[b.length()];
    }
}
