package dev.lethe.util;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/** Did-you-mean suggestions by edit distance, for error messages about misspelt names. */
public final class Names {
    private Names() {}

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
